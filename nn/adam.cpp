#include "nn/adam.hpp"

#include <cmath>

#include "tensor/kernels/parallel_for.hpp"

namespace hg {

Adam::Adam(std::vector<Var> params, const AdamOptions& o) : Adam(std::move(params), o, false, "Adam") {}

Adam::Adam(std::vector<Var> params, const AdamOptions& o, bool decoupled, const char* name)
    : Optimizer(std::move(params), o.lr(), name), options_(o), decoupled_(decoupled), state_(params_.size()) {
    require(o.beta1() >= 0.0f && o.beta1() < 1.0f, "beta1", o.beta1(), "must be in [0, 1)");
    require(o.beta2() >= 0.0f && o.beta2() < 1.0f, "beta2", o.beta2(), "must be in [0, 1)");
    require(o.eps() >= 0.0f, "eps", o.eps(), "must be >= 0");
    require(o.weight_decay() >= 0.0f, "weight_decay", o.weight_decay(), "must be >= 0");
}

bool Adam::update(std::size_t i, float* p, const float* g, std::size_t n) {
    State& s = state_[i];
    if (s.m.empty()) {
        s.m.assign(n, 0.0f);
        s.v.assign(n, 0.0f);
    }
    const std::uint64_t t = ++s.step;
    const float lr = lr_, b1 = options_.beta1(), b2 = options_.beta2(), eps = options_.eps(),
                wd = options_.weight_decay();
    // The bias corrections in the form PyTorch evaluates them:
    //   lr·m̂/(√v̂ + ε) = (lr/(1 − β₁ᵗ))·m / (√v/√(1 − β₂ᵗ) + ε)
    const double t_d = static_cast<double>(t);
    const float step_size = static_cast<float>(lr / (1.0 - std::pow(static_cast<double>(b1), t_d)));
    const float bc2_sqrt = static_cast<float>(std::sqrt(1.0 - std::pow(static_cast<double>(b2), t_d)));
    const float shrink = decoupled_ ? 1.0f - lr * wd : 1.0f;  // AdamW: p ← p·(1 − lr·wd)
    const float l2 = decoupled_ ? 0.0f : wd;                  // Adam:  g ← g + wd·p
    float *m = s.m.data(), *v = s.v.data();
    return kernels::parallel_any(n, [=](std::size_t begin, std::size_t end) {  // large parameters: every thread a range
        unsigned bad = 0;  // an OR of non_finite() over the new values (unsigned: it vectorises)
        for (std::size_t k = begin; k < end; ++k) {
            const float d = g[k] + l2 * p[k];
            m[k] = b1 * m[k] + (1.0f - b1) * d;      // m ← β₁·m + (1 − β₁)·g
            v[k] = b2 * v[k] + (1.0f - b2) * d * d;  // v ← β₂·v + (1 − β₂)·g²
            p[k] = p[k] * shrink - step_size * m[k] / (std::sqrt(v[k]) / bc2_sqrt + eps);  // p ← p − lr·m̂/(√v̂ + ε)
            bad |= non_finite(p[k]);
        }
        return bad != 0;
    });
}

}  // namespace hg
