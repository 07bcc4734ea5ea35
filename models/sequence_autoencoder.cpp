#include "models/sequence_autoencoder.hpp"

#include <vector>

#include "autograd/ops.hpp"
#include "tensor/error.hpp"

namespace hg::models {

SequenceAutoencoder::SequenceAutoencoder(const SequenceShape& shape, Rng& rng)
    : Module("SequenceAutoencoder"), shape_(shape) {
    if (shape.features == 0 || shape.steps == 0)
        throw ValueError("SequenceAutoencoder: features = " + std::to_string(shape.features) + " and steps = " +
                         std::to_string(shape.steps) + " must both be positive");
    encoder = register_module("encoder", std::make_shared<LstmCell>(shape.features, shape.code, rng));
    decoder = register_module("decoder", std::make_shared<LstmCell>(shape.code, shape.hidden, rng));
    readout = register_module("readout", std::make_shared<Linear>(shape.hidden, shape.features, rng));
}

Var SequenceAutoencoder::encode(const Var& x) {
    const std::size_t width = shape_.steps * shape_.features;
    if (x.value().rank() != 2 || x.shape()[1] != width)
        throw ShapeError("SequenceAutoencoder(" + describe() + "): the input has shape " + x.shape().str() +
                         " but the model expects (N x " + std::to_string(width) + "), one sequence of " +
                         std::to_string(shape_.steps) + " steps x " + std::to_string(shape_.features) +
                         " features per row");
    std::vector<Var> xs;
    for (std::size_t t = 0; t < shape_.steps; ++t) xs.push_back(Var::constant(sequence_step(x.value(), t, shape_.features)));
    LstmState s = encoder->zero_state(x.shape()[0]);
    lstm_unroll(xs, s, encoder->gates(), truncate_every);
    return s.h;
}

Var SequenceAutoencoder::decode(const Var& code) {
    LstmState s = decoder->zero_state(code.shape()[0]);
    std::vector<Var> steps;
    for (std::size_t t = 0; t < shape_.steps; ++t) {
        s = decoder->step(code, s);
        steps.push_back((*readout)(s.h));
    }
    return concat(steps, 1);
}

std::string SequenceAutoencoder::describe() const {
    return "features=" + std::to_string(shape_.features) + ", steps=" + std::to_string(shape_.steps) +
           ", code=" + std::to_string(shape_.code) + ", hidden=" + std::to_string(shape_.hidden);
}

Tensor sequence_step(const Tensor& x, std::size_t t, std::size_t features) {
    const std::size_t n = x.rows(), width = x.cols();
    if ((t + 1) * features > width)
        throw IndexError("sequence_step: step " + std::to_string(t) + " of " + std::to_string(features) +
                         " features is past the end of a row of " + std::to_string(width) + " numbers");
    Tensor out({n, features});
    for (std::size_t r = 0; r < n; ++r)
        for (std::size_t f = 0; f < features; ++f) out[r * features + f] = x[r * width + t * features + f];
    return out;
}

}  // namespace hg::models
