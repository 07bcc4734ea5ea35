#include "models/kernel_recommender.hpp"

#include <string>

#include "autograd/loss.hpp"
#include "autograd/ops.hpp"
#include "nn/init.hpp"

namespace hg::models {

Var global_kernel(const Var& prediction, const Var& g, float dot_scale) {
    CompositeScope scope("global_kernel");
    if (prediction.value().rank() != 2 || g.value().rank() != 2)
        throw ShapeError("global_kernel: the prediction " + prediction.shape().str() + " and G " + g.shape().str() +
                         " must both be matrices");
    const std::size_t n = prediction.shape()[0], taps = g.shape()[1];
    std::size_t s = 1;
    while (s * s < taps) ++s;
    if (g.shape()[0] != n || s * s != taps)
        throw ShapeError("global_kernel: G " + g.shape().str() + " must be (n_items x s²) for a prediction of " +
                         prediction.shape().str());
    const Var pooled = reshape(mean(prediction, 1), {1, n});  // each movie's mean prediction
    return reshape(dot_scale * matmul(pooled, g), {1, 1, s, s});
}

Var global_convolution(const Var& ratings, const Var& kernel) {
    CompositeScope scope("global_convolution");
    const Shape& k = kernel.shape();
    if (ratings.value().rank() != 2 || kernel.value().rank() != 4 || k[0] != 1 || k[1] != 1 || k[2] != k[3] || k[2] % 2 == 0)
        throw ShapeError("global_convolution: the ratings " + ratings.shape().str() + " and the kernel " + k.str() +
                         " must be (rows x cols) and (1 x 1 x s x s), s odd");
    const std::size_t rows = ratings.shape()[0], cols = ratings.shape()[1], s = k[2];
    const Var image = reshape(ratings, {1, 1, rows, cols});
    return reshape(relu(conv2d(image, kernel, 1, s / 2)), {rows, cols});
}

KernelRecommender::KernelRecommender(std::size_t n_items, std::size_t n_users, const KernelRecommenderSettings& s, Rng& rng)
    : Module("KernelRecommender"), settings(s) {
    std::size_t in = n_users;
    for (std::size_t l = 0; l <= s.layers; ++l) {
        const std::size_t out = l < s.layers ? s.hidden : n_users;
        layers.push_back(register_module(std::to_string(l), std::make_shared<KernelLinear>(in, out, rng, s.dims)));
        in = out;
    }
    Tensor gk(Shape{n_items, s.kernel_size * s.kernel_size});
    init::normal(gk, 0.0f, 0.1f, rng);
    g = register_parameter("global", std::move(gk));
}

Var KernelRecommender::local(const Var& r) {
    Var y = r;
    for (std::size_t l = 0; l < layers.size(); ++l) {
        y = (*layers[l])(y);
        if (l + 1 < layers.size()) y = sigmoid(y);
    }
    return y;
}

void KernelRecommender::start_fine_tuning(const Tensor& r) {
    fine_tuning_ = true;
    if (!settings.identity_start) return;
    // p·G = e_centre when column `centre` of G is p/(dot_scale·‖p‖²) and the others are 0.
    NoGradGuard no_grad;
    const Tensor p = mean(local(Var::constant(r)), 1).value();
    double norm2 = 0;
    for (std::size_t i = 0; i < p.numel(); ++i) norm2 += static_cast<double>(p[i]) * p[i];
    if (norm2 == 0) throw ValueError("KernelRecommender: the identity start needs a prediction that is not all 0");
    Tensor& gk = g.mutable_value();
    const std::size_t taps = gk.shape()[1], centre = taps / 2;
    for (std::size_t i = 0; i < p.numel(); ++i)
        for (std::size_t k = 0; k < taps; ++k)
            gk[i * taps + k] = k == centre ? static_cast<float>(p[i] / (settings.dot_scale * norm2)) : 0.0f;
}

Var KernelRecommender::forward(const Var& r) {
    if (!fine_tuning_) return local(r);
    return local(global_convolution(r, global_kernel(local(r), g, settings.dot_scale)));
}

Var KernelRecommender::penalty() const {
    Var p = layers[0]->penalty(settings.lambda_s, settings.lambda_2);
    for (std::size_t l = 1; l < layers.size(); ++l) p = p + layers[l]->penalty(settings.lambda_s, settings.lambda_2);
    return p;
}

// masked_mse is Σ m(p − t)² / n over all n entries (one fused op); times n/2 it is ½Σ.
Var kernel_recommender_loss(KernelRecommender& model, const Var& input, const Var& target, const Tensor& observed) {
    const float n = static_cast<float>(observed.numel());
    return (0.5f * n) * masked_mse(model(input), target, observed) + model.penalty();
}

Tensor predict_table(KernelRecommender& model, const AutoRecInputs& in, float lo, float hi) {
    NoGradGuard no_grad;
    return in.table(model(Var::constant(in.ratings)).value(), lo, hi);
}

}  // namespace hg::models
