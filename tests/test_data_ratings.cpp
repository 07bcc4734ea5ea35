// The sparse ratings matrix (CSR by user and by item, dense batches), mini-batches of
// row indices, and the baseline predictors.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <set>

#include "data/baselines.hpp"
#include "data/batching.hpp"
#include "data/histories.hpp"
#include "data/movies.hpp"
#include "data/ratings.hpp"

using namespace hg::data;
using hg::Tensor;

namespace {
// The header's example:  [ 5  .  3 ]
//                        [ .  4  . ]   (given out of order on purpose)
std::vector<Rating> small() { return {{0, 2, 3.0f, 0}, {1, 1, 4.0f, 0}, {0, 0, 5.0f, 0}}; }
}  // namespace

TEST_CASE("ratings: CSR by user and by item, rows sorted") {
    const RatingMatrix m = RatingMatrix::from(small(), 2, 3);
    CHECK(m.n_users() == 2);
    CHECK(m.n_items() == 3);
    CHECK(m.nnz() == 3);
    CHECK(m.density() == doctest::Approx(0.5));
    CHECK(m.by_user().offsets == std::vector<std::size_t>{0, 2, 3});
    CHECK(m.by_user().index == std::vector<std::uint32_t>{0, 2, 1});
    CHECK(m.by_user().value == std::vector<float>{5, 3, 4});
    // items x users: item 0 <- user 0 (5); item 1 <- user 1 (4); item 2 <- user 0 (3)
    CHECK(m.by_item().offsets == std::vector<std::size_t>{0, 1, 2, 3});
    CHECK(m.by_item().index == std::vector<std::uint32_t>{0, 1, 0});
    CHECK(m.by_item().value == std::vector<float>{5, 4, 3});
    std::vector<std::pair<std::uint32_t, float>> row;
    for (auto [item, r] : m.by_user().row(0)) row.emplace_back(item, r);
    CHECK(row == std::vector<std::pair<std::uint32_t, float>>{{0, 5.0f}, {2, 3.0f}});
    CHECK_THROWS_AS(m.by_user().row(2), hg::IndexError);
}

TEST_CASE("ratings: dense rows, observed masks, item rows and the whole matrix") {
    const RatingMatrix m = RatingMatrix::from(small(), 2, 3);
    CHECK(hg::allclose(m.dense_rows({1, 0, 1}), Tensor::from({3, 3}, {0, 4, 0, 5, 0, 3, 0, 4, 0})));
    CHECK(hg::allclose(m.observed_rows({0}), Tensor::from({1, 3}, {1, 0, 1})));
    CHECK(hg::allclose(m.dense_item_rows({2, 0}), Tensor::from({2, 2}, {3, 0, 5, 0})));
    CHECK(hg::allclose(m.observed_item_rows({1}), Tensor::from({1, 2}, {0, 1})));
    CHECK(hg::allclose(m.dense(), Tensor::from({2, 3}, {5, 0, 3, 0, 4, 0})));
    CHECK(hg::allclose(m.observed(), Tensor::from({2, 3}, {1, 0, 1, 0, 1, 0})));
    CHECK(hg::allclose(m.dense().transpose(), m.dense_item_rows({0, 1, 2})));
    CHECK(m.dense_rows({}).shape() == hg::Shape{0, 3});
}

TEST_CASE("ratings: bad indices, duplicate pairs and oversized dense matrices are refused") {
    CHECK_THROWS_WITH_AS(RatingMatrix::from(small(), 2, 2),
                         "RatingMatrix::from: rating 0 (user 0, item 2) is outside a matrix of 2 users x 2 items",
                         hg::IndexError);
    CHECK_THROWS_WITH_AS(RatingMatrix::from({{1, 0, 3, 0}, {1, 0, 4, 0}}, 2, 2),
                         "RatingMatrix::from: user 1 rates item 0 twice (the matrix holds one rating per pair; "
                         "deduplicate the ratings first)",
                         hg::ValueError);
    const RatingMatrix m = RatingMatrix::from(small(), 2, 3);
    CHECK_THROWS_WITH_AS(m.dense_rows({0, 2}), "RatingMatrix::dense_rows: user index 2 is out of range (2 users)",
                         hg::IndexError);
    CHECK_THROWS_AS(m.dense_item_rows({3}), hg::IndexError);
    // ml-25m-sized: sparse is fine, dense is refused with a hint.
    const RatingMatrix big = RatingMatrix::from({{162000, 59000, 4, 0}}, 162541, 59047);
    CHECK(big.nnz() == 1);
    CHECK(big.dense_rows({162000}).at({0, 59000}) == 4.0f);
    CHECK_THROWS_WITH_AS(big.dense(),
                         "RatingMatrix::dense: 162541 x 59047 cells is too big to hold densely (limit 2^28 = 1 GiB of "
                         "floats); take batches with dense_rows(users) instead",
                         hg::ValueError);
}

