#include "models/rbm.hpp"

#include <cmath>
#include <string>

#include "tensor/error.hpp"
#include "tensor/matmul.hpp"

namespace hg::models {

namespace {

// σ(x) element by element, on plain tensors (the RBM needs no graph).
Tensor logistic(const Tensor& x) {
    Tensor y(x.shape());
    for (std::size_t i = 0; i < x.numel(); ++i) y[i] = 1.0f / (1.0f + std::exp(-x[i]));
    return y;
}

}  // namespace

Tensor bernoulli(const Tensor& p, Rng& rng) {
    Tensor x(p.shape());
    for (std::size_t i = 0; i < x.numel(); ++i) x[i] = static_cast<float>(rng.uniform() < p[i]);
    return x;
}

Rbm::Rbm(std::size_t visible, std::size_t hidden, Hidden units, Rng& rng)
    : units(units),
      W(Tensor::normal({hidden, visible}, 0.0f, 0.01f, rng)),  // small random weights
      b(Tensor::zeros({hidden})),
      c(Tensor::zeros({visible})),
      W_inc(Tensor::zeros({hidden, visible})),
      b_inc(Tensor::zeros({hidden})),
      c_inc(Tensor::zeros({visible})) {}

void Rbm::init_visible_bias(const Tensor& data) {
    const Tensor p = clamp(mean(data, 0), 0.001f, 0.999f);
    c = log(p / (1.0f - p));
}

Tensor Rbm::hidden_mean(const Tensor& v) const {
    const Tensor a = matmul(v, W, false, true) + b;
    return units == Hidden::binary ? logistic(a) : a;
}

Tensor Rbm::sample_hidden(const Tensor& mean, Rng& rng) const {
    if (units == Hidden::binary) return bernoulli(mean, rng);
    Tensor h = mean;
    for (std::size_t i = 0; i < h.numel(); ++i) h[i] += rng.normal();
    return h;
}

Tensor Rbm::visible_prob(const Tensor& h) const { return logistic(matmul(h, W) + c); }

CdStep Rbm::cd1(const Tensor& v0, Rng& rng) const {
    const float m = static_cast<float>(v0.rows());
    const Tensor h0 = hidden_mean(v0);                       // positive phase, from the data
    const Tensor v1 = visible_prob(sample_hidden(h0, rng));  // one Gibbs step down...
    const Tensor h1 = hidden_mean(v1);                       // ...and up: negative phase
    CdStep s;
    s.dW = (matmul(h0, v0, true, false) - matmul(h1, v1, true, false)) * (1.0f / m);
    s.db = mean(h0, 0) - mean(h1, 0);
    s.dc = mean(v0, 0) - mean(v1, 0);
    s.v1 = v1;
    return s;
}

void Rbm::update(const CdStep& s, float lr, float momentum, float weight_decay) {
    W_inc = W_inc * momentum + (s.dW - W * weight_decay) * lr;
    b_inc = b_inc * momentum + s.db * lr;
    c_inc = c_inc * momentum + s.dc * lr;
    W += W_inc;
    b += b_inc;
    c += c_inc;
}

Tensor Rbm::reconstruct_sampled(const Tensor& v, Rng& rng) const { return visible_prob(sample_hidden(hidden_mean(v), rng)); }

Tensor Rbm::reconstruct_mean(const Tensor& v) const { return visible_prob(hidden_mean(v)); }

double cd1_epoch(Rbm& rbm, const Tensor& data, data::BatchSampler& batches, const CdSettings& s, float momentum, Rng& rng) {
    double error = 0;
    for (const std::vector<std::size_t>& rows : batches.epoch()) {
        const Tensor v0 = data.gather_rows(rows);
        const CdStep step = rbm.cd1(v0, rng);
        rbm.update(step, s.lr, momentum, s.weight_decay);
        error += error_per_image(v0, step.v1) * static_cast<double>(rows.size());
    }
    return error / static_cast<double>(data.rows());
}

void unroll(const std::vector<Rbm>& rbms, DeepAutoencoder& model) {
    if (rbms.size() != model.enc.size())
        throw ShapeError("unroll: " + std::to_string(rbms.size()) + " RBMs for a deep autoencoder of " +
                         std::to_string(model.enc.size()) + " encoder layers");
    for (std::size_t i = 0; i < rbms.size(); ++i)  // all checked before any is copied
        if (rbms[i].W.shape() != model.enc[i]->weight().shape())
            throw ShapeError("unroll: RBM " + std::to_string(i) + " has W " + rbms[i].W.shape().str() +
                             ", the encoder's layer " + std::to_string(i) + " a weight " +
                             model.enc[i]->weight().shape().str());
    for (std::size_t i = 0; i < rbms.size(); ++i) {
        model.enc[i]->weight().mutable_value() = rbms[i].W;
        model.enc[i]->bias().mutable_value() = rbms[i].b;
        Linear& mirror = *model.dec[rbms.size() - 1 - i];
        mirror.weight().mutable_value() = rbms[i].W.transpose();
        mirror.bias().mutable_value() = rbms[i].c;
    }
}

}  // namespace hg::models
