// Adam (Kingma & Ba 2015) and AdamW (Loshchilov & Hutter 2019) with PyTorch's semantics
// (torch.optim.Adam / AdamW). Per step t = 1, 2, ... of a parameter p with gradient g:
//
//   Adam:  g ← g + wd·p                       weight decay as an L2 term in the gradient
//   AdamW: p ← p·(1 − lr·wd)                  weight decay applied to p directly ("decoupled")
//   m ← β₁·m + (1 − β₁)·g                     running mean of g      (m, v start at 0)
//   v ← β₂·v + (1 − β₂)·g²                    running mean of g²
//   m̂ = m / (1 − β₁ᵗ),  v̂ = v / (1 − β₂ᵗ)      bias corrections for the zero start
//   p ← p − lr·m̂ / (√v̂ + ε)
//
//   hg::Adam  opt(model.parameters(), hg::AdamOptions(1e-3f));
//   hg::AdamW optw(model.parameters(), hg::AdamOptions(1e-3f).weight_decay(1e-2f));  // PyTorch's AdamW default wd
#pragma once

#include <cstdint>

#include "nn/optimizer.hpp"

namespace hg {

class AdamOptions {
public:
    explicit AdamOptions(float lr = 1e-3f) : lr_(lr) {}
    AdamOptions& lr(float v) { lr_ = v; return *this; }
    AdamOptions& betas(float beta1, float beta2) { beta1_ = beta1; beta2_ = beta2; return *this; }
    AdamOptions& eps(float v) { eps_ = v; return *this; }
    AdamOptions& weight_decay(float v) { weight_decay_ = v; return *this; }
    float lr() const { return lr_; }
    float beta1() const { return beta1_; }
    float beta2() const { return beta2_; }
    float eps() const { return eps_; }
    float weight_decay() const { return weight_decay_; }

private:
    float lr_, beta1_ = 0.9f, beta2_ = 0.999f, eps_ = 1e-8f, weight_decay_ = 0.0f;
};

class Adam : public Optimizer {
public:
    Adam(std::vector<Var> params, const AdamOptions& options);
    const AdamOptions& options() const { return options_; }

protected:
    Adam(std::vector<Var> params, const AdamOptions& options, bool decoupled, const char* name);

private:
    bool update(std::size_t i, float* p, const float* g, std::size_t n) override;
    void state_refs(std::size_t i, StateRefs& out) override {
        out.buffers = {{"exp_avg", &state_[i].m}, {"exp_avg_sq", &state_[i].v}};
        out.counters = {{"step", &state_[i].step}};
    }

    struct State {
        std::uint64_t step = 0;     // t: steps this parameter has taken
        std::vector<float> m, v;
    };
    AdamOptions options_;
    bool decoupled_;  // AdamW
    std::vector<State> state_;
};

// Adam with decoupled weight decay. Note: PyTorch's AdamW defaults to weight_decay = 0.01;
// here, as for every option, the default is 0 — say the decay you want.
class AdamW : public Adam {
public:
    AdamW(std::vector<Var> params, const AdamOptions& options) : Adam(std::move(params), options, true, "AdamW") {}
};

}  // namespace hg
