// Losses and penalties: differentiable functions of Vars that return a scalar Var, so
// they go straight into backward() and into the gradient-check table.
//
//   hg::Var y = (*model)(x);
//   hg::Var loss = hg::mse(y, x) + 1e-3f * hg::kl_sparsity(h, 0.05f);
//   loss.backward();
//
// Shapes must match exactly (no broadcasting: a (N) vs (N x 1) mix-up would silently
// compare every pair). Activations h are batches: (N x H), one example per row.
//
// Reconstruction losses (a mean over all entries unless said otherwise):
//   mse              (1/n) Σ (p − t)²
//   masked_mse       only where mask = 1 (rated movies): Σ m(p − t)² / n, or with the
//                    course's "mean corrector" Σ m(p − t)² / Σ m
//   bce              −(1/n) Σ [t log p + (1 − t) log(1 − p)]           p in [0, 1]
//   bce_with_logits  the same with p = σ(x), computed stably from the logits x
// Classification:
//   cross_entropy    −(1/N) Σ_n log softmax(x_n)[y_n]                  logits x (N x C), labels y_n
// Penalties (add λ · penalty to the loss):
//   l1_activity      (1/N) Σ_n Σ_j |h_nj|                              sparse codes
//   kl_sparsity      Σ_j KL(ρ || ρ̂_j),  ρ̂_j = (1/N) Σ_n h_nj            sparse autoencoder
//   contractive      (1/N) Σ_n ||J_f(x_n)||²_F for h = σ(x·Wᵀ + b)       contractive AE
//   vae_kl           −½ Σ (1 + log σ² − μ² − σ²)                       VAE, KL(q(z|x) || N(0, I))
// and the VAE's sampling step, z = μ + σ ⊙ ε (reparameterise).
#pragma once

#include <vector>

#include "autograd/var.hpp"
#include "tensor/rng.hpp"

namespace hg {

// Mean squared error (1/n) Σ (pred − target)².
Var mse(const Var& pred, const Var& target);

class MaskedMseOptions {
public:
    // false (default): Σ m(p − t)² / n, n = every entry. This is the loss the course trains
    //   with: unobserved outputs are set equal to their target, so they add 0, but they
    //   still count in the mean (PyTorch's nn.MSELoss on the whole row).
    // true: multiply by the course's mean corrector n / Σ m, giving Σ m(p − t)² / Σ m, the
    //   mean over observed entries only (its square root is the RMSE on rated movies).
    //   A batch with nothing observed gives 0.
    MaskedMseOptions& mean_corrector(bool on) { mean_corrector_ = on; return *this; }
    bool mean_corrector() const { return mean_corrector_; }

private:
    bool mean_corrector_ = false;
};

// Squared error only where mask is 1 (mask: 0/1, the shape of pred; 1 = observed).
Var masked_mse(const Var& pred, const Var& target, const Tensor& mask, const MaskedMseOptions& options = {});

// Binary cross-entropy of probabilities p ∈ [0, 1] against targets t ∈ [0, 1]; like
// PyTorch's BCELoss each log is clamped at −100, so p = 0 or 1 gives a finite loss.
Var bce(const Var& p, const Var& target);

// Binary cross-entropy of σ(x) from logits x, without forming σ(x):
//   ℓ = max(x, 0) − x·t + log(1 + e^−|x|)   (never overflows, exact for large |x|)
Var bce_with_logits(const Var& logits, const Var& target);

// Cross-entropy of class labels under softmax(logits): −(1/N) Σ_n log softmax(x_n)[y_n],
// for logits (N x C), one row per example, and N labels in 0 .. C−1 (PyTorch's
// nn.CrossEntropyLoss). Built from log_softmax (stable for large logits) and a one-hot
// mask, so its gradient is softmax(x) − onehot(y), divided by N.
Var cross_entropy(const Var& logits, const std::vector<int>& labels);

// L1 activity penalty (1/N) Σ |h| for activations h (N x H).
Var l1_activity(const Var& h);

// KL sparsity penalty Σ_j [ρ log(ρ/ρ̂_j) + (1 − ρ) log((1 − ρ)/(1 − ρ̂_j))] for activations
// h (N x H) in [0, 1] (sigmoid units) and a target mean activation 0 < ρ < 1. ρ̂_j is
// kept inside [1e-6, 1 − 1e-6] so a dead or saturated unit gives a large, finite penalty.
Var kl_sparsity(const Var& h, float rho);

// Contractive penalty for a sigmoid encoder h = σ(x·Wᵀ + b), W (H x D) stored like
// Linear's weight: ||J||²_F = Σ_j (h_j(1 − h_j))² Σ_i W_ji², averaged over the batch.
// (J_ji = ∂h_j/∂x_i = h_j(1 − h_j) W_ji, so each row j of J is W's row j scaled.)
Var contractive_penalty(const Var& h, const Var& W);

// The VAE's KL term −½ Σ (1 + logvar − μ² − e^logvar), summed over every entry (latent
// dimensions and batch). Divide by the batch size for a per-example value.
Var vae_kl(const Var& mu, const Var& logvar);

// z = μ + e^(logvar/2) ⊙ ε, ε ~ N(0, I) drawn from rng: a sample of N(μ, σ²) through
// which gradients reach μ and logvar.
Var reparameterise(const Var& mu, const Var& logvar, Rng& rng);

}  // namespace hg
