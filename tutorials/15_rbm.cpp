// Tutorial 15 — the restricted Boltzmann machine, and the autoencoder/RBM question.
//
// An RBM (Smolensky 1986; Hinton 2002, "Training Products of Experts by Minimizing
// Contrastive Divergence", Neural Computation 14(8)) is a probability model of binary
// vectors v (the pixels) with a layer of hidden units h. Its energy, and the probability it
// gives to a pair (v, h), are
//
//   E(v, h) = −cᵀv − bᵀh − hᵀW v          p(v, h) = exp(−E(v, h)) / Z
//
// with W (hidden x visible), hidden biases b, visible biases c, and Z the sum of exp(−E)
// over every (v, h) — 2^(784+1000) terms, never computed. There are no hidden-hidden and no
// visible-visible weights ("restricted"), so each layer is independent given the other:
//
//   p(h_j = 1 | v) = σ(b_j + W_j·v)        p(v_i = 1 | h) = σ(c_i + W_iᵀ·h)
//
// Learning maximises the log-likelihood of the training images. Its gradient is a
// difference of two averages of v hᵀ:
//
//   ∂ log p(v) / ∂W = E[h vᵀ | v = data]  −  E[h vᵀ]_model
//
// The first term is easy: p(h|v) in closed form. The second is an average under the
// model's own distribution — what the RBM "believes" — and the only way to get at it is to
// draw samples by alternating Gibbs sampling (h from v, v from h, ...) until the chain
// forgets where it started. Contrastive divergence (CD-1) stops after ONE step, started at
// the data:
//
//   v0 = data,  h0 ~ p(h|v0),  v1 = p(v|h0) (the "reconstruction"),  h1 = p(h|v1)
//   ΔW = ε (⟨h0 v0ᵀ⟩ − ⟨h1 v1ᵀ⟩),   Δb = ε (⟨h0⟩ − ⟨h1⟩),   Δc = ε (⟨v0⟩ − ⟨v1⟩)
//
// (⟨·⟩ the average over a mini-batch), plus momentum and a little weight decay (Hinton 2010,
// "A Practical Guide to Training Restricted Boltzmann Machines", UTML TR 2010-003).
//
// Why autograd does not give us this update. Autograd differentiates a number we can
// compute; the log-likelihood needs log Z, which we cannot compute, and its gradient's
// second term is an expectation under the model, which autograd has no way to form. CD-1
// replaces that expectation by one sample that starts at the data and depends on W through
// a random draw — and then ignores that dependence. The result is not the gradient of the
// likelihood, nor of any other fixed function of W in general (Sutskever & Tieleman 2010,
// "On the Convergence Properties of Contrastive Divergence", AISTATS: the CD field has a
// curl, so no objective has it as gradient). Step 2 shows the closest autograd gets: the
// CD-1 update is the gradient of F(v0) − F(v1), the free energy of the data minus that of
// the reconstruction — but only if v1 is held constant, i.e. a NEW surrogate at every step.
//
// The autoencoder question. The course says "an RBM is an autoencoder with two layers —
// debatable". The deterministic RBM reconstruction v̂ = σ(c + Wᵀσ(b + W v)) is exactly a
// tied-weight sigmoid autoencoder: same formula, same parameters. What differs is the
// training signal (CD pushes the model's distribution toward the data; the autoencoder pushes
// the reconstruction toward the input), and that the RBM is stochastic and generative
// (its Gibbs chain draws new images; an autoencoder has no sampler). Step 4 measures it.
//
// Then the 2006 paper: Hinton & Salakhutdinov, "Reducing the Dimensionality of Data with
// Neural Networks", Science 313(5786). A stack of RBMs 784-1000-500-250-30 (each trained on
// the hidden probabilities of the one below; the top one with linear, unit-variance
// Gaussian hidden units, so the code is real-valued) is unrolled into tutorial 11's deep
// autoencoder: the encoder gets W and b of each RBM, the decoder Wᵀ and c. Fine-tuned with
// backpropagation, it is compared with the same network from a random start, same epochs,
// same optimiser, same mini-batches. Both use the paper's sigmoid units: the pretrained
// weights are what sigmoid hidden units learned, so only a sigmoid network can use them —
// and sigmoid units are where a random start does badly (tutorial 11; PyTorch: 17.1 per
// image after 20 epochs, worse than PCA).
//
// Smaller than the paper (which used 60,000 images, 50 epochs of CD per layer and 200 of
// conjugate-gradient fine-tuning): by default 10,000 training images, 10 epochs of CD-1 per
// layer and 10 of fine-tuning with Adam (about 2 minutes of CPU on one core).
//
// Measured (seed 42, the default full run): CD-1 lowered the RBM's reconstruction error on
// the training batches from 24.50 to 13.39 per image; on test images the trained RBM
// reconstructs at 8.79 through p(h|v) and 13.98 through a binary draw of h, while the tied
// autoencoder with the same 784-1000-784 formula, epochs and batches reaches 3.70. The
// unrolled stack starts fine-tuning at 15.68 (random weights: 135.7; the mean image: 67.9)
// and ends at 8.80; the same network from a random start ends at 27.32. The pretrained one
// beats PCA-30 (12.24, tutorial 11), the random start does not. A larger learning rate does
// not rescue the random start (--lr 0.003: pretrained 8.26, random 32.79).
#include <algorithm>
#include <cmath>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "data/batching.hpp"
#include "data/idx.hpp"
#include "data/paths.hpp"
#include "nn/nn.hpp"
#include "tensor/matmul.hpp"
#include "tutorials/common/picture.hpp"
#include "tutorials/common/tutorial.hpp"

