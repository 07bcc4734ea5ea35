// GLocal-K (Han, Lim, Long, Burgstaller & Poon 2021, "GLocal-K: Global and Local Kernels for
// Recommender Systems", CIKM'21): an item-based autoencoder (one row per movie, its ratings
// over the users, as I-AutoRec in models/autorec.hpp) trained in two stages.
//
//   local network   f(r) = K₃(σ(K₂(σ(K₁(r)))))      Kₗ: KernelLinear (nn/kernel_linear.hpp),
//                                                   500 hidden units, the last back to n_users
//   pre-training    r̂ = f(R)
//   global kernel   p = mean over users of f(R)     (one number per movie: n_items)
//                   k = p·G                          G (n_items x 9), learned: a 3x3 kernel
//   fine-tuning     r̂ = f(relu(R ∗ k))              ∗: the movies x users matrix convolved as one
//                                                   image, stride 1, zero padding 1 (same size)
//   loss            ½·Σ_observed (t − r̂)² + Σₗ (λ_s/2·‖Kₗ‖² + λ₂/2·‖Wₗ‖²)
//
// The global kernel summarises what the pre-trained network predicts for every movie into
// nine numbers, and smooths the rating matrix with them before the local network reads it.
// Both passes of f share their weights; fine-tuning trains f and G together, end to end.
// t is the rating, or its residual on a bias baseline (AutoRecInputs, residual = true).
//
//   hg::models::KernelRecommender model(n_items, n_users, {}, rng);
//   ... pre-train: loss = kernel_recommender_loss(model, R, target, observed), full batch ...
//   model.start_fine_tuning(R);
//   ... the same loss, now through the global kernel ...
#pragma once

#include <cstddef>
#include <memory>
#include <vector>

#include "models/autorec.hpp"
#include "nn/kernel_linear.hpp"
#include "nn/module.hpp"
#include "tensor/rng.hpp"

namespace hg::models {

struct KernelRecommenderSettings {
    std::size_t hidden = 500;     // units of each hidden kernel layer
    std::size_t layers = 2;       // hidden kernel layers
    std::size_t dims = 5;         // d, the dimension of the kernel's points
    float lambda_s = 0.006f;      // the kernel (sparsity) penalty
    float lambda_2 = 20.0f;       // the weight penalty
    std::size_t kernel_size = 3;  // the global kernel is kernel_size x kernel_size
    float dot_scale = 1.0f;       // k = dot_scale·p·G
    // Fine-tuning's first kernel: the paper's (G ~ N(0, 0.1²), so k is whatever p·G makes it),
    // or the identity (G set by start_fine_tuning so that k = the centre tap 1, the others 0:
    // fine-tuning starts from the pre-trained model's own predictions).
    bool identity_start = false;
};

// The global kernel (1 x 1 x s x s) from a prediction matrix (n_items x n_users) and G
// (n_items x s²): the mean of each row times G, times dot_scale.
Var global_kernel(const Var& prediction, const Var& g, float dot_scale);
// relu(R ∗ k): the matrix (rows x cols) convolved with k (1 x 1 x s x s, s odd), same size.
Var global_convolution(const Var& ratings, const Var& kernel);

class KernelRecommender : public Module {
public:
    KernelRecommender(std::size_t n_items, std::size_t n_users, const KernelRecommenderSettings& s, Rng& rng);
    // Pre-training: f(r). Fine-tuning: f(relu(r ∗ k)), k from f(r) (see above).
    Var forward(const Var& r) override;
    Var local(const Var& r);  // f(r)
    // From now on forward() goes through the global kernel. r: the input the model will be
    // trained on (used only with settings.identity_start, to set G).
    void start_fine_tuning(const Tensor& r);
    bool fine_tuning() const { return fine_tuning_; }
    // Σ over the kernel layers of λ_s/2·‖K‖² + λ₂/2·‖W‖².
    Var penalty() const;

    KernelRecommenderSettings settings;  // identity_start may change before start_fine_tuning
    std::vector<std::shared_ptr<KernelLinear>> layers;
    Var g;  // (n_items x kernel_size²)

private:
    bool fine_tuning_ = false;
};

// ½·Σ_observed (target − model(input))² + model.penalty().
Var kernel_recommender_loss(KernelRecommender& model, const Var& input, const Var& target, const Tensor& observed);

// The predicted ratings for every (movie, user), without a graph: baseline + output, clipped.
Tensor predict_table(KernelRecommender& model, const AutoRecInputs& in, float lo, float hi);

}  // namespace hg::models
