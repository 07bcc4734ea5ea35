#include "nn/init.hpp"

#include <cmath>

namespace hg::init {

float gain(const std::string& nonlinearity, float negative_slope) {
    if (nonlinearity == "linear" || nonlinearity == "identity" || nonlinearity == "sigmoid") return 1.0f;
    if (nonlinearity == "tanh") return 5.0f / 3.0f;
    if (nonlinearity == "relu") return std::sqrt(2.0f);
    if (nonlinearity == "leaky_relu") return std::sqrt(2.0f / (1.0f + negative_slope * negative_slope));
    if (nonlinearity == "selu") return 0.75f;
    throw ValueError("init::gain: unknown nonlinearity '" + nonlinearity +
                     "' (known: linear, identity, sigmoid, tanh, relu, leaky_relu, selu)");
}

namespace {
void need_weight(const Tensor& w, const char* who) {
    if (w.rank() < 1 || w.rank() == 3 || w.numel() == 0)
        throw ShapeError(std::string(who) + ": needs a non-empty 1-D, 2-D or 4-D (convolution) weight, got " +
                         w.shape().str());
}
// The pixels of one kernel: kH·kW for a 4-D convolution weight, 1 otherwise.
std::size_t receptive_field(const Tensor& w) { return w.rank() == 4 ? w.shape()[2] * w.shape()[3] : 1; }
}  // namespace

std::size_t fan_in(const Tensor& w) {
    need_weight(w, "init::fan_in");
    return w.rank() >= 2 ? w.shape()[1] * receptive_field(w) : 1;
}

std::size_t fan_out(const Tensor& w) {
    need_weight(w, "init::fan_out");
    return w.shape()[0] * receptive_field(w);
}

void uniform(Tensor& t, float lo, float hi, Rng& rng) {
    for (std::size_t i = 0; i < t.numel(); ++i) t[i] = rng.uniform(lo, hi);
}

void normal(Tensor& t, float mean, float stddev, Rng& rng) {
    for (std::size_t i = 0; i < t.numel(); ++i) t[i] = rng.normal(mean, stddev);
}

void constant(Tensor& t, float value) { t.fill(value); }

void pytorch_default(Tensor& t, std::size_t fan_in, Rng& rng) {
    if (fan_in == 0) throw ValueError("init::pytorch_default: fan_in must be positive");
    const float bound = 1.0f / std::sqrt(static_cast<float>(fan_in));
    uniform(t, -bound, bound, rng);
}

void xavier_uniform(Tensor& w, Rng& rng, float gain) {
    const float bound = gain * std::sqrt(6.0f / static_cast<float>(fan_in(w) + fan_out(w)));
    uniform(w, -bound, bound, rng);
}

void xavier_normal(Tensor& w, Rng& rng, float gain) {
    normal(w, 0.0f, gain * std::sqrt(2.0f / static_cast<float>(fan_in(w) + fan_out(w))), rng);
}

void kaiming_uniform(Tensor& w, Rng& rng, float a) {
    const float bound = gain("leaky_relu", a) * std::sqrt(3.0f / static_cast<float>(fan_in(w)));
    uniform(w, -bound, bound, rng);
}

void kaiming_normal(Tensor& w, Rng& rng, float a) {
    normal(w, 0.0f, gain("leaky_relu", a) / std::sqrt(static_cast<float>(fan_in(w))), rng);
}

}  // namespace hg::init
