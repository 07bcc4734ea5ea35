// Ratings as sequences: each user's ratings in the order they were made, and each movie's
// genres as numbers. The sequence autoencoder (tutorial 17) reads users this way.
//
//   Split s = load_movielens_split("data/ml-100k", "u1");
//   std::vector<Rating> all = s.train.ratings;                       // u1.base + u1.test:
//   all.insert(all.end(), s.test.ratings.begin(), s.test.ratings.end());  // all of u.data
//   auto histories = user_histories(all, s.train.n_users());         // histories[u]: by time
//   Tensor mix = genre_mix(load_movies("data/ml-100k"), s.train.items);  // (items x 19)
//   mix.at({item, g});   // 1/3 for each genre of a movie with three, 0 for the rest
#pragma once

#include <cstddef>
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

}  // namespace hg::data