TEST_CASE("batching: every row once per epoch, seeded, reshuffled each epoch") {
    hg::Rng rng(3);
    BatchSampler s(10, 4, rng);
    CHECK(s.batches_per_epoch() == 3);
    const auto e1 = s.epoch();
    REQUIRE(e1.size() == 3);
    CHECK(e1[0].size() == 4);
    CHECK(e1[2].size() == 2);  // the last batch is smaller
    std::vector<std::size_t> all;
    for (const auto& b : e1) all.insert(all.end(), b.begin(), b.end());
    std::vector<std::size_t> sorted = all;
    std::sort(sorted.begin(), sorted.end());
    CHECK(sorted == std::vector<std::size_t>{0, 1, 2, 3, 4, 5, 6, 7, 8, 9});
    std::vector<std::size_t> identity = sorted;
    CHECK(all != identity);  // shuffled
    const auto e2 = s.epoch();
    CHECK(e2 != e1);  // a new order each epoch

    hg::Rng same(3);
    BatchSampler again(10, 4, same);
    CHECK(again.epoch() == e1);  // same seed, same batches

    hg::Rng r2(1);
    BatchSampler plain(5, 2, r2, /*shuffle=*/false, /*drop_last=*/true);
    CHECK(plain.epoch() == std::vector<std::vector<std::size_t>>{{0, 1}, {2, 3}});
    CHECK_THROWS_AS(BatchSampler(5, 0, r2), hg::ValueError);
    CHECK_THROWS_AS(BatchSampler(5, 6, r2, true, true), hg::ValueError);
    CHECK(BatchSampler(0, 4, r2).epoch().empty());
}

TEST_CASE("baselines: global mean, item means, biases and RMSE by hand") {
    // user 0 rates item 0: 5, item 1: 3; user 1 rates item 0: 4.
    const std::vector<Rating> r = {{0, 0, 5, 0}, {0, 1, 3, 0}, {1, 0, 4, 0}};
    CHECK(global_mean(r) == doctest::Approx(4.0));
    CHECK(item_means(r, 3) == std::vector<float>{4.5f, 3.0f, 4.0f});  // item 2 unrated: the global mean
    CHECK(rmse(r, [](std::uint32_t, std::uint32_t) { return 4.0f; }) == doctest::Approx(std::sqrt(2.0 / 3.0)));
    // One sweep, lambda = 1: b_i = sum(r - mu) / (1 + n_i): item 0: (1 + 0) / 3, item 1: -1 / 2;
    // then b_u = sum(r - mu - b_i) / (1 + n_u): user 0: (1 - 1/3 + (-1 + 1/2)) / 3 = 1/18.
    const BiasModel m = BiasModel::fit(r, 2, 3, 1.0f, 1);
    CHECK(m.mu == doctest::Approx(4.0));
    CHECK(m.item_bias[0] == doctest::Approx(1.0 / 3.0));
    CHECK(m.item_bias[1] == doctest::Approx(-0.5));
    CHECK(m.item_bias[2] == 0.0f);
    CHECK(m.user_bias[0] == doctest::Approx(1.0 / 18.0));
    CHECK(m.predict(0, 1) == doctest::Approx(4.0 + 1.0 / 18.0 - 0.5));
}

TEST_CASE("histories: each user's ratings by time, ties in their given order; genres as a mix") {
    const std::vector<Rating> ratings = {{1, 0, 4.0f, 300}, {0, 1, 2.0f, 200}, {0, 2, 5.0f, 100}, {0, 0, 3.0f, 200}};
    const auto h = user_histories(ratings, 3);
    REQUIRE(h.size() == 3);
    REQUIRE(h[0].size() == 3);
    CHECK(h[0][0].item == 2);  // t = 100
    CHECK(h[0][1].item == 1);  // t = 200, given first
    CHECK(h[0][2].item == 0);  // t = 200, given second
    CHECK(h[1].size() == 1);
    CHECK(h[2].empty());
    CHECK_THROWS_WITH_AS(user_histories(ratings, 1), doctest::Contains("user index 1 but only 1 users"), hg::IndexError);

    const MovieCatalog movies({{7, "A (1990)", 1990, {"Action", "Comedy"}}, {9, "B (1991)", 1991, {"IMAX"}},
                               {8, "C (1992)", 1992, {"Drama", "IMAX"}}},
                              "test");
    const Tensor mix = genre_mix(movies, hg::data::IdMap({7, 8, 9, 10}));  // 10: not in the catalogue
    REQUIRE(mix.shape() == hg::Shape{4, 19});
    CHECK(mix.at({0, 1}) == 0.5f);  // Action
    CHECK(mix.at({0, 5}) == 0.5f);  // Comedy
    CHECK(mix.at({1, 8}) == 1.0f);  // Drama: the only genre of ml-100k's 19
    for (std::size_t g = 0; g < 19; ++g) CHECK(mix.at({2, g}) == 0.0f);
    for (std::size_t g = 0; g < 19; ++g) CHECK(mix.at({3, g}) == 0.0f);
    CHECK(hg::sum(mix).item() == doctest::Approx(2.0));

    // Windows of 2 steps: user 0 has 3 ratings (one window, the tail left out), user 1 one (none).
    const Tensor small_mix = Tensor::from({3, 2}, {1, 0, 0, 1, 0.5f, 0.5f});
    const Tensor x = rating_windows(h, {1, 0}, small_mix, 2, 10);
    REQUIRE(x.shape() == hg::Shape{1, 6});
    CHECK(x.to_vector() == std::vector<float>{1.0f, 0.5f, 0.5f, -0.5f, 0.0f, 1.0f});  // 5 stars item 2, 2 stars item 1
    CHECK(rating_windows(h, {0, 0, 0}, small_mix, 1, 4).rows() == 4);  // at most max_windows
    CHECK_THROWS_AS(rating_windows(h, {3}, small_mix, 2, 10), hg::IndexError);

    // The users split: every user once, seeded, 80/20.
    const auto [fit, held_out] = split_users(10, 0.2, 3);
    CHECK(fit.size() == 8);
    CHECK(held_out.size() == 2);
    std::set<std::size_t> seen(fit.begin(), fit.end());
    seen.insert(held_out.begin(), held_out.end());
    CHECK(seen.size() == 10);
    CHECK(split_users(10, 0.2, 3).first == fit);
    CHECK(split_users(10, 0.2, 4).first != fit);
    CHECK_THROWS_AS(split_users(10, 1.5, 3), hg::ValueError);
}
