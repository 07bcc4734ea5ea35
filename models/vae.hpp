// The variational autoencoder of Kingma & Welling (2014), "Auto-Encoding Variational Bayes"
// (ICLR, arXiv:1312.6114), in the shape of PyTorch's example VAE (bench/pytorch/vae.py):
// encoder 784-400 (ReLU) with two linear heads μ and logvar = log σ² (latent each), decoder
// latent-400 (ReLU)-784 logits. Tutorial 13 trains it with latent 2 and 20, Adam 1e-3,
// batch 128, on the negative ELBO per image (vae_loss):
//
//   loss(x) ≈ Σ_pixels BCE(x, σ(decoder(z)))  +  KL(N(μ, σ²) ‖ N(0, I)),   z = μ + σ·ε
//
//   hg::models::Vae model(20, rng);
//   hg::Adam opt(model.parameters(), hg::AdamOptions(1e-3f));
//   loss = hg::models::vae_loss(model, x, rng).total();
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>

#include "autograd/ops.hpp"
#include "nn/linear.hpp"
#include "nn/module.hpp"
#include "nn/sequential.hpp"
#include "tensor/rng.hpp"

namespace hg::models {

struct Posterior {
    Var mu, logvar;  // (N x latent) each: q(z | x) = N(μ, diag e^logvar)
};

class Vae : public Module {
public:
    Vae(std::size_t latent, Rng& rng);
    Posterior encode(const Var& x);
    Var decode(const Var& z) { return (*decoder)(z); }  // logits: p(pixel on) = σ(logit)
    // The deterministic path, for pictures: decode the posterior's mean.
    Var forward(const Var& x) override { return decode(encode(x).mu); }

    std::shared_ptr<Linear> hidden, to_mu, to_logvar;
    std::shared_ptr<Sequential> decoder;
};

// The loss of a batch, per image: BCE summed over pixels, and KL, both averaged over rows.
struct VaeLoss {
    Var bce, kl;
    Var total() const { return bce + kl; }
};

// One sample z per image, by the reparameterisation trick (z = μ + e^(logvar/2)·ε).
VaeLoss vae_loss(Vae& model, const Var& x, Rng& rng);

// vae_loss over every row of x, without a graph: a one-sample estimate of the negative
// ELBO per image, as in training, with the draws of Rng(seed) (the same every call).
struct VaeScore {
    double bce = 0, kl = 0;
    double loss() const { return bce + kl; }
};
VaeScore vae_score(Vae& model, const Tensor& x, std::uint64_t seed);

// μ for every row of x: the code the VAE gives an image, without sampling.
Tensor posterior_means(Vae& model, const Tensor& x);

}  // namespace hg::models
