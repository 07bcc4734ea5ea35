// The built-in data: the course's like/dislike example and the synthetic MovieLens-shaped
// set, whose whole point is that models can be told apart on it.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "data/baselines.hpp"
#include "data/builtin.hpp"
#include "data/ratings.hpp"

using namespace hg::data;
using hg::Tensor;

TEST_CASE("builtin: the course's 11 users x 6 movies, its encodings agree") {
    const CourseMatrix c = course_matrix();
    CHECK(c.users.size() == 11);
    CHECK(c.movies.size() == 6);
    CHECK(c.likes.shape() == hg::Shape{11, 6});
    const float rated = hg::sum(c.observed).item();
    CHECK(rated > 0.0f);
    CHECK(rated < 66.0f);  // there are blanks
    for (std::size_t k = 0; k < c.likes.numel(); ++k) {
        const bool seen = c.observed[k] == 1.0f;
        CHECK((c.observed[k] == 0.0f || seen));
        if (seen) {
            CHECK(c.values[k] == 2.0f * c.likes[k] - 1.0f);  // +1 liked, -1 disliked
            CHECK(c.rbm()[k] == c.likes[k]);                 // 1 liked, 0 disliked
        } else {
            CHECK(c.likes[k] == 0.0f);
            CHECK(c.values[k] == 0.0f);  // 0 = not rated
            CHECK(c.rbm()[k] == -1.0f);  // -1 = not rated
        }
    }
    const RatingSet set = c.ratings();
    CHECK(set.size() == static_cast<std::size_t>(rated));
    CHECK(set.n_users() == 11);
    CHECK(set.n_items() == 6);
    CHECK(hg::allclose(RatingMatrix::from(set).dense(), c.likes));
    CHECK(hg::allclose(RatingMatrix::from(set).observed(), c.observed));
    // Both answers occur, and every movie has ratings.
    CHECK(hg::sum(c.likes).item() > 0.0f);
    CHECK(hg::sum(c.likes).item() < rated);
    const Tensor per_movie = hg::sum(c.observed, 0);
    for (std::size_t m = 0; m < 6; ++m) CHECK(per_movie[m] > 0.0f);
}

TEST_CASE("builtin: the synthetic set is deterministic and shaped like ml-100k") {
    const SyntheticMovieLens a = synthetic_movielens(7), b = synthetic_movielens(7), c = synthetic_movielens(8);
    REQUIRE(a.ratings.size() == b.ratings.size());
    bool same = true;
    for (std::size_t k = 0; k < a.ratings.size(); ++k)
        same = same && a.ratings.ratings[k].user == b.ratings.ratings[k].user &&
               a.ratings.ratings[k].item == b.ratings.ratings[k].item &&
               a.ratings.ratings[k].rating == b.ratings.ratings[k].rating;
    CHECK(same);
    CHECK(a.movies.movies()[0].title == b.movies.movies()[0].title);
    CHECK((a.ratings.size() != c.ratings.size() || a.movies.movies()[0].title != c.movies.movies()[0].title));

    const RatingSet& s = a.ratings;
    CHECK(s.n_users() == 600);
    CHECK(s.n_items() == 400);
    CHECK(s.density() > 0.045);  // ml-100k: 6.3%
    CHECK(s.density() < 0.08);
    // Star shares close to ml-100k's 6 / 11 / 27 / 34 / 21 %.
    std::map<float, double> share;
    for (const Rating& r : s.ratings) share[r.rating] += 1.0 / static_cast<double>(s.size());
    REQUIRE(share.size() == 5);
    const double target[5] = {0.06, 0.11, 0.27, 0.34, 0.21};
    for (int star = 1; star <= 5; ++star) CHECK(share[static_cast<float>(star)] == doctest::Approx(target[star - 1]).epsilon(0.1));
    // Every user has ratings (at least 8); popularity is skewed: the top 10% of items hold
    // well over 10% of the ratings.
    const RatingMatrix m = RatingMatrix::from(s);
    std::vector<std::size_t> per_item;
    for (std::size_t u = 0; u < m.n_users(); ++u) CHECK(m.by_user().row(u).size() >= 8);
    for (std::size_t i = 0; i < m.n_items(); ++i) per_item.push_back(m.by_item().row(i).size());
    std::sort(per_item.rbegin(), per_item.rend());
    std::size_t top = 0;
    for (std::size_t i = 0; i < 40; ++i) top += per_item[i];
    CHECK(static_cast<double>(top) > 0.3 * static_cast<double>(s.size()));
    // Titles: invented, distinct, with years and genres.
    std::set<std::string> titles;
    for (const Movie& mv : a.movies.movies()) {
        titles.insert(mv.title);
        CHECK(year_from_title(mv.title) == mv.year);
        CHECK_FALSE(mv.genres.empty());
    }
    CHECK(titles.size() == 400);
    CHECK(a.movies.title(s.items.raw(0)) == a.movies.movies()[0].title);
}

