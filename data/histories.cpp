#include "data/histories.hpp"

#include <algorithm>
#include <numeric>
#include <string>

#include "tensor/error.hpp"
#include "tensor/rng.hpp"

namespace hg::data {

std::vector<std::vector<Rating>> user_histories(const std::vector<Rating>& ratings, std::size_t n_users) {
    std::vector<std::vector<Rating>> histories(n_users);
    for (const Rating& r : ratings) {
        if (r.user >= n_users)
            throw IndexError("user_histories: a rating of user index " + std::to_string(r.user) + " but only " +
                             std::to_string(n_users) + " users");
        histories[r.user].push_back(r);
    }
    for (std::vector<Rating>& h : histories)
        std::stable_sort(h.begin(), h.end(), [](const Rating& a, const Rating& b) { return a.timestamp < b.timestamp; });
    return histories;
}

Tensor genre_mix(const MovieCatalog& movies, const IdMap& items) {
    const std::vector<std::string>& names = movielens_100k_genres();
    Tensor mix({items.size(), names.size()});
    for (std::size_t i = 0; i < items.size(); ++i) {
        const Movie* m = movies.find(items.raw(i));
        if (m == nullptr) continue;
        std::vector<std::size_t> known;
        for (const std::string& g : m->genres) {
            const auto at = std::find(names.begin(), names.end(), g);
            if (at != names.end()) known.push_back(static_cast<std::size_t>(at - names.begin()));
        }
        for (std::size_t g : known) mix[i * names.size() + g] = 1.0f / static_cast<float>(known.size());
    }
    return mix;
}

std::pair<std::vector<std::size_t>, std::vector<std::size_t>> split_users(std::size_t n, double held_out,
                                                                          std::uint64_t seed) {
    if (!(held_out >= 0 && held_out <= 1))
        throw ValueError("split_users: held_out = " + std::to_string(held_out) + " is not a fraction in [0, 1]");
    std::vector<std::size_t> users(n);
    std::iota(users.begin(), users.end(), 0);
    Rng rng(seed);
    rng.shuffle(users);
    const auto cut = users.begin() + static_cast<std::ptrdiff_t>(static_cast<double>(n) * (1 - held_out));
    return {{users.begin(), cut}, {cut, users.end()}};
}

Tensor rating_windows(const std::vector<std::vector<Rating>>& histories, const std::vector<std::size_t>& users,
                      const Tensor& mix, std::size_t steps, std::size_t max_windows) {
    const std::size_t genres = mix.cols(), width = steps * (1 + genres);
    std::vector<float> rows;
    for (std::size_t u : users) {
        if (u >= histories.size())
            throw IndexError("rating_windows: user index " + std::to_string(u) + " but only " +
                             std::to_string(histories.size()) + " histories");
        const std::vector<Rating>& h = histories[u];
        for (std::size_t at = 0; at + steps <= h.size() && rows.size() < max_windows * width; at += steps)
            for (std::size_t s = at; s < at + steps; ++s) {
                if (h[s].item >= mix.rows())
                    throw IndexError("rating_windows: item index " + std::to_string(h[s].item) + " but the genre mix has " +
                                     std::to_string(mix.rows()) + " rows");
                rows.push_back((h[s].rating - 3.0f) / 2.0f);
                rows.insert(rows.end(), mix.data() + h[s].item * genres, mix.data() + (h[s].item + 1) * genres);
            }
    }
    return Tensor::from({rows.size() / width, width}, rows);
}

}  // namespace hg::data
