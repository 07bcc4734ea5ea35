// Built-in data: everything in hourglass runs with no download.
//
// 1. course_matrix() — the course's small users x movies example: 11 users, 6 movies,
//    each cell "liked", "disliked" or blank (not seen). The numbers are ILLUSTRATIVE,
//    made up here in the spirit of the course's slide (two groups of movies, users who
//    mostly like one group, some blanks to predict); the titles are invented. Three
//    encodings of the same cells, because the course uses more than one:
//
//      likes     1 liked, 0 disliked, 0 at blanks too — read it together with `observed`
//      observed  1 where the user rated the movie, 0 at blanks: the mask of a masked loss
//      values    +1 liked, -1 disliked, 0 blank — 0 means exactly "not rated" (tutorial 02)
//      rbm()     1 liked, 0 disliked, -1 blank — the course's restricted Boltzmann machine
//
//    and ratings() gives the rated cells as a RatingSet (rating 1 = liked, 0 = disliked).
//
// 2. synthetic_movielens() — a deterministic "MovieLens-shaped" rating set (600 users x
//    400 items by default) for the recommender tutorials when ml-100k is not around:
//
//      SyntheticMovieLens syn = synthetic_movielens();      // seed 7
//      Split s = syn.split();                               // the canonical 80/20 split
//      syn.movies.title(s.train.items.raw(0));              // "The Silent Harbor (1987)"
//
//    How it is made (all with hg::Rng, so a seed gives the same set everywhere):
//      preference s(u,i) = b_u + b_i + p_u . q_i       rank-5 factors; item factors follow
//                                                      the item's genres, so tastes are genres
//      rating r(u,i)     = 1 + #{k : s(u,i) + noise > t_k}   noise ~ N(0, 0.6^2)
//    with thresholds t_1..t_4 set so that the ratings come out like ml-100k's (~6% ones, 11%
//    twos, 27% threes, 34% fours, 21% fives). Which cells are rated follows a popularity
//    skew (item weights are log-normal, popular items also score a little higher) and a
//    user activity skew (at least 8 ratings each), about 6% of the matrix like ml-100k.
//    `expected` holds E[r(u,i)] for every cell — the best any model can predict — so a
//    tutorial can say how far from perfect it is.
//
// 3. waves() — sequences to see (tutorial 17): each a sine plus a saw-tooth wave,
//
//      x_t = 0.7 sin(2π f₁ t/T + φ₁) + saw(f₂ t/T + φ₂),   saw(u) = u − ⌊u + ½⌋ ∈ [−½, ½)
//
//    with frequencies f₁, f₂ drawn from 0.5 to 3 cycles per sequence and phases φ₁ ∈ [0, 2π),
//    φ₂ ∈ [0, 1). `band` says which third of that range the sine's frequency is in (0 slow,
//    1 middle, 2 fast), to colour a plot by.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "data/movies.hpp"
#include "data/rating_set.hpp"
#include "tensor/rng.hpp"
#include "tensor/tensor.hpp"

namespace hg::data {

struct CourseMatrix {
    std::vector<std::string> users;   // "user 1" .. "user 11"
    std::vector<std::string> movies;  // six invented titles
    Tensor likes;                     // (11 x 6) 1 liked, 0 disliked or blank
    Tensor observed;                  // (11 x 6) 1 rated, 0 blank
    Tensor values;                    // (11 x 6) +1 liked, -1 disliked, 0 blank
    Tensor rbm() const;               // (11 x 6) 1 liked, 0 disliked, -1 blank
    RatingSet ratings() const;        // the rated cells; scale 0..1 (1 = liked)
};
CourseMatrix course_matrix();

struct SyntheticMovieLens {
    RatingSet ratings;     // raw ids 1..n_users and 1..n_items; whole stars 1..5
    MovieCatalog movies;   // invented titles with years and genres
    Tensor expected;       // (n_users x n_items): E[rating] of every cell under the model
    std::uint64_t seed = 0;
    // The canonical train/test split: random_split(ratings, 0.2, seed).
    Split split() const;
};
SyntheticMovieLens synthetic_movielens(std::uint64_t seed = 7, std::size_t n_users = 600, std::size_t n_items = 400);

struct Waves {
    Tensor x;               // (n x steps): one sequence per row
    std::vector<int> band;  // (n): the sine's frequency band, 0..2
};
Waves waves(std::size_t n, std::size_t steps, Rng& rng);

}  // namespace hg::data
