// The simple predictors every recommender must beat, and the error measure.
//
//   Split s = load_movielens_split(dir, "u1");
//   const float mu = global_mean(s.train.ratings);                          // ~3.53
//   const auto item_mean = item_means(s.train.ratings, s.train.n_items());  // per movie
//   double baseline = rmse(s.test.ratings, [&](std::uint32_t, std::uint32_t i) { return item_mean[i]; });
//   BiasModel bias = BiasModel::fit(s.train.ratings, s.train.n_users(), s.train.n_items());
//   double better = rmse(s.test.ratings, [&](std::uint32_t u, std::uint32_t i) { return bias.predict(u, i); });
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <vector>

#include "data/rating_set.hpp"

namespace hg::data {

// The mean of all ratings (0 for none).
float global_mean(const std::vector<Rating>& ratings);

// Each item's mean rating; an item without ratings gets the global mean.
std::vector<float> item_means(const std::vector<Rating>& ratings, std::size_t n_items);

// Baseline predictor r(u, i) = mu + b_u + b_i (Koren 2008, "Factorization meets the
// neighborhood", section 2.1): biases fitted by alternating regularised means,
//   b_i = sum_u (r - mu - b_u) / (lambda + n_i),   b_u = sum_i (r - mu - b_i) / (lambda + n_u).
struct BiasModel {
    float mu = 0.0f;
    std::vector<float> user_bias, item_bias;
    float predict(std::uint32_t user, std::uint32_t item) const;
    static BiasModel fit(const std::vector<Rating>& ratings, std::size_t n_users, std::size_t n_items,
                         float lambda = 5.0f, int sweeps = 10);
};

// Root mean squared error of predict(user, item) over the ratings (0 for none).
double rmse(const std::vector<Rating>& ratings, const std::function<float(std::uint32_t, std::uint32_t)>& predict);

}  // namespace hg::data
