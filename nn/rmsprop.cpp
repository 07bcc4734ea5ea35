#include "nn/rmsprop.hpp"

#include <cmath>

#include "tensor/kernels/parallel_for.hpp"

namespace hg {

RMSprop::RMSprop(std::vector<Var> params, const RMSpropOptions& o)
    : Optimizer(std::move(params), o.lr(), "RMSprop"), options_(o), state_(params_.size()) {
    require(o.alpha() >= 0.0f && o.alpha() <= 1.0f, "alpha", o.alpha(), "must be in [0, 1]");
    require(o.eps() >= 0.0f, "eps", o.eps(), "must be >= 0");
    require(o.weight_decay() >= 0.0f, "weight_decay", o.weight_decay(), "must be >= 0");
    require(o.momentum() >= 0.0f, "momentum", o.momentum(), "must be >= 0");
}

bool RMSprop::update(std::size_t i, float* p, const float* g, std::size_t n) {
    const float lr = lr_, alpha = options_.alpha(), eps = options_.eps(), wd = options_.weight_decay(),
                mu = options_.momentum();
    const bool centered = options_.centered();
    State& s = state_[i];
    if (s.square_avg.empty()) {  // the first step: all state starts at zero
        s.square_avg.assign(n, 0.0f);
        if (centered) s.grad_avg.assign(n, 0.0f);
        if (mu > 0.0f) s.momentum.assign(n, 0.0f);
    }
    float *v = s.square_avg.data(), *ga = s.grad_avg.data(), *b = s.momentum.data();
    // Large parameters: every thread a range of them (tensor/kernels/parallel_for.hpp). Each range ORs
    // non_finite() over its new values (unsigned: it vectorises).
    if (!centered && mu == 0.0f)
        return kernels::parallel_any(n, [=](std::size_t begin, std::size_t end) {
            // The common case (the course's optimiser), kept branch-free so it vectorises: the
            // general loop below does not, and takes 126 µs instead of 25 on the course's model.
            unsigned bad = 0;
            for (std::size_t k = begin; k < end; ++k) {
                const float d = g[k] + wd * p[k];              // g ← g + wd·p
                v[k] = alpha * v[k] + (1.0f - alpha) * d * d;  // v ← α·v + (1 − α)·g²
                p[k] -= lr * d / (std::sqrt(v[k]) + eps);      // p ← p − lr·g/(√v + ε)
                bad |= non_finite(p[k]);
            }
            return bad != 0;
        });
    return kernels::parallel_any(n, [=](std::size_t begin, std::size_t end) {
        unsigned bad = 0;
        for (std::size_t k = begin; k < end; ++k) {
            const float d = g[k] + wd * p[k];                 // g ← g + wd·p
            v[k] = alpha * v[k] + (1.0f - alpha) * d * d;     // v ← α·v + (1 − α)·g²
            float denom;
            if (centered) {
                ga[k] = alpha * ga[k] + (1.0f - alpha) * d;   // ḡ ← α·ḡ + (1 − α)·g
                denom = std::sqrt(v[k] - ga[k] * ga[k]) + eps;  // d = √(v − ḡ²) + ε
            } else {
                denom = std::sqrt(v[k]) + eps;                // d = √v + ε
            }
            if (mu > 0.0f) {
                b[k] = mu * b[k] + d / denom;                 // b ← μ·b + g/d
                p[k] -= lr * b[k];                            // p ← p − lr·b
            } else {
                p[k] -= lr * d / denom;                       // p ← p − lr·g/d
            }
            bad |= non_finite(p[k]);
        }
        return bad != 0;
    });
}

}  // namespace hg
