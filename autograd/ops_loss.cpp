// Losses and penalties. Most are composites of autograd ops (their gradients come from
// the ops' rules); bce, bce_with_logits and kl_sparsity are ops of their own, for
// numerical stability, and masked_mse for speed (it runs on every step of the
// recommender), each with its backward rule beside it.
#include "autograd/loss.hpp"

#include <algorithm>
#include <cmath>
#include <string>

#include "autograd/ops.hpp"
#include "tensor/format.hpp"
#include "tensor/kernels/masked_squares.hpp"

namespace hg {

namespace {

void same_shape(const Var& a, const Var& b, const char* op, const char* what_a, const char* what_b) {
    if (!(a.shape() == b.shape()))
        throw ShapeError(std::string(op) + ": " + what_a + " " + a.shape().str() + " and " + what_b + " " +
                         b.shape().str() + " must have the same shape (losses do not broadcast)");
    if (a.value().numel() == 0) throw ShapeError(std::string(op) + ": the " + what_a + " " + a.shape().str() + " is empty");
}

void batch_matrix(const Var& h, const char* op) {
    if (h.value().rank() != 2 || h.value().numel() == 0)
        throw ShapeError(std::string(op) + ": needs activations (N x H), one example per row, got " + h.shape().str());
}

std::string at_index(const Tensor& t, std::size_t flat) {
    if (t.rank() != 2) return "flat index " + std::to_string(flat);
    return "(" + std::to_string(flat / t.shape()[1]) + ", " + std::to_string(flat % t.shape()[1]) + ")";
}

constexpr float kLogFloor = -100.0f;  // PyTorch's BCELoss clamps log at -100
constexpr float kBceEps = 1e-12f;     // and the denominator p(1-p) of its gradient at 1e-12

}  // namespace

Var mse(const Var& pred, const Var& target) {
    same_shape(pred, target, "mse", "prediction", "target");
    CompositeScope composite("mse");
    return mean(square(pred - target));
}

Var masked_mse(const Var& pred, const Var& target, const Tensor& m, const MaskedMseOptions& options) {
    same_shape(pred, target, "masked_mse", "prediction", "target");
    if (!(m.shape() == pred.shape()))
        throw ShapeError("masked_mse: the mask " + m.shape().str() + " must have the prediction's shape " +
                         pred.shape().str());
    // One op, not the five of scale(sum(mask(square(p − t)))), and one pass: it sums the
    // loss and, when a gradient will be asked for, keeps r = m ⊙ (p − t) for the backward rule.
    const bool keep = grad_enabled() && (pred.requires_grad() || target.requires_grad());
    Tensor r = Tensor::empty(keep ? m.shape() : Shape{});
    const kernels::MaskedSquares sums =
        kernels::masked_squares(pred.value().data(), target.value().data(), m.data(), m.numel(), keep ? r.data() : nullptr);
    const std::size_t n = m.numel();
    const float observed = sums.mask_sum, total = sums.squares;
    // Σ m(p − t)² divided by n, or by Σ m with the mean corrector (n/Σm)·(1/n) = 1/Σm.
    const double divisor = options.mean_corrector() ? observed : static_cast<double>(n);
    const float factor = divisor > 0 ? static_cast<float>(1.0 / divisor) : 0.0f;
    return make_op("masked_mse", Tensor::scalar(total * factor), {pred, target},
                   [pred, target, r = std::move(r), factor](const Tensor& dy, const Tensor&) {
                       // dP = 2f·dY · m ⊙ (p − t) = 2f·dY · r,  dT = −dP
                       Tensor g = r * (2.0f * factor * dy.item());
                       if (target.requires_grad()) target.accumulate_grad(-g);
                       if (pred.requires_grad()) pred.accumulate_grad(std::move(g));
                   });
}

Var bce(const Var& p, const Var& target) {
    same_shape(p, target, "bce", "prediction", "target");
    const Tensor &P = p.value(), &T = target.value();
    const std::size_t n = P.numel();
    double total = 0;
    for (std::size_t i = 0; i < n; ++i) {
        if (!(P[i] >= 0.0f && P[i] <= 1.0f))
            throw ValueError("bce: the prediction at " + at_index(P, i) + " is " + format_number(P[i]) +
                             ", not a probability in [0, 1]; end the model with a sigmoid, or use "
                             "bce_with_logits on its raw outputs");
        total -= T[i] * std::max(std::log(P[i]), kLogFloor) + (1.0f - T[i]) * std::max(std::log1p(-P[i]), kLogFloor);
    }
    return make_op("bce", Tensor::scalar(static_cast<float>(total / static_cast<double>(n))), {p, target},
                   [p, target, n](const Tensor& dy, const Tensor&) {
                       const Tensor &P = p.value(), &T = target.value();
                       const float k = dy.item() / static_cast<float>(n);
                       if (p.requires_grad()) {
                           // dP = dY/n · (p − t) / max(p(1 − p), 1e-12)
                           Tensor g(P.shape());
                           for (std::size_t i = 0; i < n; ++i)
                               g[i] = k * (P[i] - T[i]) / std::max(P[i] * (1.0f - P[i]), kBceEps);
                           p.accumulate_grad(g);
                       }
                       if (target.requires_grad()) {
                           // dT = dY/n · (log(1 − p) − log p)   (each log clamped at −100)
                           Tensor g(T.shape());
                           for (std::size_t i = 0; i < n; ++i)
                               g[i] = k * (std::max(std::log1p(-P[i]), kLogFloor) - std::max(std::log(P[i]), kLogFloor));
                           target.accumulate_grad(g);
                       }
                   });
}

Var bce_with_logits(const Var& logits, const Var& target) {
    same_shape(logits, target, "bce_with_logits", "logits", "target");
    const Tensor &X = logits.value(), &T = target.value();
    const std::size_t n = X.numel();
    double total = 0;
    for (std::size_t i = 0; i < n; ++i)
        total += std::max(X[i], 0.0f) - X[i] * T[i] + std::log1p(std::exp(-std::fabs(X[i])));
    return make_op("bce_with_logits", Tensor::scalar(static_cast<float>(total / static_cast<double>(n))),
                   {logits, target}, [logits, target, n](const Tensor& dy, const Tensor&) {
                       const Tensor &X = logits.value(), &T = target.value();
                       const float k = dy.item() / static_cast<float>(n);
                       if (logits.requires_grad()) {
                           // dX = dY/n · (σ(x) − t)
                           Tensor g(X.shape());
                           for (std::size_t i = 0; i < n; ++i) {
                               const float s = X[i] >= 0 ? 1.0f / (1.0f + std::exp(-X[i]))
                                                         : std::exp(X[i]) / (1.0f + std::exp(X[i]));
                               g[i] = k * (s - T[i]);
                           }
                           logits.accumulate_grad(g);
                       }
                       // dT = −dY/n · x
                       if (target.requires_grad()) target.accumulate_grad(X * -k);
                   });
}

Var cross_entropy(const Var& logits, const std::vector<int>& labels) {
    if (logits.value().rank() != 2 || logits.value().numel() == 0)
        throw ShapeError("cross_entropy: needs logits (N x C), one row of class scores per example, got " +
                         logits.shape().str());
    const std::size_t n = logits.shape()[0], classes = logits.shape()[1];
    if (labels.size() != n)
        throw ShapeError("cross_entropy: " + std::to_string(labels.size()) + " labels for logits " +
                         logits.shape().str() + "; give one label per row");
    // The one-hot mask: 1 at (n, y_n). Then −(1/N) Σ mask ⊙ log_softmax(x).
    Tensor onehot(logits.shape());
    for (std::size_t r = 0; r < n; ++r) {
        if (labels[r] < 0 || static_cast<std::size_t>(labels[r]) >= classes)
            throw IndexError("cross_entropy: label " + std::to_string(labels[r]) + " of row " + std::to_string(r) +
                             " is not a class of logits " + logits.shape().str() + " (classes 0.." +
                             std::to_string(classes - 1) + ")");
        onehot[r * classes + static_cast<std::size_t>(labels[r])] = 1.0f;
    }
    CompositeScope composite("cross_entropy");
    return scale(sum(mask(log_softmax(logits), onehot)), -1.0f / static_cast<float>(n));
}

Var l1_activity(const Var& h) {
    batch_matrix(h, "l1_activity");
    CompositeScope composite("l1_activity");
    return scale(sum(abs(h)), 1.0f / static_cast<float>(h.shape()[0]));
}

Var kl_sparsity(const Var& h, float rho) {
    batch_matrix(h, "kl_sparsity");
    if (!(rho > 0.0f && rho < 1.0f))
        throw ValueError("kl_sparsity: the target activation rho = " + format_number(rho) + " must be in (0, 1)");
    const Tensor& H = h.value();
    const std::size_t N = H.shape()[0], units = H.shape()[1];
    for (std::size_t i = 0; i < H.numel(); ++i)
        if (!(H[i] >= 0.0f && H[i] <= 1.0f))
            throw ValueError("kl_sparsity: the activation at " + at_index(H, i) + " is " + format_number(H[i]) +
                             "; the penalty needs activations in [0, 1] (a sigmoid layer)");
    // ρ̂_j: the mean activation of unit j over the batch, kept away from 0 and 1.
    Tensor rho_hat = hg::mean(H, 0);
    constexpr float lo = 1e-6f, hi = 1.0f - 1e-6f;
    double kl = 0;
    for (std::size_t j = 0; j < units; ++j) {
        const double r = std::clamp(rho_hat[j], lo, hi);
        rho_hat[j] = static_cast<float>(r);
        kl += rho * std::log(rho / r) + (1.0 - rho) * std::log((1.0 - rho) / (1.0 - r));
    }
    return make_op("kl_sparsity", Tensor::scalar(static_cast<float>(kl)), {h},
                   [h, rho, rho_hat, N, units](const Tensor& dy, const Tensor&) {
                       // dH_nj = dY/N · (−ρ/ρ̂_j + (1 − ρ)/(1 − ρ̂_j))
                       Tensor d(Shape{units});
                       for (std::size_t j = 0; j < units; ++j)
                           d[j] = dy.item() / static_cast<float>(N) * (-rho / rho_hat[j] + (1.0f - rho) / (1.0f - rho_hat[j]));
                       h.accumulate_grad(broadcast_to(d.reshape({1, units}), h.shape()));
                   });
}

Var contractive_penalty(const Var& h, const Var& W) {
    batch_matrix(h, "contractive_penalty");
    if (W.value().rank() != 2 || W.shape()[0] != h.shape()[1])
        throw ShapeError("contractive_penalty: h is " + h.shape().str() + " but W is " + W.shape().str() +
                         "; W must be the encoder's weight (H x D), one row per hidden unit (H = " +
                         std::to_string(h.shape()[1]) + ")");
    CompositeScope composite("contractive_penalty");
    // (1/N) Σ_n Σ_j (h_nj(1 − h_nj))² · w_j,  w_j = Σ_i W_ji²  (a row of (N x H) times (H))
    Var slope = square(h * (1.0f - h));
    Var row_norms = sum(square(W), 1);
    return scale(sum(slope * row_norms), 1.0f / static_cast<float>(h.shape()[0]));
}

Var vae_kl(const Var& mu, const Var& logvar) {
    same_shape(mu, logvar, "vae_kl", "mu", "logvar");
    CompositeScope composite("vae_kl");
    // −½ Σ (1 + logvar − μ² − e^logvar)
    return scale(sum(1.0f + logvar - square(mu) - exp(logvar)), -0.5f);
}

Var reparameterise(const Var& mu, const Var& logvar, Rng& rng) {
    same_shape(mu, logvar, "reparameterise", "mu", "logvar");
    CompositeScope composite("reparameterise");
    // z = μ + e^(logvar/2) ⊙ ε: ε is a constant of the graph, so dz/dμ = 1, dz/dlogvar = ½σε
    Var eps = Var::constant(Tensor::normal(mu.shape(), 0.0f, 1.0f, rng), "epsilon");
    return mu + exp(0.5f * logvar) * eps;
}

}  // namespace hg
