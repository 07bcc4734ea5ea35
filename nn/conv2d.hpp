// Convolutional layers on NCHW batches of images (N x C x H x W): Conv2d, and the two
// weightless layers a convolutional autoencoder pairs with it, MaxPool2d (down) and
// Upsample2d (up). The maths and the backward rules are in autograd/ops_conv.cpp.
//
//   hg::Rng rng(0);
//   auto conv = std::make_shared<hg::Conv2d>(1, 16, 3, rng, hg::Conv2dOptions().padding(1));
//   hg::Var x = hg::reshape(flat_images, {n, 1, 28, 28});   // (N x 784) -> (N x 1 x 28 x 28)
//   hg::Var h = hg::relu((*conv)(x));                        // (N x 16 x 28 x 28)
//   hg::Var p = hg::MaxPool2d()(h);                          // (N x 16 x 14 x 14)
//
// The weight is stored (C_out x C_in x k x k) and the bias (C_out), as torch.nn.Conv2d
// stores them, so a checkpoint loads into PyTorch unchanged. A unit of output channel o
// sees a k x k patch of every input channel: it has C_in·k·k weights, shared by every
// position in the image — which is why a convolution has so few parameters.
#pragma once

#include <cstddef>
#include <string>

#include "autograd/ops.hpp"
#include "nn/init.hpp"
#include "nn/module.hpp"
#include "tensor/rng.hpp"

namespace hg {

class Conv2dOptions {
public:
    Conv2dOptions& stride(std::size_t s) { stride_ = s; return *this; }
    // Zeros added on every side; padding (k − 1)/2 keeps an odd k's output the input's size.
    Conv2dOptions& padding(std::size_t p) { padding_ = p; return *this; }
    Conv2dOptions& bias(bool on) { bias_ = on; return *this; }
    // As for Linear: pytorch_default is U(±1/√fan_in) with fan_in = C_in·k·k; kaiming_* suits
    // ReLU layers (He et al. 2015), xavier_* sigmoid/tanh ones (Glorot & Bengio 2010).
    Conv2dOptions& init(Init how) { init_ = how; return *this; }
    Conv2dOptions& init_param(float value) { init_param_ = value; return *this; }
    std::size_t stride() const { return stride_; }
    std::size_t padding() const { return padding_; }
    bool bias() const { return bias_; }
    Init init() const { return init_; }
    float init_param() const { return init_param_; }

private:
    std::size_t stride_ = 1, padding_ = 0;
    bool bias_ = true;
    Init init_ = Init::pytorch_default;
    float init_param_ = -1.0f;  // < 0: the initialiser's own default (gain 1, a = 0)
};

class Conv2d : public Module {
public:
    // A square kernel_size x kernel_size kernel.
    Conv2d(std::size_t in_channels, std::size_t out_channels, std::size_t kernel_size, Rng& rng,
           const Conv2dOptions& options = {});

    Var forward(const Var& x) override;  // (N x C_in x H x W) -> (N x C_out x OH x OW)
    std::string describe() const override;

    std::size_t in_channels() const { return in_; }
    std::size_t out_channels() const { return out_; }
    std::size_t kernel_size() const { return kernel_; }
    std::size_t stride() const { return stride_; }
    std::size_t padding() const { return padding_; }
    bool has_bias() const { return has_bias_; }
    Var weight() const { return weight_; }
    Var bias() const;  // throws ValueError if the layer has no bias

private:
    std::size_t in_, out_, kernel_, stride_, padding_;
    bool has_bias_;
    Var weight_, bias_;
};

// The largest value of each size x size window (stride = size). Odd sizes round up:
// 7x7 -> 4x4 with size 2 (see max_pool2d in autograd/ops.hpp).
class MaxPool2d : public Module {
public:
    explicit MaxPool2d(std::size_t size = 2);
    Var forward(const Var& x) override { return max_pool2d(x, size_); }
    std::string describe() const override { return "size=" + std::to_string(size_); }

private:
    std::size_t size_;
};

// Nearest-neighbour upsampling: every pixel becomes a factor x factor block.
class Upsample2d : public Module {
public:
    explicit Upsample2d(std::size_t factor = 2);
    Var forward(const Var& x) override { return upsample2d(x, factor_); }
    std::string describe() const override { return "factor=" + std::to_string(factor_); }

private:
    std::size_t factor_;
};

}  // namespace hg
