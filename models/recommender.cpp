#include "models/recommender.hpp"

#include <algorithm>

#include "autograd/var.hpp"
#include "nn/activation.hpp"
#include "nn/dropout.hpp"
#include "nn/linear.hpp"

namespace hg::models {

ResidualAutoencoder::ResidualAutoencoder(std::size_t n_users, std::size_t n_items, const RecommenderSettings& s, Rng& rng)
    : Module("ResidualAutoencoder") {
    mu = register_buffer("mu", Tensor({1}));
    user_bias = register_buffer("user_bias", Tensor({n_users}));
    item_bias = register_buffer("item_bias", Tensor({n_items}));
    net = register_module("net", sequential({std::make_shared<Dropout>(s.dropout, rng),
                                             std::make_shared<Linear>(n_items, s.hidden, rng), std::make_shared<Sigmoid>(),
                                             std::make_shared<Linear>(s.hidden, n_items, rng)}));
}

void ResidualAutoencoder::set_baseline(const data::BiasModel& b) {
    mu.mutable_value()[0] = b.mu;
    std::copy(b.user_bias.begin(), b.user_bias.end(), user_bias.mutable_value().data());
    std::copy(b.item_bias.begin(), b.item_bias.end(), item_bias.mutable_value().data());
}

Tensor ResidualAutoencoder::baseline(const std::vector<std::size_t>& users) const {
    const std::size_t n = item_bias.value().numel();
    Tensor b(Shape{users.size(), n});
    for (std::size_t r = 0; r < users.size(); ++r)
        for (std::size_t i = 0; i < n; ++i) b[r * n + i] = mu.value()[0] + user_bias.value()[users[r]] + item_bias.value()[i];
    return b;
}

Tensor ResidualAutoencoder::residuals(const data::RatingMatrix& ratings, const std::vector<std::size_t>& users) const {
    return (ratings.dense_rows(users) - baseline(users)) * ratings.observed_rows(users);
}

Tensor ResidualAutoencoder::predict(const data::RatingMatrix& ratings, const std::vector<std::size_t>& users) {
    NoGradGuard no_grad;
    const Tensor rated = ratings.observed_rows(users);
    const Tensor base = baseline(users);
    return base + (*this)(Var::constant((ratings.dense_rows(users) - base) * rated)).value();
}

}  // namespace hg::models
