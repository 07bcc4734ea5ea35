// AutoRec (Sedhain, Menon, Sanner & Xie 2015, "AutoRec: Autoencoders Meet Collaborative
// Filtering", WWW'15 Companion): an autoencoder over one movie's ratings (item-based,
// I-AutoRec: rows of n_users) or one user's (user-based, U-AutoRec: rows of n_items).
// Tutorial 14 trains both; bench/pytorch/autorec.py is the item-based one in PyTorch.
//
//   h(r) = V·σ(W·r̃ + b) + c        r̃ = r with a fraction `noise` of its ratings hidden
//                                   (training mode only; 0: none)
//   loss = Σ_observed (target − h(r))²  +  λ/2·(‖W‖² + ‖V‖²)      (autorec_loss)
//
// The paper trains full batch with Rprop (autorec_rprop) or L-BFGS: one step per epoch.
//
//   hg::models::AutoRec model(n_users, 500, 0.0f, rng);
//   hg::Rprop opt(model.parameters(), hg::models::autorec_rprop());
//   opt.zero_grad(); hg::models::autorec_loss(model, input, target, observed, 200).backward(); opt.step();
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "data/rating_set.hpp"
#include "nn/dropout.hpp"
#include "nn/linear.hpp"
#include "nn/module.hpp"
#include "nn/rprop.hpp"
#include "tensor/rng.hpp"

namespace hg::models {

class AutoRec : public Module {
public:
    // n_in: the length of a row (n_users for I-AutoRec, n_items for U-AutoRec).
    AutoRec(std::size_t n_in, std::size_t hidden, float noise, Rng& rng);
    Var forward(const Var& r) override;
    // ‖W‖² + ‖V‖²: the weights only, as in the paper.
    Var weight_norm2() const;

    std::shared_ptr<Linear> encoder, decoder;
    std::shared_ptr<MaskingNoise> noise_layer;
};

// The paper's objective: the squared error SUMMED over the observed entries (the output
// against the clean target, also where the noise hid the input) + λ/2·(‖W‖² + ‖V‖²).
Var autorec_loss(AutoRec& model, const Var& input, const Var& target, const Tensor& observed, float lambda);

// Rprop with PyTorch's default initial step (0.01).
RpropOptions autorec_rprop();

// What an AutoRec is trained on, from one set of ratings: the input matrix (one row per
// movie for I-AutoRec, one per user for U-AutoRec), the mask of its observed entries, the
// target (the ratings, or their residuals on the bias baseline b(u, i) = μ + b_u + b_i), and
// the fallback predictions for what no network can know (a movie nobody rated: the user's
// mean; a user who rated nothing: the movie's mean; both: the global mean).
struct AutoRecInputs {
    bool item_rows = true;         // rows are movies (I-AutoRec) or users (U-AutoRec)
    bool residual = false;         // the target is r − b(u, i), not r
    Tensor ratings, observed;      // the input and its mask (rows x cols)
    Tensor baseline, target;       // b(u, i) (0 when not residual) and (r − baseline)·mask
    std::vector<float> item_mean;  // per movie (the global mean when it has no rating)
    std::vector<float> user_mean;  // per user  (the global mean when they have none)
    std::vector<bool> item_known, user_known;
    float global_mean = 0;

    static AutoRecInputs from(const std::vector<data::Rating>& ratings, std::size_t n_users, std::size_t n_items,
                              bool item_rows, bool residual);
    // The network's output turned into ratings: baseline + output, clipped to [lo, hi], as
    // a movies x users table whichever way round the network was.
    Tensor table(const Tensor& out, float lo, float hi) const;
    // The prediction for (user, item) from a movies x users table, or the fallback when the
    // movie or the user has no training rating.
    float predict(const Tensor& table, std::uint32_t user, std::uint32_t item) const;
    // The RMSE of those predictions on `ratings`.
    double rmse(const std::vector<data::Rating>& ratings, const Tensor& table) const;
};

// The model's predicted ratings for every (movie, user), without a graph (noise off).
Tensor predict_table(AutoRec& model, const AutoRecInputs& in, float lo, float hi);

}  // namespace hg::models