TEST_CASE("builtin: on the synthetic set, better models score better (the tutorials rely on it)") {
    for (std::uint64_t seed : {7u, 1u, 2u}) {
        CAPTURE(seed);
        const SyntheticMovieLens syn = synthetic_movielens(seed);
        const Split s = syn.split();
        CHECK(s.test.size() == static_cast<std::size_t>(std::llround(0.2 * static_cast<double>(syn.ratings.size()))));
        const float mu = global_mean(s.train.ratings);
        const auto im = item_means(s.train.ratings, s.train.n_items());
        const BiasModel bias = BiasModel::fit(s.train.ratings, s.train.n_users(), s.train.n_items());
        const std::size_t n_items = syn.ratings.n_items();
        const double global = rmse(s.test.ratings, [&](std::uint32_t, std::uint32_t) { return mu; });
        const double item = rmse(s.test.ratings, [&](std::uint32_t, std::uint32_t i) { return im[i]; });
        const double biases = rmse(s.test.ratings, [&](std::uint32_t u, std::uint32_t i) { return bias.predict(u, i); });
        const double truth = rmse(s.test.ratings, [&](std::uint32_t u, std::uint32_t i) { return syn.expected[u * n_items + i]; });
        MESSAGE("synthetic seed " << seed << " test RMSE: global " << global << ", item mean " << item << ", biases "
                                  << biases << ", the model's own expectation " << truth);
        CHECK(item < global);
        CHECK(biases < item - 0.03);
        CHECK(truth < biases - 0.1);  // the low-rank part is there to be learnt
    }
}

TEST_CASE("builtin: waves are seeded, bounded, and their sine's band is its frequency's third") {
    hg::Rng a(5), b(5), c(6);
    const Waves w = waves(200, 32, a), same = waves(200, 32, b), other = waves(200, 32, c);
    REQUIRE(w.x.shape() == hg::Shape{200, 32});
    REQUIRE(w.band.size() == 200);
    CHECK(hg::max_abs_diff(w.x, same.x) == 0.0f);
    CHECK(hg::max_abs_diff(w.x, other.x) > 0.5f);
    CHECK(hg::max(hg::abs(w.x)).item() <= 1.2f);  // |0.7 sin| + |saw| ≤ 0.7 + 0.5
    std::set<int> bands(w.band.begin(), w.band.end());
    CHECK(bands == std::set<int>{0, 1, 2});
    // A saw-tooth jumps by 1 once a cycle; a sine alone never moves more than 0.7·2π·3/32 ≈ 0.41 a step.
    double largest_step = 0;
    for (std::size_t r = 0; r < 200; ++r)
        for (std::size_t s = 1; s < 32; ++s)
            largest_step = std::max(largest_step, static_cast<double>(std::fabs(w.x[r * 32 + s] - w.x[r * 32 + s - 1])));
    CHECK(largest_step > 0.5);
}
