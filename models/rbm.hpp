// The restricted Boltzmann machine (Smolensky 1986; Hinton 2002, "Training Products of
// Experts by Minimizing Contrastive Divergence", Neural Computation 14(8)), trained with
// CD-1 and the settings of Hinton (2010), "A Practical Guide to Training Restricted
// Boltzmann Machines" (UTML TR 2010-003). Tutorial 15 trains one; tutorial 16 trains a stack
// and unrolls it into the deep autoencoder (models/deep_autoencoder.hpp), as Hinton &
// Salakhutdinov (2006) did.
//
//   p(h_j = 1 | v) = σ(b_j + W_j·v)        p(v_i = 1 | h) = σ(c_i + W_iᵀ·h)
//   CD-1:  ΔW = ⟨h0 v0ᵀ⟩ − ⟨h1 v1ᵀ⟩,  Δb = ⟨h0⟩ − ⟨h1⟩,  Δc = ⟨v0⟩ − ⟨v1⟩
//
// CD-1 is not the gradient of any loss autograd could differentiate, so an RBM is no Module:
// its parameters are plain tensors and update() applies the step with momentum.
//
//   hg::models::Rbm rbm(784, 1000, hg::models::Hidden::binary, rng);
//   const hg::models::CdStep s = rbm.cd1(batch, rng);         // the statistics of one step
//   rbm.update(s, settings.lr, momentum, settings.weight_decay);
//   hg::models::cd1_epoch(rbm, data, batches, settings, momentum, rng);   // an epoch of them
#pragma once

#include <algorithm>
#include <cstddef>
#include <vector>

#include "data/batching.hpp"
#include "models/deep_autoencoder.hpp"
#include "tensor/rng.hpp"
#include "tensor/tensor.hpp"

namespace hg::models {

enum class Hidden { binary, gaussian };  // Gaussian: linear units with unit variance (a real-valued code)

// The step sizes tutorial 15 chose for Fashion-MNIST (its page says how).
struct CdSettings {
    float lr = 0.05f;              // ε
    float momentum = 0.5f;         // the first epochs, then final_momentum
    float final_momentum = 0.7f;
    int momentum_switch = 5;       // epoch after which final_momentum is used
    float weight_decay = 2e-4f;    // on W only
    std::size_t batch = 20;
};

// The statistics of one CD-1 step on a mini-batch.
struct CdStep {
    Tensor dW, db, dc;  // ⟨h0 v0ᵀ⟩ − ⟨h1 v1ᵀ⟩, ⟨h0⟩ − ⟨h1⟩, ⟨v0⟩ − ⟨v1⟩
    Tensor v1;          // the reconstruction p(v | h0)
};

// A binary draw with P(1) = p, element by element.
Tensor bernoulli(const Tensor& p, Rng& rng);

class Rbm {
public:
    Rbm(std::size_t visible, std::size_t hidden, Hidden units, Rng& rng);

    std::size_t visible() const { return W.cols(); }
    std::size_t hidden() const { return W.rows(); }

    // Start the visible biases at log(p / (1 − p)), p the mean of each input over the data:
    // then an RBM with W = 0 already gives every pixel its average (Hinton 2010, §8).
    void init_visible_bias(const Tensor& data);

    // E[h | v]: σ(v·Wᵀ + b) for binary units; v·Wᵀ + b for Gaussian ones (their mean).
    Tensor hidden_mean(const Tensor& v) const;
    // A draw of h given its mean: Bernoulli(p), or mean + N(0, 1).
    Tensor sample_hidden(const Tensor& mean, Rng& rng) const;
    // p(v = 1 | h) = σ(h·W + c).
    Tensor visible_prob(const Tensor& h) const;

    // One CD-1 step on the rows of v0 (the statistics only; update() applies them). As in
    // the paper's code, v1 is the probability p(v|h0), not a binary draw.
    CdStep cd1(const Tensor& v0, Rng& rng) const;
    // inc = momentum·inc + ε·(Δ − λW);  W += inc  (likewise b and c, without decay).
    void update(const CdStep& s, float lr, float momentum, float weight_decay);

    // The reconstruction CD sees: v → a DRAW of h → p(v|h). Stochastic.
    Tensor reconstruct_sampled(const Tensor& v, Rng& rng) const;
    // The deterministic ("mean-field") reconstruction σ(c + Wᵀσ(b + W v)): an autoencoder.
    Tensor reconstruct_mean(const Tensor& v) const;

    Hidden units;
    Tensor W, b, c;              // W (hidden x visible), hidden biases b, visible biases c
    Tensor W_inc, b_inc, c_inc;  // momentum
};

// One epoch of CD-1 over the rows of data in the sampler's mini-batches: cd1() and update()
// on each. Returns the reconstruction error per example, Σ (v0 − v1)² averaged over the rows
// (what the paper's code prints).
double cd1_epoch(Rbm& rbm, const Tensor& data, data::BatchSampler& batches, const CdSettings& s, float momentum, Rng& rng);

// f over the rows of x, `batch` rows at a time (keeps memory small for the big layers).
template <class F>
Tensor by_rows(const Tensor& x, F f, std::size_t batch = 2000) {
    std::vector<Tensor> parts;
    for (std::size_t start = 0; start < x.rows(); start += batch)
        parts.push_back(f(x.slice_rows(start, std::min(x.rows(), start + batch))));
    return Tensor::concat_rows(parts);
}

// Unroll a stack of RBMs (bottom first) into a deep autoencoder of the same sizes: encoder
// layer i gets (W_i, b_i), the decoder layer that mirrors it (W_iᵀ, c_i).
void unroll(const std::vector<Rbm>& rbms, DeepAutoencoder& model);

}  // namespace hg::models
