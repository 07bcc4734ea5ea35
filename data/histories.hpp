// Ratings as sequences: each user's ratings in the order they were made, each movie's genres
// as numbers, and the two together cut into windows of equal length: the sequences the
// sequence autoencoder (tutorial 17) reads.
//
//   Split s = load_movielens_split("data/ml-100k", "u1");
//   std::vector<Rating> all = s.train.ratings;                       // u1.base + u1.test:
//   all.insert(all.end(), s.test.ratings.begin(), s.test.ratings.end());  // all of u.data
//   auto histories = user_histories(all, s.train.n_users());         // histories[u]: by time
//   Tensor mix = genre_mix(load_movies("data/ml-100k"), s.train.items);  // (items x 19)
//   mix.at({item, g});   // 1/3 for each genre of a movie with three, 0 for the rest
//   auto [fit, held_out] = split_users(histories.size(), 0.2, seed);  // 80% / 20% of the users
//   Tensor x = rating_windows(histories, fit, mix, 10, 100000);     // (windows x 10·20)
#pragma once

#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

#include "data/movies.hpp"
#include "data/rating_set.hpp"
#include "tensor/tensor.hpp"

namespace hg::data {

// histories[u] holds user u's ratings (u a dense index < n_users), sorted by timestamp;
// ratings made in the same second keep their order in `ratings`.
std::vector<std::vector<Rating>> user_histories(const std::vector<Rating>& ratings, std::size_t n_users);

// (items.size() x 19): row i spreads 1 over the genres of item i among ml-100k's 19
// (movielens_100k_genres(), in that order), 1/k on each of its k genres. A movie missing
// from the catalogue, or without one of those genres (ml-latest's "IMAX", "(no genres
// listed)"), gets a row of zeros.
Tensor genre_mix(const MovieCatalog& movies, const IdMap& items);

// The users 0..n−1 in an order drawn with `seed`, cut in two: the first 1 − held_out of
// them (rounded down), and the rest.
std::pair<std::vector<std::size_t>, std::vector<std::size_t>> split_users(std::size_t n, double held_out,
                                                                          std::uint64_t seed);

// Windows of `steps` consecutive ratings of each user in `users`, in that order: each history
// cut from its first rating into windows that do not overlap (a tail shorter than a window
// is left out), at most max_windows in all. One window per row, its steps side by side; a
// step is 1 + mix.cols() numbers: (stars − 3)/2 (−1..1 on a 1..5 scale), then the rated
// movie's row of mix.
Tensor rating_windows(const std::vector<std::vector<Rating>>& histories, const std::vector<std::size_t>& users,
                      const Tensor& mix, std::size_t steps, std::size_t max_windows);

}  // namespace hg::data
