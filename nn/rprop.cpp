#include "nn/rprop.hpp"

#include <algorithm>

#include "tensor/kernels/parallel_for.hpp"

namespace hg {

Rprop::Rprop(std::vector<Var> params, const RpropOptions& o)
    : Optimizer(std::move(params), o.lr(), "Rprop"), options_(o), state_(params_.size()) {
    require(o.eta_minus() > 0.0f && o.eta_minus() < 1.0f, "eta_minus", o.eta_minus(), "must be in (0, 1)");
    require(o.eta_plus() > 1.0f, "eta_plus", o.eta_plus(), "must be > 1");
    require(o.step_min() >= 0.0f && o.step_min() <= o.step_max(), "step_min", o.step_min(),
            "must be in [0, step_max]");
}

bool Rprop::update(std::size_t i, float* p, const float* g, std::size_t n) {
    State& s = state_[i];
    if (s.prev.empty()) {
        s.prev.assign(n, 0.0f);
        s.step_size.assign(n, lr_);  // the initial step size is lr (read at the first step)
    }
    const float eta_minus = options_.eta_minus(), eta_plus = options_.eta_plus(), lo = options_.step_min(),
                hi = options_.step_max();
    float *prev = s.prev.data(), *step = s.step_size.data();
    return kernels::parallel_any(n, [=](std::size_t begin, std::size_t end) {  // large parameters: every thread a range
        unsigned bad = 0;  // an OR of non_finite() over the new values (unsigned: it vectorises)
        for (std::size_t k = begin; k < end; ++k) {
            const float agree = g[k] * prev[k];
            const float f = agree > 0.0f ? eta_plus : (agree < 0.0f ? eta_minus : 1.0f);  // η⁺, η⁻ or 1
            step[k] = std::clamp(step[k] * f, lo, hi);                                   // s ← clamp(s·f)
            const float d = agree < 0.0f ? 0.0f : g[k];                                  // g ← 0 after a flip
            p[k] -= (d > 0.0f ? step[k] : (d < 0.0f ? -step[k] : 0.0f));                 // p ← p − sign(g)·s
            prev[k] = d;                                                                 // g⁻ ← g
            bad |= non_finite(p[k]);
        }
        return bad != 0;
    });
}

}  // namespace hg
