// Linear layers: y = x·Wᵀ + b, the affine map at the heart of every autoencoder.
//
//   hg::Rng rng(0);
//   auto enc = std::make_shared<hg::Linear>(1682, 20, rng);       // W (20x1682), b (20)
//   auto dec = std::make_shared<hg::Linear>(20, 1682, rng,
//                                           hg::LinearOptions().init(hg::Init::xavier_uniform));
//   hg::Var z = hg::sigmoid((*enc)(x));                           // x: (batch x 1682) -> (batch x 20)
//
// The weight is stored (out x in), as torch.nn.Linear stores it, so a checkpoint loads
// into PyTorch unchanged. A batch is a matrix with one example per row. The layer's maths
// and its backward rule are the op hg::linear (autograd/ops.hpp, autograd/ops_matmul.cpp).
//
// TiedLinear is a decoder that reuses an encoder's weight, transposed: y = x·W_enc + b.
// It has no weight of its own (only its bias), so the model has half the weights and the
// encoder's W receives gradient from both uses — as in tied-weight, denoising and
// k-sparse autoencoders.
#pragma once

#include <cstddef>

#include "nn/init.hpp"
#include "nn/module.hpp"
#include "tensor/rng.hpp"

namespace hg {

class LinearOptions {
public:
    LinearOptions& bias(bool on) { bias_ = on; return *this; }
    LinearOptions& init(Init how) { init_ = how; return *this; }
    // xavier_*: the gain (init::gain("tanh"), ...); kaiming_*: the rectifier's negative slope a.
    LinearOptions& init_param(float value) { init_param_ = value; return *this; }
    bool bias() const { return bias_; }
    Init init() const { return init_; }
    float init_param() const { return init_param_; }

private:
    bool bias_ = true;
    Init init_ = Init::pytorch_default;
    float init_param_ = -1.0f;  // < 0: the initialiser's own default (gain 1, a = 0)
};

class Linear : public Module {
public:
    Linear(std::size_t in, std::size_t out, Rng& rng, const LinearOptions& options = {});

    Var forward(const Var& x) override;
    std::string describe() const override;

    std::size_t in_features() const { return in_; }
    std::size_t out_features() const { return out_; }
    bool has_bias() const { return has_bias_; }
    // Handles to the parameters (a Var shares its node: lin.weight().value() is the layer's own).
    Var weight() const { return weight_; }
    Var bias() const;  // throws ValueError if the layer has no bias

private:
    std::size_t in_, out_;
    bool has_bias_;
    Var weight_, bias_;
};

class TiedLinear : public Module {
public:
    // A decoder (encoder.out -> encoder.in) that uses encoder's weight transposed.
    TiedLinear(const Linear& encoder, Rng& rng, bool bias = true);

    Var forward(const Var& x) override;
    std::string describe() const override;

    std::size_t in_features() const { return weight_.shape()[0]; }
    std::size_t out_features() const { return weight_.shape()[1]; }
    Var tied_weight() const { return weight_; }

private:
    bool has_bias_;
    Var weight_, bias_;
};

}  // namespace hg
