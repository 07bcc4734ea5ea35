#include "models/deep_autoencoder.hpp"

#include <algorithm>

#include "autograd/ops.hpp"
#include "autograd/var.hpp"
#include "nn/activation.hpp"
#include "tensor/error.hpp"

namespace hg::models {

namespace {

std::shared_ptr<Module> make_activation(const std::string& name) {
    if (name == "selu") return std::make_shared<SELU>();
    if (name == "relu") return std::make_shared<ReLU>();
    if (name == "sigmoid") return std::make_shared<Sigmoid>();
    throw ValueError("DeepAutoencoder: no activation '" + name + "' (selu | relu | sigmoid)");
}

}  // namespace

std::vector<std::size_t> deep_ae_sizes(std::size_t code) { return {784, 1000, 500, 250, code}; }

DeepAutoencoder::DeepAutoencoder(const std::vector<std::size_t>& sizes, const std::string& activation, Rng& rng)
    : Module("DeepAutoencoder") {
    encoder = register_module("encoder", std::make_shared<Sequential>());
    decoder = register_module("decoder", std::make_shared<Sequential>());
    const std::size_t layers = sizes.size() - 1;
    for (std::size_t i = 0; i < layers; ++i) {
        enc.push_back(std::make_shared<Linear>(sizes[i], sizes[i + 1], rng));
        encoder->add(enc.back());
        if (i + 1 < layers) encoder->add(make_activation(activation));
    }
    for (std::size_t i = layers; i > 0; --i) {
        dec.push_back(std::make_shared<Linear>(sizes[i], sizes[i - 1], rng));
        decoder->add(dec.back());
        if (i > 1) decoder->add(make_activation(activation));
    }
}

Tensor reconstruct(Module& model, const Tensor& x, std::size_t batch) {
    EvalGuard evaluating(model);  // no graph, and evaluation mode: a model with dropout or batch norm must not train here
    std::vector<Tensor> parts;
    for (std::size_t start = 0; start < x.rows(); start += batch)
        parts.push_back(sigmoid(model(Var::constant(x.slice_rows(start, std::min(x.rows(), start + batch))))).value());
    return Tensor::concat_rows(parts);
}

double error_per_image(const Tensor& x, const Tensor& x_hat) {
    return sum(square(x - x_hat)).item() / static_cast<double>(x.rows());
}

}  // namespace hg::models
