#include "nn/sgd.hpp"

#include "tensor/kernels/parallel_for.hpp"

namespace hg {

SGD::SGD(std::vector<Var> params, const SGDOptions& o)
    : Optimizer(std::move(params), o.lr(), "SGD"), options_(o), buf_(params_.size()) {
    require(o.momentum() >= 0.0f, "momentum", o.momentum(), "must be >= 0");
    require(o.weight_decay() >= 0.0f, "weight_decay", o.weight_decay(), "must be >= 0");
    require(!o.nesterov() || (o.momentum() > 0.0f && o.dampening() == 0.0f), "nesterov", 1,
            "needs momentum > 0 and dampening = 0");
}

bool SGD::update(std::size_t i, float* p, const float* g, std::size_t n) {
    const float lr = lr_, wd = options_.weight_decay(), mu = options_.momentum(), damp = options_.dampening();
    const bool nesterov = options_.nesterov();
    // Large parameters: every thread a range of them (tensor/kernels/parallel_for.hpp). Each range ORs
    // non_finite() over its new values (unsigned: it vectorises).
    if (mu == 0.0f)
        return kernels::parallel_any(n, [=](std::size_t begin, std::size_t end) {
            unsigned bad = 0;
            for (std::size_t k = begin; k < end; ++k) {
                p[k] -= lr * (g[k] + wd * p[k]);  // p ← p − lr·(g + wd·p)
                bad |= non_finite(p[k]);
            }
            return bad != 0;
        });
    std::vector<float>& buf = buf_[i];
    const bool first = buf.empty();
    if (first) buf.resize(n);
    float* b = buf.data();
    return kernels::parallel_any(n, [=](std::size_t begin, std::size_t end) {
        unsigned bad = 0;
        for (std::size_t k = begin; k < end; ++k) {
            const float d = g[k] + wd * p[k];                  // g ← g + wd·p
            b[k] = first ? d : mu * b[k] + (1.0f - damp) * d;  // b ← μ·b + (1 − τ)·g   (b ← g at first)
            p[k] -= lr * (nesterov ? d + mu * b[k] : b[k]);    // p ← p − lr·(g + μ·b)  or  p − lr·b
            bad |= non_finite(p[k]);
        }
        return bad != 0;
    });
}

}  // namespace hg
