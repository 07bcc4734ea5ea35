#include "tutorials/common/recommend.hpp"

#include <algorithm>
#include <cmath>
#include <string>
#include <utility>
#include <vector>

#include "data/builtin.hpp"
#include "data/movielens.hpp"
#include "data/paths.hpp"
#include "tensor/error.hpp"

namespace hg::tutorial {

Ratings load_ratings(Tutorial& t, const std::string& fold) {
    Ratings d;
    const bool builtin = t.options().data == "builtin";
    const hg::data::DataFolder folder = builtin ? hg::data::DataFolder{} : hg::data::find_movielens(t.options().data);
    if (folder.found()) {
        d.name = "ml-100k";
        d.movies = hg::data::load_movies(folder.path);
        if (fold[0] == 'r') {  // r1 ... r5: a seeded 80/20 re-split of u1.base + u1.test
            const hg::data::Split u1 = hg::data::load_movielens_split(folder.path, "u1");
            hg::data::RatingSet all = u1.train;
            all.ratings.insert(all.ratings.end(), u1.test.ratings.begin(), u1.test.ratings.end());
            d.split = hg::data::random_split(all, 0.2, static_cast<std::uint64_t>(fold[1] - '0'));
            t.say() << "MovieLens from " << folder.path << " (found by " << folder.found_by << "): u1.base + u1.test, re-split at"
                    << " random 80/20 (--fold " << fold << ": seed " << fold[1] << ")\n";
            return d;
        }
        d.split = hg::data::load_movielens_split(folder.path, fold);
        t.say() << "MovieLens from " << folder.path << " (found by " << folder.found_by << "): " << fold << ".base / " << fold
                << ".test\n";
        return d;
    }
    if (fold != "u1")
        throw hg::ValueError("--fold " + fold + ": the built-in synthetic set has one split (u1); the other folds are ml-100k's");
    d.name = "synthetic";
    const hg::data::SyntheticMovieLens syn = hg::data::synthetic_movielens();
    d.split = syn.split();
    d.movies = syn.movies;
    if (builtin)
        t.say() << "--data builtin: using the built-in synthetic MovieLens-shaped set.\n";
    else
        t.say() << "ml-100k not found (looked in " << folder.searched
                << "): using the built-in synthetic MovieLens-shaped set.\n"
                << "For the real thing: ./lab fetch movielens 100k, or --data DIR\n";
    return d;
}

Scores score(const std::vector<hg::data::Rating>& ratings, const Tensor& pred, bool clip, float lo, float hi) {
    const std::size_t n_items = pred.shape()[1];
    std::vector<double> se(pred.shape()[0], 0.0);
    std::vector<std::size_t> count(pred.shape()[0], 0);
    double total = 0;
    for (const hg::data::Rating& r : ratings) {
        float p = pred[r.user * n_items + r.item];
        if (clip) p = std::clamp(p, lo, hi);
        const double e = (static_cast<double>(p) - r.rating) * (static_cast<double>(p) - r.rating);
        se[r.user] += e;
        ++count[r.user];
        total += e;
    }
    Scores s;
    std::size_t users = 0;
    for (std::size_t u = 0; u < se.size(); ++u)
        if (count[u]) {
            s.course_metric += std::sqrt(se[u] / static_cast<double>(count[u]));
            ++users;
        }
    s.course_metric /= static_cast<double>(std::max<std::size_t>(users, 1));
    s.rmse = std::sqrt(total / static_cast<double>(std::max<std::size_t>(ratings.size(), 1)));
    return s;
}

void require_user(const Ratings& d, std::int64_t user_id) {
    const hg::data::RatingSet& train = d.split.train;
    if (!train.users.contains(user_id))
        throw hg::ValueError("--user " + std::to_string(user_id) + ": no such user in " + d.name + " (user ids run from " +
                             std::to_string(train.users.raw(0)) + " to " +
                             std::to_string(train.users.raw(train.n_users() - 1)) + ")");
}

void RecommendSettings::add_flags(Tutorial& t) {
    t.app().add_option("--user", user, "Recommend for this user id");
    t.app().add_option("--top", top, "How many movies to recommend")->check(at_least(1));
    t.app().add_option("--min-ratings", min_ratings, "Recommend only movies with at least this many training ratings")
        ->check(at_least(0));
    t.app().add_option("--fold", fold,
                       "Which of ml-100k's five splits to train and test on (u1 ... u5), or r1 ... r5: all of u1.base and "
                       "u1.test re-split at random 80/20 with seed 1 ... 5 (for a data folder with u1's files only)")
        ->check(CLI::IsMember({"u1", "u2", "u3", "u4", "u5", "r1", "r2", "r3", "r4", "r5"}));
}

void recommend(Tutorial& t, const Ratings& d, const RecommendSettings& s,
               const std::function<float(std::size_t user, std::size_t item)>& predict) {
    const std::int64_t user_id = s.user;
    const std::size_t top = s.top, min_ratings = s.min_ratings;
    require_user(d, user_id);
    const hg::data::RatingSet& train = d.split.train;
    const std::size_t u = train.users.index(user_id);
    const std::size_t n_items = train.n_items();
    std::vector<std::size_t> count(n_items, 0);
    std::vector<bool> seen(n_items, false);
    std::vector<std::pair<float, std::size_t>> own, unseen;
    for (const hg::data::Rating& r : train.ratings) {
        ++count[r.item];
        if (r.user == u) {
            seen[r.item] = true;
            own.emplace_back(r.rating, r.item);
        }
    }
    for (std::size_t i = 0; i < n_items; ++i)
        if (!seen[i] && count[i] >= std::max<std::size_t>(min_ratings, 1)) unseen.emplace_back(predict(u, i), i);
    auto by_rating = [](const auto& a, const auto& b) { return a.first > b.first || (a.first == b.first && a.second < b.second); };
    std::sort(own.begin(), own.end(), by_rating);
    std::sort(unseen.begin(), unseen.end(), by_rating);
    auto title = [&](std::size_t item) { return d.movies.title(train.items.raw(item)); };
    const std::size_t rows = std::min(top, std::max(own.size(), unseen.size()));  // not --top's 2^64 empty rows
    t.say() << "user " << user_id << " rated " << own.size() << " movies. Left: their favourites, with their rating. Right: the top "
            << std::min(top, unseen.size()) << " movies\nthey have not rated, by the model's predicted rating, among movies with at least "
            << min_ratings << " training ratings (in stars):\n";
    auto line = [&](const std::string& left, const std::string& rest) {
        const std::size_t width = 52;
        const std::string cell = left.substr(0, width);
        std::size_t chars = 0;  // pad by characters, not bytes, so UTF-8 titles line up
        for (unsigned char c : cell) chars += (c & 0xC0) != 0x80;
        t.say() << "  " << cell << std::string(width + 2 - std::min(chars, width), ' ') << rest << "\n";
    };
    line("rated  their favourites", "predicted  recommended");
    for (std::size_t k = 0; k < rows; ++k) {
        std::string left, rest;
        if (k < own.size()) left = right(fixed(own[k].first, 1), 5) + "  " + title(own[k].second);
        if (k < unseen.size()) rest = right(fixed(unseen[k].first, 2), 9) + "  " + title(unseen[k].second);
        line(left, rest);
    }
}

std::vector<double> blend_weights(const std::vector<std::vector<float>>& parts, const std::vector<hg::data::Rating>& ratings) {
    const std::size_t n = parts.size();
    for (const std::vector<float>& p : parts)
        if (p.size() != ratings.size())
            throw hg::ValueError("blend_weights: a part has " + std::to_string(p.size()) + " predictions for " +
                                 std::to_string(ratings.size()) + " ratings");
    std::vector<std::vector<double>> a(n, std::vector<double>(n + 1, 0.0));  // [PᵀP | Pᵀr]
    for (std::size_t j = 0; j < ratings.size(); ++j)
        for (std::size_t r = 0; r < n; ++r) {
            for (std::size_t c = 0; c < n; ++c) a[r][c] += static_cast<double>(parts[r][j]) * parts[c][j];
            a[r][n] += static_cast<double>(parts[r][j]) * ratings[j].rating;
        }
    double scale = 0;  // the largest diagonal entry: what "0" is measured against
    for (std::size_t r = 0; r < n; ++r) scale = std::max(scale, a[r][r]);
    for (std::size_t c = 0; c < n; ++c) {
        std::size_t pivot = c;
        for (std::size_t r = c + 1; r < n; ++r)
            if (std::fabs(a[r][c]) > std::fabs(a[pivot][c])) pivot = r;
        if (!(std::fabs(a[pivot][c]) > 1e-12 * scale))
            throw hg::ValueError("blend_weights: the " + std::to_string(n) + " parts are linearly dependent (part " +
                                 std::to_string(c + 1) + " is a combination of the others): no unique blend");
        std::swap(a[c], a[pivot]);
        for (std::size_t r = 0; r < n; ++r)
            if (r != c) {
                const double f = a[r][c] / a[c][c];
                for (std::size_t k = c; k <= n; ++k) a[r][k] -= f * a[c][k];
            }
    }
    std::vector<double> w(n);
    for (std::size_t r = 0; r < n; ++r) w[r] = a[r][n] / a[r][r];
    return w;
}

Tensor mean_over_seeds(int n, std::uint64_t seed, const std::function<Tensor(std::uint64_t)>& make) {
    if (n < 1) throw hg::ValueError("mean_over_seeds: n = " + std::to_string(n) + ", at least 1 start is needed");
    Tensor sum = make(seed);
    for (int k = 1; k < n; ++k) sum += make(seed + static_cast<std::uint64_t>(k));
    sum *= 1.0f / static_cast<float>(n);
    return sum;
}

}  // namespace hg::tutorial
