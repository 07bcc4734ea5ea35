// The convolutional autoencoder of tutorial 12, in the shape of the one in the Keras blog
// (Chollet 2016, "Building Autoencoders in Keras"); convolutional autoencoders after Masci,
// Meier, Cireşan & Schmidhuber (2011), "Stacked Convolutional Auto-Encoders for Hierarchical
// Feature Extraction", ICANN. bench/pytorch/conv_ae.py is the same network.
//
//   encoder  28x28x1 -conv3x3 16, relu-> -pool-> 14x14x16 -conv 8, relu-> -pool-> 7x7x8
//            -conv 8, relu-> -pool-> 4x4x8 = a 128-number code
//   decoder  -conv 8, relu-> -up-> 8x8x8 -conv 8, relu-> -up-> 16x16x8
//            -conv 16 (no padding), relu-> 14x14x16 -up-> 28x28x16 -conv 1-> logits
//
// The denoising model of the same blog post, wider and shallower, with a 7x7x32 code:
//
//   encoder  28x28x1 -conv3x3 32, relu-> -pool-> 14x14x32 -conv 32, relu-> -pool-> 7x7x32
//   decoder  -conv 32, relu-> -up-> 14x14x32 -conv 32, relu-> -up-> 28x28x32 -conv 1-> logits
//
// It trains on corrupted inputs against the clean images: hg::bce_with_logits(model(x̃), x).
//
// And the fully connected model it is compared with, the same 128-number code:
// 784-128 (relu) -128-784. Both map flat images (N x 784) to logits (N x 784); both train
// with Adam (lr 1e-3, batch 128) on hg::bce_with_logits(model(x), x).
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <utility>

#include "nn/linear.hpp"
#include "nn/module.hpp"
#include "nn/sequential.hpp"
#include "tensor/rng.hpp"

namespace hg::models {

class ConvAutoencoder : public Module {
public:
    explicit ConvAutoencoder(Rng& rng);
    Var encode(const Var& x);  // (N x 784) -> the code (N x 8 x 4 x 4; the denoiser's N x 32 x 7 x 7)
    Var forward(const Var& x) override;

    std::shared_ptr<Sequential> encoder, decoder;

protected:
    explicit ConvAutoencoder(std::string type_name) : Module(std::move(type_name)) {}  // layers set by the subclass
};

class ConvDenoiser : public ConvAutoencoder {
public:
    explicit ConvDenoiser(Rng& rng);
};

class DenseAutoencoder : public Module {
public:
    DenseAutoencoder(std::size_t code, Rng& rng);
    Var forward(const Var& x) override { return (*decoder)((*encoder)(x)); }

    std::shared_ptr<Sequential> encoder;
    std::shared_ptr<Linear> decoder;
};

}  // namespace hg::models
