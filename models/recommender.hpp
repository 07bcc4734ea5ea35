// The corrected recommender of tutorial 03: a denoising autoencoder over each user's ratings
// that learns only what a bias baseline leaves. Its PyTorch twin is the ResidualAutoencoder of
// bench/pytorch/recommender.py.
//
// It predicts rating(u, i) = baseline(u, i) + residual(u, i). The baseline mu + b_u + b_i
// (each user's and movie's offset from the mean; Koren 2008, data/baselines.hpp), fitted
// once and saved with the model as buffers, explains the easy part; the network learns what
// is left, the user's taste, from the residuals of the movies the user rated:
//
//   input dropout -> Linear(n_items, hidden) -> sigmoid -> Linear(hidden, n_items)
//
// Input dropout hides a random 70% of a user's known ratings during training while the loss
// still counts all of them: the network learns to predict ratings it cannot see, which is its
// job at recommendation time (a denoising autoencoder, Vincent et al. 2008).
//
//   hg::models::ResidualAutoencoder model(n_users, n_items, hg::models::RecommenderSettings{}, rng);
//   model.set_baseline(hg::data::BiasModel::fit(train_ratings, n_users, n_items));
//   hg::Adam opt(model.parameters(), hg::AdamOptions(settings.lr));
//   loss = hg::masked_mse(model(residual), residual, rated, hg::MaskedMseOptions().mean_corrector(true));
#pragma once

#include <cstddef>
#include <memory>
#include <vector>

#include "data/baselines.hpp"
#include "data/ratings.hpp"
#include "nn/module.hpp"
#include "nn/sequential.hpp"
#include "tensor/rng.hpp"

namespace hg::models {

// The recipe tutorial 03 trains it with: mini-batches of users, Adam, early stopping on a
// validation split (at most max_epochs, stop after `patience` epochs without improvement).
struct RecommenderSettings {
    std::size_t hidden = 200;
    float dropout = 0.7f;
    float lr = 1e-3f;
    std::size_t batch = 32;
    int max_epochs = 60;
    int patience = 5;
};

class ResidualAutoencoder : public Module {
public:
    ResidualAutoencoder(std::size_t n_users, std::size_t n_items, const RecommenderSettings& s, Rng& rng);

    void set_baseline(const data::BiasModel& b);
    // The baseline of a batch of users, (users x n_items).
    Tensor baseline(const std::vector<std::size_t>& users) const;
    // The residuals the network learns from: (rating − baseline) where rated, 0 elsewhere.
    Tensor residuals(const data::RatingMatrix& ratings, const std::vector<std::size_t>& users) const;
    // Predicted ratings of a batch of users, (users x n_items), from their rows of `ratings`:
    // baseline + the network's output on the residuals. No graph; call eval() first.
    Tensor predict(const data::RatingMatrix& ratings, const std::vector<std::size_t>& users);

    Var forward(const Var& residuals) override { return (*net)(residuals); }

    Var mu, user_bias, item_bias;
    std::shared_ptr<Sequential> net;
};

}  // namespace hg::models
