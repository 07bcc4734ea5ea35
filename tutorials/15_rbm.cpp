// Tutorial 15 — the restricted Boltzmann machine, and the autoencoder/RBM question.
//
// One CD-1 step written out (and what autograd can and cannot say about it), an RBM trained
// with CD-1 (models/rbm.hpp), its filters, reconstructions and a Gibbs chain, and the tied
// autoencoder of the same formula trained on reconstruction itself. Tutorial 16 stacks RBMs
// into a deep autoencoder. The program prints; tutorials/15_rbm.md explains (the energy, the
// likelihood gradient, why CD-1 is no gradient, the step sizes, and the measured numbers).
#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "autograd/ops.hpp"
#include "data/batching.hpp"
#include "data/idx.hpp"
#include "models/deep_autoencoder.hpp"
#include "models/rbm.hpp"
#include "nn/adam.hpp"
#include "nn/linear.hpp"
#include "autograd/loss.hpp"
#include "tutorials/common/epochs.hpp"
#include "tutorials/common/fashion.hpp"
#include "tutorials/common/picture.hpp"
#include "tutorials/common/rbm_settings.hpp"
#include "tutorials/common/tutorial.hpp"

using hg::Tensor;
using hg::Var;
using hg::models::error_per_image;
using hg::models::Rbm;
namespace tut = hg::tutorial;

