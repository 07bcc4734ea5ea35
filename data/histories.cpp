#include "data/histories.hpp"

#include <algorithm>
#include <string>

#include "tensor/error.hpp"

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

}  // namespace hg::data
