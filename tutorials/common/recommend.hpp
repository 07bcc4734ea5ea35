// What the recommender tutorials (03, 14, 18) share: MovieLens' u1 split, or the built-in
// synthetic set when MovieLens is not around (saying so), the two measures of error, the
// recommendation table, and the tools of tutorial 18's ensemble (least-squares blend weights,
// the mean over random starts).
//
//   hg::tutorial::Ratings d = hg::tutorial::load_ratings(t);        // step 1 of both
//   ...train...
//   hg::tutorial::RecommendSettings who;
//   who.add_flags(t);                                                 // --user, --top, --min-ratings
//   hg::tutorial::recommend(t, d, who, [&](std::size_t u, std::size_t i) { return pred[u * n + i]; });
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "data/movies.hpp"
#include "data/rating_set.hpp"
#include "tensor/tensor.hpp"
#include "tutorials/common/tutorial.hpp"

namespace hg::tutorial {

struct Ratings {
    std::string name;  // "ml-100k" or "synthetic"
    hg::data::Split split;
    hg::data::MovieCatalog movies;
};

// <fold>.base / <fold>.test (u1 ... u5, ml-100k's five splits) and the titles, from --data,
// HG_DATA or data/ (--data builtin: the synthetic set, which has one split: a fold other
// than u1 is then a ValueError); says in the tutorial what it found and where. Folds r1 ...
// r5 are all 100,000 ratings of u1.base and u1.test re-split at random 80/20 (seed 1 ... 5):
// other test sets for a data folder that holds u1's files only.
Ratings load_ratings(Tutorial& t, const std::string& fold = "u1");

// Throws ValueError, naming the range of ids, unless user_id is a user of the training set.
// The tutorials call it before training, so a mistyped --user fails at once.
void require_user(const Ratings& d, std::int64_t user_id);

struct Scores {
    double course_metric = 0;  // the mean over test users of sqrt(SE_u / n_u): the course's measure
    double rmse = 0;           // over every rating
};

// Both measures of error of the prediction matrix pred (users x movies, by index) on
// `ratings`; clip: first clamp each prediction to [lo, hi] (the rating scale).
Scores score(const std::vector<hg::data::Rating>& ratings, const Tensor& pred, bool clip, float lo, float hi);

// The least-squares blend weights w, Σ_k w_k·parts[k][j] ≈ ratings[j].rating (each part: one
// model's predictions for `ratings`, in their order): the normal equations (PᵀP)·w = Pᵀr,
// solved by Gaussian elimination with partial pivoting. A ValueError when the parts are
// linearly dependent (a model twice, say), so that no weight is infinite.
std::vector<double> blend_weights(const std::vector<std::vector<float>>& parts, const std::vector<hg::data::Rating>& ratings);

// The mean of n prediction tables, the k-th from make(seed + k): one model trained from n
// random starts, as an ensemble.
Tensor mean_over_seeds(int n, std::uint64_t seed, const std::function<Tensor(std::uint64_t)>& make);

// Whom to recommend for, and how, and on which split: the flags the recommender tutorials share.
struct RecommendSettings {
    std::int64_t user = 1;         // --user: a user id of MovieLens
    std::size_t top = 10;          // --top: how many movies
    std::size_t min_ratings = 20;  // --min-ratings: a movie two people rated has a noisy prediction
    std::string fold = "u1";       // --fold: which split, u1 ... u5 or r1 ... r5 (load_ratings)
    void add_flags(Tutorial& t);
};

// The user's own favourites beside the top `s.top` movies they have not rated, by predicted
// rating, among movies with at least s.min_ratings training ratings. predict(u, i) is the
// prediction for user index u and movie index i. An unknown user id is a ValueError naming
// the range of ids.
void recommend(Tutorial& t, const Ratings& d, const RecommendSettings& s,
               const std::function<float(std::size_t user, std::size_t item)>& predict);

}  // namespace hg::tutorial
