#include "nn/dropout.hpp"

#include <cmath>

#include "autograd/ops.hpp"
#include "tensor/format.hpp"

namespace hg {

namespace {
float probability(float p, const char* who) {
    if (!(p >= 0.0f && p < 1.0f))
        throw ValueError(std::string(who) + ": p = " + format_number(p) + " must be in [0, 1)");
    return p;
}
}  // namespace

// Each layer's stream is part of its state (Module::named_rngs), so checkpoints resume it.
Dropout::Dropout(float p, Rng& rng) : Module("Dropout"), p_(probability(p, "Dropout")), rng_(rng.next_u64()) {
    register_rng("rng", rng_);
}

Var Dropout::forward(const Var& x) { return dropout(x, p_, rng_, is_training()); }

MaskingNoise::MaskingNoise(float p, Rng& rng)
    : Module("MaskingNoise"), p_(probability(p, "MaskingNoise")), rng_(rng.next_u64()) {
    register_rng("rng", rng_);
}

Var MaskingNoise::forward(const Var& x) {
    if (!is_training() || p_ == 0.0f) return x;
    // x̃ = x ⊙ m, m_i ~ Bernoulli(1 − p)
    Tensor keep(x.shape());
    for (std::size_t i = 0; i < keep.numel(); ++i) keep[i] = rng_.bernoulli(p_) ? 0.0f : 1.0f;
    return mask(x, keep);
}

GaussianNoise::GaussianNoise(float stddev, Rng& rng) : Module("GaussianNoise"), stddev_(stddev), rng_(rng.next_u64()) {
    register_rng("rng", rng_);
    if (!(stddev >= 0.0f) || !std::isfinite(stddev))
        throw ValueError("GaussianNoise: stddev = " + format_number(stddev) + " must be a finite number >= 0");
}

Var GaussianNoise::forward(const Var& x) {
    if (!is_training() || stddev_ == 0.0f) return x;
    // x̃ = x + ε, ε_i ~ N(0, σ²)
    return x + Var::constant(Tensor::normal(x.shape(), 0.0f, stddev_, rng_), "gaussian_noise");
}

SaltPepperNoise::SaltPepperNoise(float p, Rng& rng)
    : Module("SaltPepperNoise"), p_(probability(p, "SaltPepperNoise")), rng_(rng.next_u64()) {
    register_rng("rng", rng_);
}

Var SaltPepperNoise::forward(const Var& x) {
    if (!is_training() || p_ == 0.0f) return x;
    // x̃ = x ⊙ m + s: where m_i = 0 (probability p) the entry becomes s_i ∈ {0, 1}
    Tensor keep(x.shape()), salt(x.shape());
    for (std::size_t i = 0; i < keep.numel(); ++i) {
        const bool corrupt = rng_.bernoulli(p_);
        keep[i] = corrupt ? 0.0f : 1.0f;
        salt[i] = corrupt && rng_.bernoulli(0.5f) ? 1.0f : 0.0f;
    }
    return mask(x, keep) + Var::constant(std::move(salt), "salt");
}

}  // namespace hg
