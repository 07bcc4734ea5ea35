// RMSprop (Tieleman & Hinton 2012) with PyTorch's semantics (torch.optim.RMSprop): each
// weight's step is divided by a running root-mean-square of its recent gradients.
// Per step, for each parameter p with gradient g (all element-wise):
//
//   g ← g + wd·p                               weight decay, added to the gradient
//   v ← α·v + (1 − α)·g²                       running mean of g²   (v starts at 0)
//   centered:  ḡ ← α·ḡ + (1 − α)·g,  d = √(v − ḡ²) + ε     (an estimate of the variance)
//   otherwise: d = √v + ε
//   momentum μ > 0:  b ← μ·b + g/d,  p ← p − lr·b           (b starts at 0)
//   otherwise:       p ← p − lr·g/d
//
//   hg::RMSprop opt(model.parameters(), hg::RMSpropOptions(0.01f).alpha(0.99f).eps(1e-8f).weight_decay(0.5f));
#pragma once

#include "nn/optimizer.hpp"

namespace hg {

class RMSpropOptions {
public:
    explicit RMSpropOptions(float lr = 0.01f) : lr_(lr) {}
    RMSpropOptions& lr(float v) { lr_ = v; return *this; }
    RMSpropOptions& alpha(float v) { alpha_ = v; return *this; }
    RMSpropOptions& eps(float v) { eps_ = v; return *this; }
    RMSpropOptions& weight_decay(float v) { weight_decay_ = v; return *this; }
    RMSpropOptions& momentum(float v) { momentum_ = v; return *this; }
    RMSpropOptions& centered(bool v) { centered_ = v; return *this; }
    float lr() const { return lr_; }
    float alpha() const { return alpha_; }
    float eps() const { return eps_; }
    float weight_decay() const { return weight_decay_; }
    float momentum() const { return momentum_; }
    bool centered() const { return centered_; }

private:
    float lr_, alpha_ = 0.99f, eps_ = 1e-8f, weight_decay_ = 0.0f, momentum_ = 0.0f;
    bool centered_ = false;
};

class RMSprop : public Optimizer {
public:
    RMSprop(std::vector<Var> params, const RMSpropOptions& options);
    const RMSpropOptions& options() const { return options_; }

private:
    bool update(std::size_t i, float* p, const float* g, std::size_t n) override;
    void state_refs(std::size_t i, StateRefs& out) override {
        out.buffers = {{"square_avg", &state_[i].square_avg}, {"grad_avg", &state_[i].grad_avg},
                       {"momentum_buffer", &state_[i].momentum}};
    }

    struct State {
        std::vector<float> square_avg, grad_avg, momentum;  // v, ḡ (centered), b (momentum)
    };
    RMSpropOptions options_;
    std::vector<State> state_;
};

}  // namespace hg
