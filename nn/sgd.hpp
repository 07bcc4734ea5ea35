// Stochastic gradient descent with momentum, Nesterov momentum and weight decay, with
// PyTorch's semantics (torch.optim.SGD). Per step, for each parameter p with gradient g:
//
//   g ← g + wd·p                                  weight decay (L2 penalty ½·wd·||p||²)
//   b ← g at the first step, else μ·b + (1 − τ)·g  momentum buffer (τ: dampening)
//   g ← g + μ·b  (Nesterov)   or   g ← b          (plain momentum; both only when μ > 0)
//   p ← p − lr·g
//
//   hg::SGD opt(model.parameters(), hg::SGDOptions(0.1f).momentum(0.9f).nesterov(true));
#pragma once

#include "nn/optimizer.hpp"

namespace hg {

class SGDOptions {
public:
    explicit SGDOptions(float lr) : lr_(lr) {}
    SGDOptions& lr(float v) { lr_ = v; return *this; }
    SGDOptions& momentum(float v) { momentum_ = v; return *this; }
    SGDOptions& dampening(float v) { dampening_ = v; return *this; }
    SGDOptions& weight_decay(float v) { weight_decay_ = v; return *this; }
    SGDOptions& nesterov(bool v) { nesterov_ = v; return *this; }
    float lr() const { return lr_; }
    float momentum() const { return momentum_; }
    float dampening() const { return dampening_; }
    float weight_decay() const { return weight_decay_; }
    bool nesterov() const { return nesterov_; }

private:
    float lr_, momentum_ = 0.0f, dampening_ = 0.0f, weight_decay_ = 0.0f;
    bool nesterov_ = false;
};

class SGD : public Optimizer {
public:
    SGD(std::vector<Var> params, const SGDOptions& options);
    const SGDOptions& options() const { return options_; }

private:
    bool update(std::size_t i, float* p, const float* g, std::size_t n) override;
    void state_refs(std::size_t i, StateRefs& out) override { out.buffers = {{"momentum_buffer", &buf_[i]}}; }

    SGDOptions options_;
    std::vector<std::vector<float>> buf_;  // momentum buffer per parameter (empty until the first step)
};

}  // namespace hg
