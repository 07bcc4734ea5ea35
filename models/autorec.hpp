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
#include <memory>

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

}  // namespace hg::models
