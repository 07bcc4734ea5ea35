// KernelLinear: a linear layer whose weight is reparameterised by a LOCAL KERNEL (Han, Lim,
// Long, Burgstaller & Poon 2021, "GLocal-K: Global and Local Kernels for Recommender
// Systems", CIKM'21, §2.2). Every input i and every output j gets a learned point in a small
// space (u_i, v_j ∈ ℝᵈ, d = 5 in the paper); the kernel between them scales the weight:
//
//   K_ji = max(0, 1 − ‖v_j − u_i‖²)          (local_kernel: 1 when the points meet, 0 from distance 1 on)
//   y    = x·(W ⊙ K)ᵀ + b                    (W stored (out x in), as Linear stores it)
//
// A pair whose points drift apart has K = 0: its weight is switched off, so the layer learns
// which connections to keep (a sparse weight matrix, with a gradient). The penalty the paper
// adds is λ_s/2·‖K‖² + λ₂/2·‖W‖² (KernelLinear::penalty): the first pushes K towards 0,
// that is towards sparsity; the second is weight decay.
//
//   hg::Rng rng(0);
//   hg::KernelLinear layer(943, 500, rng);          // W (500x943), b (500), u (943x5), v (500x5)
//   hg::Var h = hg::sigmoid(layer(x));              // x: (N x 943)
//   hg::Var reg = layer.penalty(0.006f, 20.0f);
//
// Both functions below compose existing ops (matmul, sum, relu, ...), so the layer has no
// backward code of its own; tests/test_gradcheck.cpp checks them against central differences.
#pragma once

#include <cstddef>

#include "nn/module.hpp"
#include "tensor/rng.hpp"

namespace hg {

// K (n_v x n_u) for points u (n_u x d) and v (n_v x d): K_ji = max(0, 1 − ‖v_j − u_i‖²),
// with ‖v − u‖² = ‖v‖² + ‖u‖² − 2·v·u (one matrix product, no n_u·n_v·d tensor).
Var local_kernel(const Var& u, const Var& v);
// x·(W ⊙ local_kernel(u, v))ᵀ + b for x (N x in), W (out x in), b (out), u (in x d), v (out x d).
Var kernel_linear(const Var& x, const Var& weight, const Var& bias, const Var& u, const Var& v);

class KernelLinear : public Module {
public:
    // W: Xavier uniform (TensorFlow's default, which the paper's code uses); b: 0; u and v:
    // N(0, 0.001²), so K starts at ≈ 1 everywhere and the layer starts as a plain Linear.
    KernelLinear(std::size_t in, std::size_t out, Rng& rng, std::size_t dims = 5);

    Var forward(const Var& x) override;
    std::string describe() const override;
    Var kernel() const { return local_kernel(u_, v_); }  // K (out x in)
    // λ_s/2·‖K‖² + λ₂/2·‖W‖².
    Var penalty(float lambda_s, float lambda_2) const;

    std::size_t in_features() const { return in_; }
    std::size_t out_features() const { return out_; }
    Var weight() const { return weight_; }
    Var bias() const { return bias_; }

private:
    std::size_t in_, out_, dims_;
    Var weight_, bias_, u_, v_;
};

}  // namespace hg
