// Rprop, resilient backpropagation (Riedmiller & Braun 1993), with PyTorch's semantics
// (torch.optim.Rprop): only the SIGN of each gradient is used. Every weight has its own
// step size, which grows while the gradient keeps its sign and shrinks when it flips.
// AutoRec (Sedhain et al. 2015) trained its autoencoders with Rprop. Full-batch only:
// the noise of mini-batch gradients makes their signs flip at random.
// Per step, for each element of a parameter p with gradient g (previous gradient g⁻,
// step size s; at the start g⁻ = 0 and s = lr):
//
//   f = η⁺ if g·g⁻ > 0,  η⁻ if g·g⁻ < 0,  1 otherwise
//   s ← clamp(s·f, s_min, s_max)
//   g ← 0 if g·g⁻ < 0     (after a sign flip, wait one step)
//   p ← p − sign(g)·s
//   g⁻ ← g
//
//   hg::Rprop opt(model.parameters(), hg::RpropOptions(0.01f).etas(0.5f, 1.2f).step_sizes(1e-6f, 50.0f));
#pragma once

#include "nn/optimizer.hpp"

namespace hg {

class RpropOptions {
public:
    explicit RpropOptions(float lr = 0.01f) : lr_(lr) {}
    RpropOptions& lr(float v) { lr_ = v; return *this; }  // the initial step size
    RpropOptions& etas(float minus, float plus) { eta_minus_ = minus; eta_plus_ = plus; return *this; }
    RpropOptions& step_sizes(float min, float max) { step_min_ = min; step_max_ = max; return *this; }
    float lr() const { return lr_; }
    float eta_minus() const { return eta_minus_; }
    float eta_plus() const { return eta_plus_; }
    float step_min() const { return step_min_; }
    float step_max() const { return step_max_; }

private:
    float lr_, eta_minus_ = 0.5f, eta_plus_ = 1.2f, step_min_ = 1e-6f, step_max_ = 50.0f;
};

class Rprop : public Optimizer {
public:
    Rprop(std::vector<Var> params, const RpropOptions& options);
    const RpropOptions& options() const { return options_; }

private:
    bool update(std::size_t i, float* p, const float* g, std::size_t n) override;
    void state_refs(std::size_t i, StateRefs& out) override {
        out.buffers = {{"prev", &state_[i].prev}, {"step_size", &state_[i].step_size}};
    }

    struct State {
        std::vector<float> prev, step_size;  // g⁻ and s per element
    };
    RpropOptions options_;
    std::vector<State> state_;
};

}  // namespace hg