using hg::Tensor;
using hg::Var;
namespace tut = hg::tutorial;

namespace {

// σ(x) element by element, on plain tensors (the RBM needs no graph).
Tensor sigmoid(const Tensor& x) {
    Tensor y(x.shape());
    for (std::size_t i = 0; i < x.numel(); ++i) y[i] = 1.0f / (1.0f + std::exp(-x[i]));
    return y;
}

// A binary draw with P(1) = p, element by element.
Tensor bernoulli(const Tensor& p, hg::Rng& rng) {
    Tensor x(p.shape());
    for (std::size_t i = 0; i < x.numel(); ++i) x[i] = static_cast<float>(rng.uniform() < p[i]);
    return x;
}

// Squared error per image: Σ over pixels of (x − x̂)², averaged over the rows.
double error_per_image(const Tensor& x, const Tensor& x_hat) {
    return hg::sum(hg::square(x - x_hat)).item() / static_cast<double>(x.rows());
}

// ---------------------------------------------------------------------------------------
// The restricted Boltzmann machine.

enum class Hidden { binary, gaussian };

struct CdSettings {
    float lr = 0.05f;              // ε (see step 3 for why not the guide's 0.1)
    float momentum = 0.5f;         // the first epochs, then final_momentum (Hinton 2010, §9,
    float final_momentum = 0.7f;   // suggests 0.9: here it made the error jump up; see step 3)
    int momentum_switch = 5;       // epoch after which final_momentum is used
    float weight_decay = 2e-4f;    // on W only
    std::size_t batch = 20;
};

// The statistics of one CD-1 step on a mini-batch.
struct CdStep {
    Tensor dW, db, dc;  // ⟨h0 v0ᵀ⟩ − ⟨h1 v1ᵀ⟩, ⟨h0⟩ − ⟨h1⟩, ⟨v0⟩ − ⟨v1⟩
    Tensor v1;          // the reconstruction p(v | h0)
};

class Rbm {
public:
    Rbm(std::size_t visible, std::size_t hidden, Hidden units, hg::Rng& rng)
        : units(units),
          W(Tensor::normal({hidden, visible}, 0.0f, 0.01f, rng)),  // small random weights
          b(Tensor::zeros({hidden})),
          c(Tensor::zeros({visible})),
          W_inc(Tensor::zeros({hidden, visible})),
          b_inc(Tensor::zeros({hidden})),
          c_inc(Tensor::zeros({visible})) {}

    std::size_t visible() const { return W.cols(); }
    std::size_t hidden() const { return W.rows(); }

    // Start the visible biases at log(p / (1 − p)), p the mean of each input over the data:
    // then an RBM with W = 0 already gives every pixel its average (Hinton 2010, §8).
    void init_visible_bias(const Tensor& data) {
        const Tensor p = hg::clamp(hg::mean(data, 0), 0.001f, 0.999f);
        c = hg::log(p / (1.0f - p));
    }

    // E[h | v]: σ(v·Wᵀ + b) for binary units; v·Wᵀ + b for Gaussian ones (their mean).
    Tensor hidden_mean(const Tensor& v) const {
        const Tensor a = hg::matmul(v, W, false, true) + b;
        return units == Hidden::binary ? sigmoid(a) : a;
    }
    // A draw of h given its mean: Bernoulli(p), or mean + N(0, 1).
    Tensor sample_hidden(const Tensor& mean, hg::Rng& rng) const {
        if (units == Hidden::binary) return bernoulli(mean, rng);
        Tensor h = mean;
        for (std::size_t i = 0; i < h.numel(); ++i) h[i] += rng.normal();
        return h;
    }
    // p(v = 1 | h) = σ(h·W + c).
    Tensor visible_prob(const Tensor& h) const { return sigmoid(hg::matmul(h, W) + c); }

    // One CD-1 step on the rows of v0 (the statistics only; update() applies them).
    // As in the paper's code, the reconstruction v1 is the probability p(v|h0), not a binary
    // draw, and the statistics use probabilities where they can: less noise, same mean.
    CdStep cd1(const Tensor& v0, hg::Rng& rng) const {
        const float m = static_cast<float>(v0.rows());
        const Tensor h0 = hidden_mean(v0);                    // positive phase, from the data
        const Tensor v1 = visible_prob(sample_hidden(h0, rng));  // one Gibbs step down...
        const Tensor h1 = hidden_mean(v1);                    // ...and up: negative phase
        CdStep s;
        s.dW = (hg::matmul(h0, v0, true, false) - hg::matmul(h1, v1, true, false)) * (1.0f / m);
        s.db = hg::mean(h0, 0) - hg::mean(h1, 0);
        s.dc = hg::mean(v0, 0) - hg::mean(v1, 0);
        s.v1 = v1;
        return s;
    }