namespace {

constexpr std::size_t kHidden = 1000;

// The one-layer tied autoencoder with the RBM's formula: x̂ = σ(c + σ(x·Wᵀ + b)·W).
struct TiedAutoencoder {
    TiedAutoencoder(std::size_t visible, std::size_t hidden, hg::Rng& rng) : encoder(visible, hidden, rng), decoder(encoder, rng) {}
    Var logits(const Var& x) { return decoder(hg::sigmoid(encoder(x))); }
    Tensor reconstruct(const Tensor& x) {
        hg::NoGradGuard no_grad;
        return hg::models::by_rows(x, [&](const Tensor& xb) { return hg::sigmoid(logits(Var::constant(xb))).value(); });
    }
    std::vector<Var> parameters() const {
        std::vector<Var> p = encoder.parameters();
        for (const Var& q : decoder.parameters()) p.push_back(q);
        return p;
    }
    hg::Linear encoder;
    hg::TiedLinear decoder;
};

// Step 2: one CD-1 step on a batch, against autograd of the free-energy surrogate.
void cd1_written_out(tut::Tutorial& t, const Rbm& rbm, const Tensor& v0) {
    t.step(2, "One CD-1 step written out, and what autograd can say about it");
    hg::Rng step_rng(t.options().seed + 1);
    const hg::models::CdStep s = rbm.cd1(v0, step_rng);
    t.say() << "a batch v0 " << v0.shape() << " -> h0 = p(h|v0), a binary draw of h0 -> v1 = p(v|h0) " << s.v1.shape()
            << " -> h1 = p(h|v1)\nΔW = ⟨h0 v0ᵀ⟩ − ⟨h1 v1ᵀ⟩ " << s.dW.shape() << ", first entries:";
    for (std::size_t i = 0; i < 4; ++i) t.say() << " " << tut::scientific(s.dW[200 + i], 3);
    t.say() << "\nΔc first entries:";
    for (std::size_t i = 0; i < 4; ++i) t.say() << " " << tut::scientific(s.dc[200 + i], 3);
    t.say() << "\n";
    // The free energy of v (h summed out): F(v) = −cᵀv − Σ_j softplus(b_j + W_j·v), so that
    // p(v) = exp(−F(v)) / Z. Autograd of mean F(v0) − mean F(v1), with the reconstruction v1
    // frozen as a constant, gives −(ΔW, Δb, Δc).
    Var W = Var::parameter(rbm.W, "W"), b = Var::parameter(rbm.b, "b"), c = Var::parameter(rbm.c, "c");
    auto free_energy = [&](const Tensor& v) {
        const Var vv = Var::constant(v);
        const Var visible_term = hg::matmul(vv, hg::reshape(c, {c.shape()[0], 1}));  // (m x 1)
        const Var hidden_term = hg::sum(hg::softplus(hg::linear(vv, W, b)), 1, true);
        return hg::mean(-visible_term - hidden_term);
    };
    Var surrogate = free_energy(v0) - free_energy(s.v1);
    surrogate.backward();
    const float diff = std::max({hg::max_abs_diff(-W.grad(), s.dW), hg::max_abs_diff(-b.grad(), s.db), hg::max_abs_diff(-c.grad(), s.dc)});
    t.say() << "autograd of F(v0) − F(v1), v1 held constant: largest difference from the CD update " << tut::scientific(diff, 2)
            << " (the update's largest entry " << tut::scientific(hg::max(hg::abs(s.dW)).item(), 2) << ")\n";
    t.check(diff < 1e-5f, "the CD-1 update = −∇[F(v0) − F(v1)] with the reconstruction v1 held fixed");
    t.say() << "But v1 was drawn using W: the surrogate changes at every step, and the update is not the\n"
            << "gradient of the log-likelihood (whose model term needs Z) nor of any fixed objective.\n";
}

struct RbmRun {
    std::vector<double> curve;  // reconstruction error per image on the training batches, per epoch
    double test_sampled = 0, test_mean = 0;
};

// Step 3: CD-1 for `epochs` epochs, momentum raised after the first ones.
RbmRun train_rbm(tut::Tutorial& t, Rbm& rbm, const Tensor& x, const Tensor& x_test, int epochs, const hg::models::CdSettings& cd,
                 hg::Rng& rng) {
    t.step(3, "Train the RBM 784-" + std::to_string(kHidden) + " with CD-1");
    t.say() << "ε " << cd.lr << ", momentum " << cd.momentum << " then " << cd.final_momentum << " after epoch "
            << cd.momentum_switch << ", weight decay " << cd.weight_decay << ", batch " << cd.batch << ", " << epochs
            << " epochs on " << x.rows() << " images\n";
    hg::Rng sample_rng(t.options().seed + 2);
    const double test_before = error_per_image(x_test, rbm.reconstruct_sampled(x_test, sample_rng));
    RbmRun run;
    hg::data::BatchSampler batches(x.rows(), cd.batch, rng);
    tut::Progress progress(t, "CD-1 epoch", epochs);
    for (int e = 1; e <= epochs; ++e) {
        const float momentum = e > cd.momentum_switch ? cd.final_momentum : cd.momentum;
        run.curve.push_back(hg::models::cd1_epoch(rbm, x, batches, cd, momentum, rng));
        if (!std::isfinite(run.curve.back())) throw std::runtime_error("CD-1 diverged at epoch " + std::to_string(e));
        progress.update(e, "squared reconstruction error per image " + tut::fixed(run.curve.back(), 2));
    }
    progress.finish();
    run.test_sampled = error_per_image(x_test, hg::models::by_rows(x_test, [&](const Tensor& v) { return rbm.reconstruct_sampled(v, sample_rng); }));
    run.test_mean = error_per_image(x_test, hg::models::by_rows(x_test, [&](const Tensor& v) { return rbm.reconstruct_mean(v); }));
    t.say() << "squared reconstruction error per image (training batches, during CD): epoch 1 " << tut::fixed(run.curve.front(), 2)
            << " -> epoch " << epochs << " " << tut::fixed(run.curve.back(), 2) << "\n"
            << "test images: before training " << tut::fixed(test_before, 2) << ", after: with a binary draw of h "
            << tut::fixed(run.test_sampled, 2) << ", with h = p(h|v) (deterministic) " << tut::fixed(run.test_mean, 2) << "\n";
    t.check(run.curve.back() < run.curve.front(), "the reconstruction error falls over the CD-1 epochs");
    t.check(run.test_sampled < 0.5 * test_before, "the trained RBM rebuilds unseen images (test error more than halved)");
    t.check(run.test_mean <= run.test_sampled, "the deterministic reconstruction is better than the sampled one");
    return run;
}

// Step 4: the RBM's weights in a tied autoencoder give its deterministic reconstruction.
float same_formula(tut::Tutorial& t, const Rbm& rbm, const Tensor& x_test, hg::Rng& ae_rng) {
    t.step(4, "The same formula trained as an autoencoder");
    TiedAutoencoder ae(784, kHidden, ae_rng);
    ae.encoder.weight().mutable_value() = rbm.W;
    ae.encoder.bias().mutable_value() = rbm.b;
    ae.decoder.parameters()[0].mutable_value() = rbm.c;  // the tied decoder's only parameter: its bias
    const float same = hg::max_abs_diff(ae.reconstruct(x_test.slice_rows(0, 100)), rbm.reconstruct_mean(x_test.slice_rows(0, 100)));
    t.say() << "the RBM's weights in a tied autoencoder: largest difference from the RBM's deterministic reconstruction "
            << tut::scientific(same, 2) << "\n";
    t.check(same < 1e-5f, "a tied sigmoid autoencoder computes the RBM's deterministic reconstruction");
    return same;
}

// ... and the same autoencoder trained from its own random start: Adam on cross-entropy, the
// same data, batch size and epochs. Returns its reconstruction error on the training batches.
std::vector<double> train_tied(tut::Tutorial& t, TiedAutoencoder& ae1, const Tensor& x, int epochs, std::size_t batch, float lr) {
    std::vector<double> ae_curve;
    hg::Adam opt(ae1.parameters(), hg::AdamOptions(lr));
    tut::EpochLoop loop(t, "autoencoder", x, batch, epochs, t.options().seed + 4);
    while (loop.next_epoch()) {
        tut::RunningMean error;  // the squared error per image, comparable with CD-1's
        for (const tut::Batch& b : loop.batches()) {
            const Var logits = ae1.logits(b.x);
            Var loss = hg::bce_with_logits(logits, b.x);
            opt.zero_grad();
            loss.backward();
            opt.step();
            loop.add(loss);
            error.add(error_per_image(b.x.value(), hg::sigmoid(logits).value()), b.rows.size());
        }
        ae_curve.push_back(error.mean());
        loop.report("squared reconstruction error per image " + tut::fixed(ae_curve.back(), 2));
    }
    return ae_curve;
}

// Step 5: a Gibbs chain from test images, the filters and the reconstructions side by side.
std::vector<int> pictures(tut::Tutorial& t, const Rbm& rbm, TiedAutoencoder& ae1, const hg::data::ImageSet& test,
                          const RbmRun& run, const std::vector<double>& ae_curve) {
    t.step(5, "The RBM is generative: a Gibbs chain, and the pictures");
    // v -> h -> v -> ... wanders from a test image through images the model finds probable.
    const std::vector<int> shown = t.pick<std::vector<int>>({1, 10, 100, 1000}, {1, 10, 100});
    const std::vector<std::size_t> rows = tut::one_per_class(test.labels, 10);
    const Tensor originals = test.images.gather_rows(rows);
    std::vector<Tensor> chain_rows = {originals};
    Tensor v = originals;
    hg::Rng chain_rng(t.options().seed + 5);
    for (int s = 1; s <= shown.back(); ++s) {
        const Tensor p = rbm.reconstruct_sampled(v, chain_rng);  // v -> a draw of h -> p(v|h)
        v = hg::models::bernoulli(p, chain_rng);                 // a binary image drawn from it
        if (std::find(shown.begin(), shown.end(), s) != shown.end()) chain_rows.push_back(p);
    }
    const std::string out = t.out_dir();
    tut::write_png_grid(out + "/gibbs_chain.png", Tensor::concat_rows(chain_rows), 28, 28, rows.size());
    tut::write_png_grid(out + "/filters.png", rbm.W.slice_rows(0, 100), 28, 28, 10, 0.0f, 0.0f);
    hg::Rng picture_rng(t.options().seed + 6);
    tut::write_png_grid(out + "/reconstructions.png",
                        Tensor::concat_rows({originals, rbm.reconstruct_sampled(originals, picture_rng), rbm.reconstruct_mean(originals),
                                             ae1.reconstruct(originals)}),
                        28, 28, rows.size());
    tut::write_svg_curves(out + "/reconstruction_error.svg", "reconstruction error per image (training batches)", "epoch",
                          "squared error per image", {{"RBM, CD-1", run.curve}, {"tied autoencoder, Adam", ae_curve}});
    return shown;
}

}  // namespace

