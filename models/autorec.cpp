#include "models/autorec.hpp"

#include "autograd/ops.hpp"
#include "nn/loss.hpp"

namespace hg::models {

AutoRec::AutoRec(std::size_t n_in, std::size_t hidden, float noise, Rng& rng) : Module("AutoRec") {
    encoder = register_module("encoder", std::make_shared<Linear>(n_in, hidden, rng));  // W, b
    decoder = register_module("decoder", std::make_shared<Linear>(hidden, n_in, rng));  // V, c
    // Made last, so that a model with and without noise start from the same weights.
    noise_layer = register_module("noise", std::make_shared<MaskingNoise>(noise, rng));
}

Var AutoRec::forward(const Var& r) { return (*decoder)(sigmoid((*encoder)((*noise_layer)(r)))); }

Var AutoRec::weight_norm2() const { return sum(square(encoder->weight())) + sum(square(decoder->weight())); }

// masked_mse is Σ m(p − t)² / n over all n entries (one fused op); times n it is the sum.
Var autorec_loss(AutoRec& model, const Var& input, const Var& target, const Tensor& observed, float lambda) {
    const float n = static_cast<float>(observed.numel());
    return n * masked_mse(model(input), target, observed) + (0.5f * lambda) * model.weight_norm2();
}

RpropOptions autorec_rprop() { return RpropOptions(0.01f); }

}  // namespace hg::models