    // inc = momentum·inc + ε·(Δ − λW);  W += inc  (likewise b and c, without decay).
    void update(const CdStep& s, float lr, float momentum, float weight_decay) {
        W_inc = W_inc * momentum + (s.dW - W * weight_decay) * lr;
        b_inc = b_inc * momentum + s.db * lr;
        c_inc = c_inc * momentum + s.dc * lr;
        W += W_inc;
        b += b_inc;
        c += c_inc;
    }

    // The reconstruction CD sees: v → a DRAW of h → p(v|h). Stochastic.
    Tensor reconstruct_sampled(const Tensor& v, hg::Rng& rng) const {
        return visible_prob(sample_hidden(hidden_mean(v), rng));
    }
    // The deterministic ("mean-field") reconstruction σ(c + Wᵀσ(b + W v)): an autoencoder.
    Tensor reconstruct_mean(const Tensor& v) const { return visible_prob(hidden_mean(v)); }

    Hidden units;
    Tensor W, b, c;
    Tensor W_inc, b_inc, c_inc;  // momentum
};

// Train an RBM with CD-1 on the rows of data. Returns the reconstruction error per image of
// each epoch (the average over its mini-batches of Σ (v0 − v1)², as the paper's code prints it).
std::vector<double> train_rbm(Rbm& rbm, const Tensor& data, int epochs, const CdSettings& s, hg::Rng& rng,
                              tut::Progress& progress, int& done) {
    hg::data::BatchSampler batches(data.rows(), s.batch, rng);
    std::vector<double> curve;
    for (int e = 1; e <= epochs; ++e) {
        const float momentum = e > s.momentum_switch ? s.final_momentum : s.momentum;
        double error = 0;
        for (const std::vector<std::size_t>& rows : batches.epoch()) {
            const Tensor v0 = data.gather_rows(rows);
            const CdStep step = rbm.cd1(v0, rng);
            rbm.update(step, s.lr, momentum, s.weight_decay);
            error += error_per_image(v0, step.v1) * static_cast<double>(rows.size());
        }
        curve.push_back(error / static_cast<double>(data.rows()));
        if (!std::isfinite(curve.back())) throw std::runtime_error("CD-1 diverged at epoch " + std::to_string(e));
        progress.update(++done, "reconstruction error " + tut::fixed(curve.back(), 2));
    }
    return curve;
}

// f over the rows of x in batches of 2000 (keeps memory small for the big layers).
template <class F>
Tensor apply(const Tensor& x, F f) {
    std::vector<Tensor> parts;
    for (std::size_t start = 0; start < x.rows(); start += 2000)
        parts.push_back(f(x.slice_rows(start, std::min(x.rows(), start + 2000))));
    return Tensor::concat_rows(parts);
}

// ---------------------------------------------------------------------------------------
// Autoencoders.

// The one-layer tied autoencoder with the RBM's formula: x̂ = σ(c + σ(x·Wᵀ + b)·W).
struct TiedAutoencoder {
    TiedAutoencoder(std::size_t visible, std::size_t hidden, hg::Rng& rng)
        : encoder(visible, hidden, rng), decoder(encoder, rng) {}
    Var logits(const Var& x) { return decoder(hg::sigmoid(encoder(x))); }
    Tensor reconstruct(const Tensor& x) {
        hg::NoGradGuard no_grad;
        return apply(x, [&](const Tensor& xb) { return hg::sigmoid(logits(Var::constant(xb))).value(); });
    }
    std::vector<Var> parameters() const {
        std::vector<Var> p = encoder.parameters();
        for (const Var& q : decoder.parameters()) p.push_back(q);
        return p;
    }
    hg::Linear encoder;
    hg::TiedLinear decoder;
};

// Tutorial 11's deep autoencoder with sigmoid units: encoder 784-1000-500-250-30 (a linear
// code), decoder 30-250-500-1000-784 (logits; the sigmoid is in the loss). Its Linear layers
// are kept in two lists so that the RBMs can be copied in.
class DeepAutoencoder : public hg::Module {
public:
    DeepAutoencoder(const std::vector<std::size_t>& sizes, hg::Rng& rng) : Module("DeepAutoencoder") {
        encoder = register_module("encoder", std::make_shared<hg::Sequential>());
        decoder = register_module("decoder", std::make_shared<hg::Sequential>());
        const std::size_t layers = sizes.size() - 1;
        for (std::size_t i = 0; i < layers; ++i) {
            enc.push_back(std::make_shared<hg::Linear>(sizes[i], sizes[i + 1], rng));
            encoder->add(enc.back());
            if (i + 1 < layers) encoder->add(std::make_shared<hg::Sigmoid>());
        }
        for (std::size_t i = layers; i > 0; --i) {
            dec.push_back(std::make_shared<hg::Linear>(sizes[i], sizes[i - 1], rng));
            decoder->add(dec.back());
            if (i > 1) decoder->add(std::make_shared<hg::Sigmoid>());
        }
    }
    Var forward(const Var& x) override { return (*decoder)((*encoder)(x)); }  // logits

