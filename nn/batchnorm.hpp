// BatchNorm1d: batch normalisation of each feature (Ioffe & Szegedy 2015), with the
// semantics of torch.nn.BatchNorm1d on (N x F) batches:
//
//   training:   y = (x − μ_B) / √(σ²_B + ε) · γ + β   with μ_B, σ²_B the batch's mean and
//               (biased) variance of each feature; then, in place,
//               running_mean ← (1 − m)·running_mean + m·μ_B
//               running_var  ← (1 − m)·running_var  + m·σ²_B·N/(N − 1)   (unbiased)
//   evaluation: the same with running_mean and running_var in place of μ_B and σ²_B.
//
//   auto bn = std::make_shared<hg::BatchNorm1d>(20);   // γ = 1, β = 0, running stats 0 and 1
//   hg::Var h = hg::relu((*bn)(hg::linear(x, w, b)));   // x: (N x in) -> (N x 20)
//
// γ (weight) and β (bias) are parameters. running_mean and running_var are buffers: saved
// with the model and loaded back, never trained. In training mode every forward pass moves
// them, gradients on or off (a NoGradGuard alone does not stop it: evaluate after eval(),
// or under hg::EvalGuard, which does both).
// The layer is a composite of autograd ops (mean, square, pow, ...): it has no backward
// code of its own. EXTENDING.md walks through it as the example of a layer with buffers.
#pragma once

#include <cstddef>
#include <string>

#include "nn/module.hpp"

namespace hg {

// >>> EXTENDING.md: batchnorm class
class BatchNorm1d : public Module {
public:
    // eps: added to the variance; momentum: the weight m of each batch in the running stats.
    explicit BatchNorm1d(std::size_t features, float eps = 1e-5f, float momentum = 0.1f);

    Var forward(const Var& x) override;
    std::string describe() const override;

    // The buffers, for reading: the registered tensors themselves (load() fills them).
    const Tensor& running_mean() const { return running_mean_.value(); }
    const Tensor& running_var() const { return running_var_.value(); }

private:
    std::size_t features_;
    float eps_, momentum_;
    Var weight_, bias_;               // γ and β: parameters
    Var running_mean_, running_var_;  // buffers: updated in place, never reassigned
};
// <<< EXTENDING.md: batchnorm class

}  // namespace hg