int main(int argc, char** argv) {
    tut::Tutorial t("15_rbm", "The restricted Boltzmann machine, and the autoencoder/RBM question");
    tut::RbmSettings s;
    s.add_flags(t, "the tied autoencoder (trained with CD-1's batch size and epochs)");
    return t.run(argc, argv, [&] {
        const std::uint64_t seed = t.options().seed;

        t.step(1, "Fashion-MNIST");
        const tut::FashionMnist data = tut::load_fashion_mnist(t, s.train_images, t.pick<std::size_t>(10000, 1000));
        const hg::data::ImageSet& test = data.test;
        const Tensor &x = data.train.images, &x_test = test.images;
        t.say() << "the grey levels are used as the probabilities of binary pixels; mean pixel "
                << tut::fixed(hg::mean(x).item(), 3) << "\n";
        t.say() << "squared error per image of predicting every test image by the mean image: "
                << tut::fixed(error_per_image(x_test, Tensor::zeros(x_test.shape()) + hg::mean(x, 0)), 2) << "\n";

        hg::Rng rng(seed);
        Rbm rbm(784, kHidden, hg::models::Hidden::binary, rng);
        rbm.init_visible_bias(x);
        t.say() << "RBM: W " << rbm.W.shape() << " (hidden x visible), b " << rbm.b.shape() << ", c " << rbm.c.shape()
                << "; W ~ N(0, 0.01²), c = log(p / (1 − p)) of each pixel's mean\n";
        cd1_written_out(t, rbm, x.slice_rows(0, s.cd.batch));
        const RbmRun run = train_rbm(t, rbm, x, x_test, s.rbm_epochs, s.cd, rng);
        hg::Rng ae_rng(seed + 3);
        const float same = same_formula(t, rbm, x_test, ae_rng);
        TiedAutoencoder ae1(784, kHidden, ae_rng);
        const std::vector<double> ae_curve = train_tied(t, ae1, x, s.rbm_epochs, s.cd.batch, s.lr);
        const double ae1_error = error_per_image(x_test, ae1.reconstruct(x_test));
        t.say() << "test squared error per image, 784-" << kHidden << "-784, " << s.rbm_epochs << " epochs each:\n"
                << "  RBM (CD-1), reconstruction through a binary draw of h   " << tut::fixed(run.test_sampled, 2) << "\n"
                << "  RBM (CD-1), deterministic reconstruction             " << tut::fixed(run.test_mean, 2) << "\n"
                << "  tied autoencoder (Adam on cross-entropy)             " << tut::fixed(ae1_error, 2) << "\n";
        t.check(ae1_error < run.test_mean, "the autoencoder, trained on reconstruction itself, reconstructs better than the RBM");
        const std::vector<int> shown = pictures(t, rbm, ae1, test, run, ae_curve);

        t.step(6, "RBM and autoencoder: where they agree, where they differ");
        t.say() << "AGREE\n"
                << "  the formula: the RBM's deterministic reconstruction σ(c + Wᵀσ(b + W v)) IS a tied sigmoid\n"
                << "    autoencoder (step 4: the same numbers to " << tut::scientific(same, 1) << ").\n"
                << "  both learn to reconstruct: during training the RBM's error fell " << tut::fixed(run.curve.front(), 2)
                << " -> " << tut::fixed(run.curve.back(), 2) << ", the autoencoder's " << tut::fixed(ae_curve.front(), 2) << " -> "
                << tut::fixed(ae_curve.back(), 2) << ".\n"
                << "  the weights carry over: tutorial 16 unrolls a stack of RBMs into a deep autoencoder.\n"
                << "DIFFER\n"
                << "  training signal: the autoencoder descends the gradient of its reconstruction loss; CD-1 follows\n"
                << "    ⟨h vᵀ⟩_data − ⟨h vᵀ⟩_recon, a one-sample stand-in for the likelihood gradient, itself no gradient.\n"
                << "    On reconstruction the autoencoder wins, same size and epochs: test " << tut::fixed(ae1_error, 2)
                << " against " << tut::fixed(run.test_mean, 2) << ".\n"
                << "  stochastic vs deterministic: the RBM's hidden units are binary draws; its reconstruction through\n"
                << "    a draw of h is " << tut::fixed(run.test_sampled, 2) << ", " << tut::fixed(run.test_sampled - run.test_mean, 2)
                << " worse than through p(h|v). The noise in the code is one reason 1000 hidden units\n"
                << "    do not learn to copy 784 pixels, as a deterministic over-complete autoencoder may (tutorial 05).\n"
                << "  generative vs not: the RBM defines p(v), and its Gibbs chain draws images (gibbs_chain.png);\n"
                << "    the autoencoder defines no distribution and has nothing to sample.\n";
        std::string steps;
        for (int step : shown) steps += " " + std::to_string(step);
        t.say_files({{"reconstruction_error.svg", "the RBM's and the autoencoder's error over the epochs"},
                     {"filters.png", "the first 100 hidden units' weights (rows of W), each 28 x 28"},
                     {"reconstructions.png", "test images / RBM (sampled h) / RBM (deterministic) / tied AE"},
                     {"gibbs_chain.png", "a Gibbs chain from test images (row 1), then p(v|h) after steps" + steps}});

        t.result({{"dataset", "fashion-mnist"},
                  {"rbm_recon_first", tut::fixed(run.curve.front(), 3)},
                  {"rbm_recon_last", tut::fixed(run.curve.back(), 3)},
                  {"rbm_test_sampled", tut::fixed(run.test_sampled, 3)},
                  {"rbm_test_mean", tut::fixed(run.test_mean, 3)},
                  {"ae1_test_error", tut::fixed(ae1_error, 3)},
                  {"rbm_epochs", std::to_string(s.rbm_epochs)},
                  {"train_images", std::to_string(x.rows())}});
    });
}