    // Unroll a stack of RBMs (bottom first): encoder layer i = (W_i, b_i), and the decoder
    // layer that mirrors it = (W_iᵀ, c_i).
    void load_rbms(const std::vector<Rbm>& rbms) {
        for (std::size_t i = 0; i < rbms.size(); ++i) {
            enc[i]->weight().value() = rbms[i].W;
            enc[i]->bias().value() = rbms[i].b;
            hg::Linear& mirror = *dec[rbms.size() - 1 - i];
            mirror.weight().value() = rbms[i].W.transpose();
            mirror.bias().value() = rbms[i].c;
        }
    }

    Tensor reconstruct(const Tensor& x) {
        hg::NoGradGuard no_grad;
        return apply(x, [&](const Tensor& xb) { return hg::sigmoid(forward(Var::constant(xb))).value(); });
    }

    std::shared_ptr<hg::Sequential> encoder, decoder;
    std::vector<std::shared_ptr<hg::Linear>> enc, dec;  // bottom-up; top-down
};

// Fine-tune with Adam on cross-entropy (bce_with_logits), the learning rate falling linearly
// to 0; the batches come from their own seed, so two models see the same mini-batches.
// Returns the test error per image after each epoch.
std::vector<double> fine_tune(DeepAutoencoder& model, const Tensor& x, const Tensor& x_test, int epochs, float lr,
                              std::size_t batch, std::uint64_t batch_seed, tut::Progress& progress) {
    hg::Adam opt(model.parameters(), hg::AdamOptions(lr));
    hg::Rng rng(batch_seed);
    hg::data::BatchSampler batches(x.rows(), batch, rng);
    std::vector<double> curve;
    for (int e = 1; e <= epochs; ++e) {
        opt.set_lr(lr * static_cast<float>(epochs - e + 1) / static_cast<float>(epochs));
        for (const std::vector<std::size_t>& rows : batches.epoch()) {
            const Var xb = Var::constant(x.gather_rows(rows));
            Var loss = hg::bce_with_logits(model(xb), xb);
            opt.zero_grad();
            loss.backward();
            opt.step();
        }
        curve.push_back(error_per_image(x_test, model.reconstruct(x_test)));
        if (!std::isfinite(curve.back())) throw std::runtime_error("fine-tuning diverged at epoch " + std::to_string(e));
        progress.update(e, "test error " + tut::fixed(curve.back(), 2));
    }
    return curve;
}

}  // namespace

