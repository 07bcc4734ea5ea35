// The deep autoencoder of Hinton & Salakhutdinov (2006), "Reducing the Dimensionality of Data
// with Neural Networks", Science 313(5786): encoder 784-1000-500-250-30 with a linear code,
// and the mirror-image decoder 30-250-500-1000-784 ending in logits (the sigmoid is inside
// the loss, bce_with_logits, during training; reconstruct() applies it). Tutorial 11 trains it
// from a random start with SELU units; tutorial 16 with the paper's sigmoid units, from an
// unrolled stack of RBMs (models/rbm.hpp). bench/pytorch/deep_ae.py is the same network.
//
//   hg::models::DeepAutoencoder model(hg::models::deep_ae_sizes(30), "selu", rng);
//   hg::Adam opt(model.parameters(), hg::AdamOptions(1e-3f));      // tutorial 11's recipe
//   loss = hg::bce_with_logits(model(x), x);
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "nn/linear.hpp"
#include "nn/module.hpp"
#include "nn/sequential.hpp"
#include "tensor/rng.hpp"

namespace hg::models {

// {784, 1000, 500, 250, code}: the paper's layer sizes with a code of your choosing.
std::vector<std::size_t> deep_ae_sizes(std::size_t code = 30);

class DeepAutoencoder : public Module {
public:
    // sizes: the encoder's layer widths, input first; activation: selu | relu | sigmoid.
    DeepAutoencoder(const std::vector<std::size_t>& sizes, const std::string& activation, Rng& rng);
    Var encode(const Var& x) { return (*encoder)(x); }
    Var forward(const Var& x) override { return (*decoder)(encode(x)); }  // logits

    std::shared_ptr<Sequential> encoder, decoder;
    std::vector<std::shared_ptr<Linear>> enc, dec;  // the Linear layers: bottom-up; top-down
};

// x̂ = σ(model(x)) for every row of x, `batch` rows at a time, in evaluation mode and without
// a graph (hg::EvalGuard; the model's mode is restored after): the reconstruction of a
// model that outputs logits.
Tensor reconstruct(Module& model, const Tensor& x, std::size_t batch = 1000);

// Squared error per image: Σ over pixels of (x − x̂)², averaged over the rows (the measure
// of Hinton & Salakhutdinov 2006, with pixels in [0, 1]).
double error_per_image(const Tensor& x, const Tensor& x_hat);

}  // namespace hg::models
