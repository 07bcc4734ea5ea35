#include "data/baselines.hpp"

#include <cmath>

namespace hg::data {

float global_mean(const std::vector<Rating>& ratings) {
    double sum = 0;
    for (const Rating& r : ratings) sum += r.rating;
    return ratings.empty() ? 0.0f : static_cast<float>(sum / static_cast<double>(ratings.size()));
}

std::vector<float> item_means(const std::vector<Rating>& ratings, std::size_t n_items) {
    std::vector<double> sum(n_items, 0.0);
    std::vector<std::size_t> count(n_items, 0);
    for (const Rating& r : ratings) {
        sum.at(r.item) += r.rating;
        ++count[r.item];
    }
    const float mu = global_mean(ratings);
    std::vector<float> mean(n_items, mu);
    for (std::size_t i = 0; i < n_items; ++i)
        if (count[i] > 0) mean[i] = static_cast<float>(sum[i] / static_cast<double>(count[i]));
    return mean;
}

float BiasModel::predict(std::uint32_t user, std::uint32_t item) const {
    return mu + (user < user_bias.size() ? user_bias[user] : 0.0f) + (item < item_bias.size() ? item_bias[item] : 0.0f);
}

BiasModel BiasModel::fit(const std::vector<Rating>& ratings, std::size_t n_users, std::size_t n_items, float lambda,
                         int sweeps) {
    BiasModel m;
    m.mu = global_mean(ratings);
    m.user_bias.assign(n_users, 0.0f);
    m.item_bias.assign(n_items, 0.0f);
    std::vector<double> sum_u(n_users), sum_i(n_items);
    std::vector<std::size_t> n_u(n_users, 0), n_i(n_items, 0);
    for (const Rating& r : ratings) {
        ++n_u.at(r.user);
        ++n_i.at(r.item);
    }
    for (int s = 0; s < sweeps; ++s) {
        std::fill(sum_i.begin(), sum_i.end(), 0.0);
        for (const Rating& r : ratings) sum_i[r.item] += r.rating - m.mu - m.user_bias[r.user];
        for (std::size_t i = 0; i < n_items; ++i)
            m.item_bias[i] = static_cast<float>(sum_i[i] / (lambda + static_cast<double>(n_i[i])));
        std::fill(sum_u.begin(), sum_u.end(), 0.0);
        for (const Rating& r : ratings) sum_u[r.user] += r.rating - m.mu - m.item_bias[r.item];
        for (std::size_t u = 0; u < n_users; ++u)
            m.user_bias[u] = static_cast<float>(sum_u[u] / (lambda + static_cast<double>(n_u[u])));
    }
    return m;
}

double rmse(const std::vector<Rating>& ratings, const std::function<float(std::uint32_t, std::uint32_t)>& predict) {
    if (ratings.empty()) return 0.0;
    double sum = 0;
    for (const Rating& r : ratings) {
        const double e = static_cast<double>(predict(r.user, r.item)) - r.rating;
        sum += e * e;
    }
    return std::sqrt(sum / static_cast<double>(ratings.size()));
}

}  // namespace hg::data
