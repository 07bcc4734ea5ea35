#include "data/builtin.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <numeric>
#include <set>

#include "tensor/rng.hpp"

namespace hg::data {

// ---- 1. the course's example ----

namespace {
// 1 liked, 0 disliked, -1 blank. Movies 1-3 and 4-6 form two taste groups; most users
// like one group and dislike the other, user 7 likes a little of both. Illustrative.
constexpr int kCourse[11][6] = {
    {1, 1, 1, 0, 0, -1},   //
    {1, -1, 1, 0, 0, 0},   //
    {1, 1, -1, 0, -1, 0},  //
    {0, 0, 0, 1, 1, 1},    //
    {0, -1, 0, 1, 1, -1},  //
    {-1, 0, 0, 1, -1, 1},  //
    {1, 1, 1, 1, 0, 0},    //
    {1, -1, 0, 0, 0, -1},  //
    {0, 0, -1, 1, 1, 1},   //
    {-1, 1, 1, -1, 0, 0},  //
    {0, 0, 1, 1, -1, 1},   //
};
}  // namespace

CourseMatrix course_matrix() {
    CourseMatrix c;
    c.movies = {"Comet", "Heist", "Orbit", "Vows", "Meadow", "Poems"};
    const std::size_t n_users = 11, n_movies = 6;
    for (std::size_t u = 0; u < n_users; ++u) c.users.push_back("user " + std::to_string(u + 1));
    c.likes = Tensor({n_users, n_movies});
    c.observed = Tensor({n_users, n_movies});
    c.values = Tensor({n_users, n_movies});
    for (std::size_t u = 0; u < n_users; ++u)
        for (std::size_t m = 0; m < n_movies; ++m) {
            const int v = kCourse[u][m];
            c.likes.at({u, m}) = v == 1 ? 1.0f : 0.0f;
            c.observed.at({u, m}) = v >= 0 ? 1.0f : 0.0f;
            c.values.at({u, m}) = v == 1 ? 1.0f : v == 0 ? -1.0f : 0.0f;
        }
    return c;
}

Tensor CourseMatrix::rbm() const {
    Tensor out = likes;
    for (std::size_t k = 0; k < out.numel(); ++k)
        if (observed[k] == 0.0f) out[k] = -1.0f;
    return out;
}

RatingSet CourseMatrix::ratings() const {
    RatingSet set;
    std::vector<std::int64_t> user_ids, movie_ids;
    for (std::size_t u = 0; u < likes.rows(); ++u) user_ids.push_back(static_cast<std::int64_t>(u + 1));
    for (std::size_t m = 0; m < likes.cols(); ++m) movie_ids.push_back(static_cast<std::int64_t>(m + 1));
    set.users = IdMap(user_ids);
    set.items = IdMap(movie_ids);
    set.scale = {0.0f, 1.0f, 1.0f};
    set.source = "built-in course example (11 users x 6 movies, 1 = liked, 0 = disliked)";
    for (std::size_t u = 0; u < likes.rows(); ++u)
        for (std::size_t m = 0; m < likes.cols(); ++m)
            if (observed.at({u, m}) != 0.0f)
                set.ratings.push_back({static_cast<std::uint32_t>(u), static_cast<std::uint32_t>(m), likes.at({u, m}), 0});
    return set;
}

// ---- 2. the synthetic MovieLens-shaped set ----

namespace {

constexpr std::size_t kRank = 5;
constexpr float kNoise = 0.6f;
// Cumulative shares of 1..4 stars (ml-100k: ~6%, 11%, 27%, 34%, 21% for 1..5).
constexpr double kCumulative[4] = {0.06, 0.17, 0.44, 0.78};

// The 18 genres of ml-100k (without "unknown") and weights roughly like their frequencies
// there (Drama and Comedy common, Film-Noir and Fantasy rare). Illustrative.
struct GenreWeight {
    const char* name;
    float weight;
};
constexpr GenreWeight kGenres[] = {
    {"Drama", 725},  {"Comedy", 505},  {"Action", 251},     {"Thriller", 251}, {"Romance", 247},    {"Adventure", 135},
    {"Children's", 122}, {"Crime", 109}, {"Sci-Fi", 101},  {"Horror", 92},    {"War", 71},         {"Mystery", 61},
    {"Musical", 56}, {"Documentary", 50}, {"Animation", 42}, {"Western", 27}, {"Film-Noir", 24}, {"Fantasy", 22},
};
constexpr std::size_t kNumGenres = sizeof(kGenres) / sizeof(kGenres[0]);

constexpr const char* kAdjectives[] = {"Silent", "Crimson", "Broken",  "Hidden", "Golden", "Last",    "Midnight",
                                       "Electric", "Lonely", "Distant", "Frozen", "Savage", "Secret", "Wild",
                                       "Velvet", "Burning", "Hollow",  "Bright", "Quiet",  "Iron"};
constexpr const char* kNouns[] = {"Harbor", "Garden",  "River",  "Station", "Kingdom", "Letter",  "Mirror",
                                  "Frontier", "Orchard", "Signal", "Voyage", "Circus",  "Lantern", "Empire",
                                  "Shadow", "Summer",  "Island", "Machine", "Horizon", "Melody"};
constexpr std::size_t kNumAdjectives = sizeof(kAdjectives) / sizeof(kAdjectives[0]);
constexpr std::size_t kNumNouns = sizeof(kNouns) / sizeof(kNouns[0]);

std::size_t pick_genre(Rng& rng) {
    float total = 0;
    for (const auto& g : kGenres) total += g.weight;
    float x = rng.uniform() * total;
    for (std::size_t g = 0; g < kNumGenres; ++g) {
        x -= kGenres[g].weight;
        if (x < 0) return g;
    }
    return kNumGenres - 1;
}

std::string make_title(Rng& rng) {
    const std::string a = kAdjectives[rng.below(kNumAdjectives)];
    const std::string n = kNouns[rng.below(kNumNouns)];
    const std::string n2 = kNouns[rng.below(kNumNouns)];
    switch (rng.below(3)) {
        case 0: return "The " + a + " " + n;
        case 1: return a + " " + n;
        default: return n + " of the " + a + " " + n2;
    }
}

std::vector<float> normals(Rng& rng, std::size_t n, float stddev) {
    std::vector<float> v(n);
    for (float& x : v) x = rng.normal(0.0f, stddev);
    return v;
}

double normal_cdf(double x) { return 0.5 * std::erfc(-x / std::sqrt(2.0)); }

}  // namespace

SyntheticMovieLens synthetic_movielens(std::uint64_t seed, std::size_t n_users, std::size_t n_items) {
    if (n_users < 2 || n_items < 20)
        throw ValueError("synthetic_movielens: need at least 2 users and 20 items, got " + std::to_string(n_users) +
                         " x " + std::to_string(n_items));
    Rng rng(seed);
    SyntheticMovieLens syn;
    syn.seed = seed;

    // Genres as directions in taste space.
    std::vector<std::vector<float>> genre_dir(kNumGenres);
    for (auto& d : genre_dir) d = normals(rng, kRank, 1.0f);

    // Items: genres, title, year, factors, popularity and bias.
    std::vector<Movie> movies(n_items);
    std::vector<std::vector<float>> q(n_items);
    std::vector<float> popularity(n_items), item_bias(n_items);
    std::set<std::string> used_titles;
    for (std::size_t i = 0; i < n_items; ++i) {
        Movie& m = movies[i];
        m.id = static_cast<std::int64_t>(i + 1);
        std::vector<std::size_t> genres = {pick_genre(rng)};
        for (float p : {0.45f, 0.15f}) {
            const std::size_t g = pick_genre(rng);
            if (rng.uniform() < p && std::find(genres.begin(), genres.end(), g) == genres.end()) genres.push_back(g);
        }
        std::sort(genres.begin(), genres.end());
        for (std::size_t g : genres) m.genres.emplace_back(kGenres[g].name);
        m.year = 1998 - static_cast<int>(std::min(60.0f, std::fabs(rng.normal(0.0f, 15.0f))));
        std::string title;
        do title = make_title(rng) + " (" + std::to_string(m.year) + ")";
        while (!used_titles.insert(title).second);
        m.title = title;

        q[i] = normals(rng, kRank, 0.6f);
        for (std::size_t g : genres)
            for (std::size_t k = 0; k < kRank; ++k) q[i][k] += 0.8f * genre_dir[g][k] / static_cast<float>(genres.size());
        for (float& x : q[i]) x *= 0.55f;
        const float z = rng.normal();
        popularity[i] = std::exp(1.1f * z);
        item_bias[i] = 0.5f * (0.45f * z + 0.89f * rng.normal());
    }

    // Users: factors, bias, and which items they rate (weighted sampling without
    // replacement: the n smallest keys -log(U) / weight, Efraimidis & Spirakis 2006).
    struct Cell {
        std::uint32_t user, item;
        float preference;  // s(u, i), before noise
        float noisy;       // s(u, i) + noise
    };
    std::vector<Cell> cells;
    std::vector<std::vector<float>> p(n_users);
    std::vector<float> user_bias(n_users);
    std::vector<std::pair<double, std::uint32_t>> keys(n_items);
    for (std::size_t u = 0; u < n_users; ++u) {
        p[u] = normals(rng, kRank, 0.55f);
        user_bias[u] = rng.normal(0.0f, 0.4f);
        const double extra = std::exp(rng.normal(2.45f, 0.8f));
        const std::size_t n = std::min<std::size_t>(n_items / 2, 8 + static_cast<std::size_t>(std::llround(extra)));
        for (std::uint32_t i = 0; i < n_items; ++i)
            keys[i] = {-std::log(1.0 - static_cast<double>(rng.uniform())) / popularity[i], i};
        std::nth_element(keys.begin(), keys.begin() + static_cast<std::ptrdiff_t>(n), keys.end());
        std::vector<std::uint32_t> chosen;
        for (std::size_t k = 0; k < n; ++k) chosen.push_back(keys[k].second);
        std::sort(chosen.begin(), chosen.end());
        for (std::uint32_t i : chosen) {
            float s = user_bias[u] + item_bias[i];
            for (std::size_t k = 0; k < kRank; ++k) s += p[u][k] * q[i][k];
            cells.push_back({static_cast<std::uint32_t>(u), i, s, s + rng.normal(0.0f, kNoise)});
        }
    }

    // Thresholds: quantiles of the noisy preferences, so the star shares match ml-100k's.
    std::vector<float> sorted;
    for (const Cell& c : cells) sorted.push_back(c.noisy);
    std::sort(sorted.begin(), sorted.end());
    float t[4];
    for (int k = 0; k < 4; ++k)
        t[k] = sorted[static_cast<std::size_t>(kCumulative[k] * static_cast<double>(sorted.size() - 1))];

    RatingSet& set = syn.ratings;
    std::vector<std::int64_t> user_ids(n_users), item_ids(n_items);
    std::iota(user_ids.begin(), user_ids.end(), std::int64_t{1});
    std::iota(item_ids.begin(), item_ids.end(), std::int64_t{1});
    set.users = IdMap(user_ids);
    set.items = IdMap(item_ids);
    set.scale = {1.0f, 5.0f, 1.0f};
    set.source = "built-in synthetic MovieLens (seed " + std::to_string(seed) + ", " + std::to_string(n_users) +
                 " users x " + std::to_string(n_items) + " items)";
    for (const Cell& c : cells) {
        float stars = 1.0f;
        for (float tk : t) stars += c.noisy > tk ? 1.0f : 0.0f;
        // ml-100k's ratings were made between Sep 1997 and Apr 1998: timestamps in that window.
        const std::int64_t ts = 874724710 + static_cast<std::int64_t>(rng.below(18000000));
        set.ratings.push_back({c.user, c.item, stars, ts});
    }

    // E[r] = 1 + sum_k P(s + noise > t_k) = 1 + sum_k Phi((s - t_k) / sigma), for every cell.
    syn.expected = Tensor({n_users, n_items});
    for (std::size_t u = 0; u < n_users; ++u)
        for (std::size_t i = 0; i < n_items; ++i) {
            double s = user_bias[u] + item_bias[i];
            for (std::size_t k = 0; k < kRank; ++k) s += p[u][k] * q[i][k];
            double e = 1.0;
            for (float tk : t) e += normal_cdf((s - tk) / kNoise);
            syn.expected[u * n_items + i] = static_cast<float>(e);
        }

    syn.movies = MovieCatalog(std::move(movies), "built-in synthetic titles (invented)");
    return syn;
}

Split SyntheticMovieLens::split() const { return random_split(ratings, 0.2, seed); }

Waves waves(std::size_t n, std::size_t steps, Rng& rng) {
    constexpr float two_pi = 2 * std::numbers::pi_v<float>;
    Waves w{Tensor({n, steps}), {}};
    for (std::size_t r = 0; r < n; ++r) {
        const float f1 = rng.uniform(0.5f, 3.0f), p1 = rng.uniform(0.0f, two_pi);
        const float f2 = rng.uniform(0.5f, 3.0f), p2 = rng.uniform(0.0f, 1.0f);
        w.band.push_back(std::min(2, static_cast<int>((f1 - 0.5f) / (2.5f / 3))));
        for (std::size_t s = 0; s < steps; ++s) {
            const float u = static_cast<float>(s) / static_cast<float>(steps), saw = f2 * u + p2;
            w.x[r * steps + s] = 0.7f * std::sin(two_pi * f1 * u + p1) + (saw - std::floor(saw + 0.5f));
        }
    }
    return w;
}

}  // namespace hg::data
