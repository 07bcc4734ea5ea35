#include "models/autorec.hpp"

#include <numeric>

#include "autograd/ops.hpp"
#include "autograd/var.hpp"
#include "data/baselines.hpp"
#include "data/ratings.hpp"
#include "autograd/loss.hpp"

namespace hg::models {

AutoRec::AutoRec(std::size_t n_in, std::size_t hidden, float noise, Rng& rng) : Module("AutoRec") {
    encoder = register_module("encoder", std::make_shared<Linear>(n_in, hidden, rng));  // W, b
    decoder = register_module("decoder", std::make_shared<Linear>(hidden, n_in, rng));  // V, c
    // Made last, so that a model with and without noise start from the same weights.
    noise_layer = register_module("noise", std::make_shared<MaskingNoise>(noise, rng));
}

Var AutoRec::forward(const Var& r) { return (*decoder)(sigmoid((*encoder)((*noise_layer)(r)))); }

Var AutoRec::weight_norm2() const { return sum(square(encoder->weight())) + sum(square(decoder->weight())); }

// masked_mse is Σ m(p − t)² / n over all n entries (one fused op); times n it is the sum.
Var autorec_loss(AutoRec& model, const Var& input, const Var& target, const Tensor& observed, float lambda) {
    const float n = static_cast<float>(observed.numel());
    return n * masked_mse(model(input), target, observed) + (0.5f * lambda) * model.weight_norm2();
}

RpropOptions autorec_rprop() { return RpropOptions(0.01f); }

AutoRecInputs AutoRecInputs::from(const std::vector<data::Rating>& ratings, std::size_t n_users, std::size_t n_items,
                                  bool item_rows, bool residual) {
    const data::RatingMatrix m = data::RatingMatrix::from(ratings, n_users, n_items);
    AutoRecInputs in;
    in.item_rows = item_rows;
    in.residual = residual;
    std::vector<std::size_t> rows(item_rows ? n_items : n_users);
    std::iota(rows.begin(), rows.end(), std::size_t{0});
    in.ratings = item_rows ? m.dense_item_rows(rows) : m.dense_rows(rows);
    in.observed = item_rows ? m.observed_item_rows(rows) : m.observed_rows(rows);
    in.baseline = Tensor::zeros(in.ratings.shape());
    if (residual) {
        const data::BiasModel bias = data::BiasModel::fit(ratings, n_users, n_items);
        const std::size_t cols = in.ratings.shape()[1];
        for (std::size_t r = 0; r < rows.size(); ++r)
            for (std::size_t c = 0; c < cols; ++c) {
                const auto row = static_cast<std::uint32_t>(r), col = static_cast<std::uint32_t>(c);
                in.baseline[r * cols + c] = item_rows ? bias.predict(col, row) : bias.predict(row, col);
            }
    }
    in.target = (in.ratings - in.baseline) * in.observed;
    in.global_mean = data::global_mean(ratings);
    in.item_mean = data::item_means(ratings, n_items);
    in.item_known.assign(n_items, false);
    in.user_known.assign(n_users, false);
    std::vector<double> user_sum(n_users, 0.0);
    std::vector<std::size_t> user_count(n_users, 0);
    for (const data::Rating& r : ratings) {
        in.item_known[r.item] = in.user_known[r.user] = true;
        user_sum[r.user] += r.rating;
        ++user_count[r.user];
    }
    in.user_mean.assign(n_users, in.global_mean);
    for (std::size_t u = 0; u < n_users; ++u)
        if (user_count[u]) in.user_mean[u] = static_cast<float>(user_sum[u] / static_cast<double>(user_count[u]));
    return in;
}

Tensor AutoRecInputs::table(const Tensor& out, float lo, float hi) const {
    const Tensor t = clamp(out + baseline, lo, hi);
    return item_rows ? t : t.transpose();
}

float AutoRecInputs::predict(const Tensor& table, std::uint32_t user, std::uint32_t item) const {
    if (!item_known[item]) return user_known[user] ? user_mean[user] : global_mean;
    if (!user_known[user]) return item_mean[item];
    return table[item * table.shape()[1] + user];
}

double AutoRecInputs::rmse(const std::vector<data::Rating>& ratings, const Tensor& table) const {
    return data::rmse(ratings, [&](std::uint32_t u, std::uint32_t i) { return predict(table, u, i); });
}

Tensor predict_table(AutoRec& model, const AutoRecInputs& in, float lo, float hi) {
    NoGradGuard no_grad;
    model.eval();  // no noise
    const Tensor out = model(Var::constant(in.ratings)).value();
    model.train();
    return in.table(out, lo, hi);
}

}  // namespace hg::models
