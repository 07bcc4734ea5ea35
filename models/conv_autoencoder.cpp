#include "models/conv_autoencoder.hpp"

#include "autograd/ops.hpp"
#include "nn/activation.hpp"
#include "nn/conv2d.hpp"

namespace hg::models {

namespace {

constexpr std::size_t kSide = 28, kPixels = kSide * kSide;

// A 3x3 convolution; "same" padding (1) keeps the size, padding 0 shrinks it by 2.
// ReLU layers get He initialisation, the logits layer Glorot's.
std::shared_ptr<Conv2d> conv3x3(std::size_t in, std::size_t out, std::size_t padding, Rng& rng,
                                Init init = Init::kaiming_uniform) {
    return std::make_shared<Conv2d>(in, out, 3, rng, Conv2dOptions().padding(padding).init(init));
}

}  // namespace

ConvAutoencoder::ConvAutoencoder(Rng& rng) : Module("ConvAutoencoder") {
    using std::make_shared;
    encoder = register_module("encoder", sequential({
        conv3x3(1, 16, 1, rng), make_shared<ReLU>(), make_shared<MaxPool2d>(),  // 28 -> 14
        conv3x3(16, 8, 1, rng), make_shared<ReLU>(), make_shared<MaxPool2d>(),  // 14 -> 7
        conv3x3(8, 8, 1, rng), make_shared<ReLU>(), make_shared<MaxPool2d>(),   //  7 -> 4 (the last window cut short)
    }));
    decoder = register_module("decoder", sequential({
        conv3x3(8, 8, 1, rng), make_shared<ReLU>(), make_shared<Upsample2d>(),   //  4 -> 8
        conv3x3(8, 8, 1, rng), make_shared<ReLU>(), make_shared<Upsample2d>(),   //  8 -> 16
        conv3x3(8, 16, 0, rng), make_shared<ReLU>(), make_shared<Upsample2d>(),  // 16 -> 14 -> 28
        conv3x3(16, 1, 1, rng, Init::xavier_uniform),                           // logits
    }));
}

ConvDenoiser::ConvDenoiser(Rng& rng) : ConvAutoencoder("ConvDenoiser") {
    using std::make_shared;
    encoder = register_module("encoder", sequential({
        conv3x3(1, 32, 1, rng), make_shared<ReLU>(), make_shared<MaxPool2d>(),   // 28 -> 14
        conv3x3(32, 32, 1, rng), make_shared<ReLU>(), make_shared<MaxPool2d>(),  // 14 -> 7
    }));
    decoder = register_module("decoder", sequential({
        conv3x3(32, 32, 1, rng), make_shared<ReLU>(), make_shared<Upsample2d>(),  //  7 -> 14
        conv3x3(32, 32, 1, rng), make_shared<ReLU>(), make_shared<Upsample2d>(),  // 14 -> 28
        conv3x3(32, 1, 1, rng, Init::xavier_uniform),                            // logits
    }));
}

Var ConvAutoencoder::encode(const Var& x) { return (*encoder)(reshape(x, {x.shape()[0], 1, kSide, kSide})); }

Var ConvAutoencoder::forward(const Var& x) {
    const Var y = (*decoder)(encode(x));  // (N x 1 x 28 x 28)
    return reshape(y, {x.shape()[0], kPixels});
}

DenseAutoencoder::DenseAutoencoder(std::size_t code, Rng& rng) : Module("DenseAutoencoder") {
    encoder = register_module("encoder", sequential({std::make_shared<Linear>(kPixels, code, rng), std::make_shared<ReLU>()}));
    decoder = register_module("decoder", std::make_shared<Linear>(code, kPixels, rng));
}

}  // namespace hg::models