int main(int argc, char** argv) {
    tut::Tutorial t("15_rbm", "The restricted Boltzmann machine, and the autoencoder/RBM question");
    std::size_t train_images = 0;
    int rbm_epochs = 0;
    float lr = 1e-3f, gaussian_lr = 3e-3f;
    CdSettings cd;
    t.app().add_option("--train-images", train_images, "Training images (default 10000; --quick 1500)")
        ->check(CLI::Range(200, 60000));
    t.app().add_option("--rbm-epochs", rbm_epochs, "Epochs of CD-1 per RBM and of the one-layer autoencoder (default 10; --quick 4)")
        ->check(CLI::PositiveNumber);
    t.app().add_option("--lr", lr, "Adam's learning rate for fine-tuning and the one-layer autoencoder")
        ->check(CLI::PositiveNumber);
    t.app().add_option("--cd-lr", cd.lr, "CD-1 learning rate ε of the binary RBMs")->check(CLI::PositiveNumber);
    t.app().add_option("--cd-batch", cd.batch, "Mini-batch size of CD-1 and of the one-layer autoencoder (default 20)")->check(CLI::PositiveNumber);
    t.app().add_option("--cd-momentum", cd.final_momentum, "CD-1 momentum after the first epochs")->check(CLI::Range(0.0, 0.99));
    t.app().add_option("--gaussian-lr", gaussian_lr, "CD-1 learning rate of the top RBM (linear hidden units)")
        ->check(CLI::PositiveNumber);
    return t.run(argc, argv, [&] {
        const bool quick = t.options().quick;
        const int epochs = t.epochs(10, 4);  // fine-tuning epochs
        if (train_images == 0) train_images = quick ? 1500 : 10000;
        if (rbm_epochs == 0) rbm_epochs = quick ? 4 : 10;  // CD-1 epochs per RBM, and the one-layer AE's
        const std::size_t test_images = quick ? 1000 : 10000;
        const std::uint64_t seed = t.options().seed;
        const std::vector<std::size_t> sizes = {784, 1000, 500, 250, 30};

        t.step(1, "Fashion-MNIST");
        const std::string dir = hg::data::require_fashion_mnist(t.options().data);
        const hg::data::ImageSet train = hg::data::fashion_mnist("train", train_images, dir);
        const hg::data::ImageSet test = hg::data::fashion_mnist("t10k", test_images, dir);
        const Tensor& x = train.images;
        const Tensor& x_test = test.images;
        t.say() << "train " << x.shape() << ", test " << x_test.shape()
                << ", pixels in [0, 1] (grey levels, used as the probabilities of binary pixels); mean pixel "
                << tut::fixed(hg::mean(x).item(), 3) << "\n";
        const double mean_image_error = error_per_image(x_test, Tensor::zeros(x_test.shape()) + hg::mean(x, 0));
        t.say() << "squared error per image of predicting every test image by the mean image: "
                << tut::fixed(mean_image_error, 2) << "\n";

        t.step(2, "One CD-1 step written out, and what autograd can say about it");
        hg::Rng rng(seed);
        Rbm rbm(784, sizes[1], Hidden::binary, rng);
        rbm.init_visible_bias(x);
        t.say() << "RBM: W " << rbm.W.shape() << " (hidden x visible), b " << rbm.b.shape() << ", c " << rbm.c.shape()
                << "; W ~ N(0, 0.01²), c = log(p / (1 − p)) of each pixel's mean\n";
        {
            const Tensor v0 = x.slice_rows(0, cd.batch);
            hg::Rng step_rng(seed + 1);
            const CdStep s = rbm.cd1(v0, step_rng);
            t.say() << "a batch v0 " << v0.shape() << " -> h0 = p(h|v0), a binary draw of h0 -> v1 = p(v|h0) "
                    << s.v1.shape() << " -> h1 = p(h|v1)\n"
                    << "ΔW = ⟨h0 v0ᵀ⟩ − ⟨h1 v1ᵀ⟩ " << s.dW.shape() << ", first entries:";
            for (std::size_t i = 0; i < 4; ++i) t.say() << " " << tut::scientific(s.dW[200 + i], 3);
            t.say() << "\nΔc first entries:";
            for (std::size_t i = 0; i < 4; ++i) t.say() << " " << tut::scientific(s.dc[200 + i], 3);
            t.say() << "\n";

            // The free energy of v (h summed out): F(v) = −cᵀv − Σ_j softplus(b_j + W_j·v), so
            // that p(v) = exp(−F(v)) / Z. Autograd of mean F(v0) − mean F(v1), with the
            // reconstruction v1 frozen as a constant, gives −(ΔW, Δb, Δc).
            Var W = Var::parameter(rbm.W, "W"), b = Var::parameter(rbm.b, "b"), c = Var::parameter(rbm.c, "c");
            auto free_energy = [&](const Tensor& v) {
                const Var vv = Var::constant(v);
                const Var visible_term = hg::matmul(vv, hg::reshape(c, {c.shape()[0], 1}));  // (m x 1)
                const Var hidden_term = hg::sum(hg::softplus(hg::linear(vv, W, b)), 1, true);
                return hg::mean(-visible_term - hidden_term);
            };
            Var surrogate = free_energy(v0) - free_energy(s.v1);
            surrogate.backward();
            const float diff = std::max({hg::max_abs_diff(-W.grad(), s.dW), hg::max_abs_diff(-b.grad(), s.db),
                                         hg::max_abs_diff(-c.grad(), s.dc)});
            t.say() << "autograd of F(v0) − F(v1), v1 held constant: largest difference from the CD update "
                    << tut::scientific(diff, 2) << " (the update's largest entry " << tut::scientific(hg::max(hg::abs(s.dW)).item(), 2)
                    << ")\n";
            t.check(diff < 1e-5f, "the CD-1 update = −∇[F(v0) − F(v1)] with the reconstruction v1 held fixed");
            t.say() << "But v1 was drawn using W: the surrogate changes at every step, and the update is not the\n"
                    << "gradient of the log-likelihood (whose model term needs Z) nor of any fixed objective.\n";
        }

        t.step(3, "Train the RBM " + std::to_string(784) + "-" + std::to_string(sizes[1]) + " with CD-1");
        // The step sizes. Hinton's guide suggests ε = 0.1 and momentum 0.9 (for MNIST). CD's
        // step grows with the size of the inputs, and Fashion-MNIST images hold about twice
        // MNIST's ink (mean pixel 0.29 against 0.13). Measured here (2,000 images, 5 epochs,
        // batch 20): ε = 0.2 never left the mean image (test error 67.7), ε = 0.1 reached 25.7,
        // ε = 0.05 16.5; and momentum 0.9 from epoch 6 made the error jump up (13.3 -> 16.4 on
        // 20,000 images) where 0.7 kept it falling. Small batches (20) give many steps per epoch.
        t.say() << "ε " << cd.lr << ", momentum " << cd.momentum << " then " << cd.final_momentum << " after epoch "
                << cd.momentum_switch << ", weight decay " << cd.weight_decay << ", batch " << cd.batch << ", "
                << rbm_epochs << " epochs on " << x.rows() << " images\n";
        hg::Rng sample_rng(seed + 2);
        const double test_before = error_per_image(x_test, rbm.reconstruct_sampled(x_test, sample_rng));
        std::vector<double> rbm_curve;
        {
            tut::Progress progress(t, "CD-1 epoch", rbm_epochs);
            int done = 0;
            rbm_curve = train_rbm(rbm, x, rbm_epochs, cd, rng, progress, done);
            progress.finish();
        }
        const double rbm_sampled = error_per_image(x_test, apply(x_test, [&](const Tensor& v) {
                                                        return rbm.reconstruct_sampled(v, sample_rng);
                                                    }));
        const double rbm_mean = error_per_image(x_test, apply(x_test, [&](const Tensor& v) { return rbm.reconstruct_mean(v); }));
        t.say() << "reconstruction error per image (training batches, during CD): epoch 1 " << tut::fixed(rbm_curve.front(), 2)
                << " -> epoch " << rbm_epochs << " " << tut::fixed(rbm_curve.back(), 2) << "\n"
                << "test images: before training " << tut::fixed(test_before, 2) << ", after: with a binary draw of h "
                << tut::fixed(rbm_sampled, 2) << ", with h = p(h|v) (deterministic) " << tut::fixed(rbm_mean, 2) << "\n";
        t.check(rbm_curve.back() < rbm_curve.front(), "the reconstruction error falls over the CD-1 epochs");
        t.check(rbm_sampled < 0.5 * test_before, "the trained RBM rebuilds unseen images (test error more than halved)");
        t.check(rbm_mean <= rbm_sampled, "the deterministic reconstruction is better than the sampled one");

        t.step(4, "The same formula trained as an autoencoder");
        // x̂ = σ(c + σ(x·Wᵀ + b)·W): copy the RBM's parameters in and it IS the RBM's
        // deterministic reconstruction.
        hg::Rng ae_rng(seed + 3);
        TiedAutoencoder ae(784, sizes[1], ae_rng);
        ae.encoder.weight().value() = rbm.W;
        ae.encoder.bias().value() = rbm.b;
        ae.decoder.parameters()[0].value() = rbm.c;  // the tied decoder's only parameter: its bias
        const float same = hg::max_abs_diff(ae.reconstruct(x_test.slice_rows(0, 100)),
                                            rbm.reconstruct_mean(x_test.slice_rows(0, 100)));
        t.say() << "the RBM's weights in a tied autoencoder: largest difference from the RBM's deterministic "
                << "reconstruction " << tut::scientific(same, 2) << "\n";
        t.check(same < 1e-5f, "a tied sigmoid autoencoder computes the RBM's deterministic reconstruction");
        // Now train that autoencoder from its own random start: same data, batch and epochs.
        TiedAutoencoder ae1(784, sizes[1], ae_rng);
        std::vector<double> ae_curve;
        {
            hg::Adam opt(ae1.parameters(), hg::AdamOptions(lr));
            hg::Rng batch_rng(seed + 4);
            hg::data::BatchSampler batches(x.rows(), cd.batch, batch_rng);
            tut::Progress progress(t, "autoencoder epoch", rbm_epochs);
            for (int e = 1; e <= rbm_epochs; ++e) {
                double error = 0;
                for (const std::vector<std::size_t>& rows : batches.epoch()) {
                    const Var xb = Var::constant(x.gather_rows(rows));
                    const Var logits = ae1.logits(xb);
                    Var loss = hg::bce_with_logits(logits, xb);
                    opt.zero_grad();
                    loss.backward();
                    opt.step();
                    error += error_per_image(xb.value(), sigmoid(logits.value())) * static_cast<double>(rows.size());
                }
                ae_curve.push_back(error / static_cast<double>(x.rows()));
                progress.update(e, "reconstruction error " + tut::fixed(ae_curve.back(), 2));
            }
            progress.finish();
        }
        const double ae1_error = error_per_image(x_test, ae1.reconstruct(x_test));
        t.say() << "test error per image, 784-" << sizes[1] << "-784, " << rbm_epochs << " epochs each:\n"
                << "  RBM (CD-1), reconstruction through a binary draw of h   " << tut::fixed(rbm_sampled, 2) << "\n"
                << "  RBM (CD-1), deterministic reconstruction             " << tut::fixed(rbm_mean, 2) << "\n"
                << "  tied autoencoder (Adam on cross-entropy)             " << tut::fixed(ae1_error, 2) << "\n";
        t.check(ae1_error < rbm_mean,
                "the autoencoder, trained on reconstruction itself, reconstructs better than the RBM");

        // The RBM is generative: a Gibbs chain v -> h -> v -> ... wanders from a test image
        // through images the model finds probable. An autoencoder has no such chain.
        const std::vector<int> shown = quick ? std::vector<int>{1, 10, 100} : std::vector<int>{1, 10, 100, 1000};
        const std::vector<std::size_t> rows = tut::one_per_class(test.labels, 10);
        std::vector<Tensor> chain_rows = {x_test.gather_rows(rows)};
        {
            Tensor v = chain_rows[0];
            hg::Rng chain_rng(seed + 5);
            for (int s = 1; s <= shown.back(); ++s) {
                const Tensor p = rbm.reconstruct_sampled(v, chain_rng);  // v -> a draw of h -> p(v|h)
                v = bernoulli(p, chain_rng);                              // a binary image drawn from it
                if (std::find(shown.begin(), shown.end(), s) != shown.end()) chain_rows.push_back(p);
            }
        }
        const std::string out = t.out_dir();
        tut::write_png_grid(out + "/gibbs_chain.png", Tensor::concat_rows(chain_rows), 28, 28, rows.size());
        tut::write_png_grid(out + "/filters.png", rbm.W.slice_rows(0, 100), 28, 28, 10, 0.0f, 0.0f);
        const Tensor originals = x_test.gather_rows(rows);
        hg::Rng picture_rng(seed + 6);
        tut::write_png_grid(out + "/reconstructions.png",
                            Tensor::concat_rows({originals, rbm.reconstruct_sampled(originals, picture_rng),
                                                 rbm.reconstruct_mean(originals), ae1.reconstruct(originals)}),
                            28, 28, rows.size());
        tut::write_svg_curves(out + "/reconstruction_error.svg", "reconstruction error per image (training batches)",
                              "epoch", "squared error per image",
                              {{"RBM, CD-1", rbm_curve}, {"tied autoencoder, Adam", ae_curve}});

        t.step(5, "A stack of RBMs 784-1000-500-250-30, each trained on the codes below it");
        std::vector<Rbm> stack;
        stack.push_back(rbm);
        {
            tut::Progress progress(t, "CD-1 epoch", rbm_epochs * static_cast<int>(sizes.size() - 2));
            int done = 0;
            Tensor input = apply(x, [&](const Tensor& v) { return rbm.hidden_mean(v); });
            for (std::size_t l = 2; l < sizes.size(); ++l) {
                const bool top = l + 1 == sizes.size();
                stack.emplace_back(sizes[l - 1], sizes[l], top ? Hidden::gaussian : Hidden::binary, rng);
                Rbm& layer = stack.back();
                layer.init_visible_bias(input);
                CdSettings s = cd;
                if (top) s.lr = gaussian_lr;  // linear units have no σ to bound them: smaller steps
                const std::vector<double> curve = train_rbm(layer, input, rbm_epochs, s, rng, progress, done);
                progress.finish();
                t.say() << "RBM " << sizes[l - 1] << "-" << sizes[l] << (top ? " (Gaussian hidden units)" : "")
                        << ": reconstruction error per example " << tut::fixed(curve.front(), 2) << " -> "
                        << tut::fixed(curve.back(), 2) << "\n";
                t.check(curve.back() < curve.front(), "RBM " + std::to_string(l) + " learned (its error fell)");
                if (!top) input = apply(input, [&](const Tensor& v) { return layer.hidden_mean(v); });
            }
        }

        t.step(6, "Unroll the stack into a deep autoencoder; fine-tune it and a random start the same way");
        hg::Rng init_rng(seed + 7);
        DeepAutoencoder pretrained(sizes, init_rng);
        pretrained.load_rbms(stack);
        DeepAutoencoder random(sizes, init_rng);
        t.say() << pretrained << "\n";
        const double unrolled_error = error_per_image(x_test, pretrained.reconstruct(x_test));
        const double random_start = error_per_image(x_test, random.reconstruct(x_test));
        t.say() << "test error before fine-tuning: unrolled RBMs " << tut::fixed(unrolled_error, 2) << ", random weights "
                << tut::fixed(random_start, 2) << " (the mean image: " << tut::fixed(mean_image_error, 2) << ")\n";
        const std::size_t batch = 100;  // larger batches than CD's: fewer, faster steps of Adam
        std::vector<double> pre_curve, rand_curve;
        {
            tut::Progress progress(t, "fine-tuning (pretrained) epoch", epochs);
            pre_curve = fine_tune(pretrained, x, x_test, epochs, lr, batch, seed + 8, progress);
            progress.finish();
        }
        {
            tut::Progress progress(t, "fine-tuning (random start) epoch", epochs);
            rand_curve = fine_tune(random, x, x_test, epochs, lr, batch, seed + 8, progress);
            progress.finish();
        }
        const double pretrained_error = pre_curve.back(), random_error = rand_curve.back();
        t.say() << "test squared error per image after " << epochs << " epochs of Adam (lr " << lr
                << " falling to 0), sigmoid units:\n"
                << "  pretrained with RBMs  " << tut::fixed(pretrained_error, 2) << "\n"
                << "  random start          " << tut::fixed(random_error, 2) << "\n"
                << "(Hinton & Salakhutdinov 2006 on MNIST: 3.00 after pretraining; tutorial 11's SELU network\n"
                << " from a random start reached 5.87 on Fashion-MNIST with all 60,000 images and 20 epochs)\n";
        t.check(pretrained_error < unrolled_error, "fine-tuning improves the unrolled stack");
        bool default_setting = t.options().epochs == 0;
        for (const char* flag : {"--train-images", "--rbm-epochs", "--lr", "--gaussian-lr", "--cd-lr", "--cd-batch"})
            default_setting = default_setting && t.app().count(flag) == 0;
        if (default_setting)
            t.check(pretrained_error < random_error,
                    "with the same fine-tuning budget, RBM pretraining beats a random start");
        else
            t.say() << "(not the default setting: no claim about pretraining vs random start)\n";

        const Tensor deep_rows = Tensor::concat_rows(
            {originals, pretrained.reconstruct(originals), random.reconstruct(originals)});
        tut::write_png_grid(out + "/deep_reconstructions.png", deep_rows, 28, 28, rows.size());
        tut::write_svg_curves(out + "/fine_tuning.svg", "deep autoencoder, test error per image", "epoch",
                              "squared error per image",
                              {{"pretrained with RBMs", pre_curve}, {"random start", rand_curve}});

        t.step(7, "RBM and autoencoder: where they agree, where they differ");
        t.say() << "AGREE\n"
                << "  the formula: the RBM's deterministic reconstruction σ(c + Wᵀσ(b + W v)) IS a tied sigmoid\n"
                << "    autoencoder (step 4: the same numbers to " << tut::scientific(same, 1) << ").\n"
                << "  both learn to reconstruct: during training the RBM's error fell " << tut::fixed(rbm_curve.front(), 2)
                << " -> " << tut::fixed(rbm_curve.back(), 2) << ", the autoencoder's " << tut::fixed(ae_curve.front(), 2)
                << " -> " << tut::fixed(ae_curve.back(), 2) << ".\n"
                << "  the weights carry over: unrolled into a deep autoencoder the RBMs reconstruct at "
                << tut::fixed(unrolled_error, 2) << " before any backpropagation\n"
                << "    (random weights " << tut::fixed(random_start, 2) << "), and fine-tune to " << tut::fixed(pretrained_error, 2)
                << " where the random start reaches " << tut::fixed(random_error, 2) << ".\n"
                << "DIFFER\n"
                << "  training signal: the autoencoder descends the gradient of its reconstruction loss; CD-1 follows\n"
                << "    ⟨h vᵀ⟩_data − ⟨h vᵀ⟩_recon, a one-sample stand-in for the likelihood gradient, itself no gradient.\n"
                << "    On reconstruction the autoencoder wins, same size and epochs: test " << tut::fixed(ae1_error, 2)
                << " against " << tut::fixed(rbm_mean, 2) << ".\n"
                << "  stochastic vs deterministic: the RBM's hidden units are binary draws; its reconstruction through\n"
                << "    a draw of h is " << tut::fixed(rbm_sampled, 2) << ", " << tut::fixed(rbm_sampled - rbm_mean, 2)
                << " worse than through p(h|v). The noise in the code is one reason 1000 hidden units\n"
                << "    do not learn to copy 784 pixels, as a deterministic over-complete autoencoder may (tutorial 04).\n"
                << "  generative vs not: the RBM defines p(v), and its Gibbs chain draws images (gibbs_chain.png);\n"
                << "    the autoencoder defines no distribution and has nothing to sample.\n";
        t.say() << "in " << out << ":\n"
                << "  reconstruction_error.svg  the RBM's and the autoencoder's error over the epochs\n"
                << "  filters.png               the first 100 hidden units' weights (rows of W), each 28 x 28\n"
                << "  reconstructions.png       test images / RBM (sampled h) / RBM (deterministic) / tied AE\n"
                << "  gibbs_chain.png           a Gibbs chain from test images (row 1), then p(v|h) after steps";
        for (int s : shown) t.say() << " " << s;
        t.say() << "\n"
                << "  deep_reconstructions.png  test images / deep AE pretrained with RBMs / deep AE from random\n"
                << "  fine_tuning.svg           test error of both deep autoencoders during fine-tuning\n";

        t.result({{"dataset", "fashion-mnist"},
                  {"rbm_recon_first", tut::fixed(rbm_curve.front(), 3)},
                  {"rbm_recon_last", tut::fixed(rbm_curve.back(), 3)},
                  {"rbm_test_sampled", tut::fixed(rbm_sampled, 3)},
                  {"rbm_test_mean", tut::fixed(rbm_mean, 3)},
                  {"ae1_test_error", tut::fixed(ae1_error, 3)},
                  {"unrolled_error", tut::fixed(unrolled_error, 3)},
                  {"pretrained_error", tut::fixed(pretrained_error, 3)},
                  {"random_error", tut::fixed(random_error, 3)},
                  {"activation", "sigmoid"},
                  {"rbm_epochs", std::to_string(rbm_epochs)},
                  {"epochs", std::to_string(epochs)},
                  {"train_images", std::to_string(x.rows())}});
    });
}
