// Tutorial 06 — sparse autoencoders: most hidden units silent for any one image, by an L1
// activity penalty or by Ng's KL sparsity. The penalties, the KL gradient derived by hand and
// the measured numbers are in 06_sparse.md beside this file.
#include <algorithm>
#include <cmath>
#include <iomanip>
#include <memory>
#include <numeric>
#include <string>
#include <vector>

#include "autograd/gradcheck.hpp"
#include "autograd/ops.hpp"
#include "nn/adam.hpp"
#include "nn/linear.hpp"
#include "autograd/loss.hpp"
#include "nn/module.hpp"
#include "tensor/matmul.hpp"
#include "tutorials/common/epochs.hpp"
#include "tutorials/common/fashion.hpp"
#include "tutorials/common/picture.hpp"
#include "tutorials/common/tutorial.hpp"

using hg::Tensor;
using hg::Var;
namespace tut = hg::tutorial;

namespace {

// 784 -> H sigmoid units -> 784 sigmoid outputs.
class SparseAutoencoder : public hg::Module {
public:
    SparseAutoencoder(std::size_t pixels, std::size_t hidden, hg::Rng& rng) : Module("SparseAutoencoder") {
        encoder = register_module("encoder", std::make_shared<hg::Linear>(pixels, hidden, rng));
        decoder = register_module("decoder", std::make_shared<hg::Linear>(hidden, pixels, rng));
    }
    Var encode(const Var& x) { return hg::sigmoid((*encoder)(x)); }
    Var decode(const Var& h) { return hg::sigmoid((*decoder)(h)); }
    Var forward(const Var& x) override { return decode(encode(x)); }

    std::shared_ptr<hg::Linear> encoder, decoder;
};

enum class Penalty { none, l1, kl };

struct Settings {
    Penalty penalty = Penalty::none;
    float weight = 0, rho = 0.05f;  // weight: λ for L1, β for KL
    float decay = 0;                // weight decay: (decay/2)·(‖W1‖² + ‖W2‖²), in every model alike
};

std::string describe(const Settings& s) {
    if (s.penalty == Penalty::l1) return "L1 (lambda " + tut::fixed(s.weight, 2) + ")";
    if (s.penalty == Penalty::kl) return "KL (beta " + tut::fixed(s.weight, 1) + ", rho " + tut::fixed(s.rho, 2) + ")";
    return "plain";
}

// J = (1/N) Σ_n ½‖x̂_n − x_n‖²: mse is the mean over all N·784 entries, so scale by 784/2.
Var reconstruction_error(const Var& y, const Var& x) { return hg::mse(y, x) * (0.5f * static_cast<float>(x.shape()[1])); }

Var penalty_of(const Var& h, const Settings& s) {
    if (s.penalty == Penalty::l1) return s.weight * hg::l1_activity(h);
    if (s.penalty == Penalty::kl) return s.weight * hg::kl_sparsity(h, s.rho);
    return Var::constant(Tensor::scalar(0.0f));
}

constexpr float near_zero = 0.05f;  // an activation below this counts as "off"

struct Measures {
    double mse = 0, mean_act = 0, off = 0;  // on the test images: MSE per pixel, mean activation, share of activations below near_zero
};

Measures measure(SparseAutoencoder& model, const Tensor& x) {
    hg::NoGradGuard no_grad;
    const Tensor h = model.encode(Var::constant(x)).value();
    const Tensor y = model.decode(Var::constant(h)).value();
    return {hg::mean(hg::square(y - x)).item(), hg::mean(h).item(), hg::mean(hg::lt(h, near_zero)).item()};
}

using History = std::vector<Measures>;  // before training, then after each epoch

std::vector<double> mean_activations(const History& h) {
    std::vector<double> out;
    for (const Measures& m : h) out.push_back(m.mean_act);
    return out;
}

// The objective of the notes: reconstruction + sparsity penalty + weight decay (on W1, W2 only).
Var objective(SparseAutoencoder& model, const Var& x, const Settings& s) {
    const Var h = model.encode(x);
    const Var W1 = model.encoder->weight(), W2 = model.decoder->weight();
    return reconstruction_error(model.decode(h), x) + penalty_of(h, s) +
           (0.5f * s.decay) * (hg::sum(hg::square(W1)) + hg::sum(hg::square(W2)));
}

History train(tut::Tutorial& t, SparseAutoencoder& model, const Settings& s, const Tensor& train_x, const Tensor& test_x,
              int epochs, std::uint64_t seed) {
    hg::Adam opt(model.parameters(), hg::AdamOptions(3e-3f));
    tut::EpochLoop loop(t, describe(s), train_x, 64, epochs, seed);
    History hist{measure(model, test_x)};
    while (loop.next_epoch()) {
        for (const tut::Batch& b : loop.batches()) {
            Var loss = objective(model, b.x, s);
            opt.zero_grad();
            loss.backward();
            opt.step();
        }
        const Measures& m = hist.emplace_back(measure(model, test_x));
        loop.report("test MSE per pixel " + tut::fixed(m.mse, 4) + ", mean activation " + tut::fixed(m.mean_act, 3) + ", off " +
                    tut::fixed(100 * m.off, 0) + "%");
    }
    return hist;
}

// The filters (rows of W1) of the `count` units that fire most on x, most active first:
// a unit that seldom fires is seldom trained, so its filter says little.
Tensor most_active_filters(SparseAutoencoder& model, const Tensor& x, std::size_t count) {
    hg::NoGradGuard no_grad;
    const Tensor rho_hat = hg::mean(model.encode(Var::constant(x)).value(), 0);
    std::vector<std::size_t> order(rho_hat.numel());
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return rho_hat[a] > rho_hat[b]; });
    order.resize(std::min(count, order.size()));
    return model.encoder->weight().value().gather_rows(order);
}

// The share of a unit's activation on x that comes from its favourite class, averaged over the
// units: 0.1 for a unit that responds alike to all ten classes, 1 for one that fires for one.
double class_selectivity(SparseAutoencoder& model, const Tensor& x, const std::vector<int>& labels, std::size_t classes) {
    hg::NoGradGuard no_grad;
    const Tensor h = model.encode(Var::constant(x)).value();
    const std::size_t N = h.rows(), H = h.cols();
    std::vector<double> per_class(classes * H, 0.0);
    for (std::size_t n = 0; n < N; ++n)
        for (std::size_t j = 0; j < H; ++j) per_class[static_cast<std::size_t>(labels[n]) * H + j] += h[n * H + j];
    double total = 0;
    for (std::size_t j = 0; j < H; ++j) {
        double best = 0, all = 0;
        for (std::size_t c = 0; c < classes; ++c) {
            best = std::max(best, per_class[c * H + j]);
            all += per_class[c * H + j];
        }
        total += all > 0 ? best / all : 0.0;
    }
    return total / static_cast<double>(H);
}

// One model of a comparison: its setting, the trained model, its history and class selectivity.
struct Trial {
    std::string name, tag;  // "L1 (lambda 0.10)", "l1"
    std::shared_ptr<SparseAutoencoder> model;
    History hist;
    double selectivity = 0;
    Measures last() const { return hist.back(); }
};

// One model per setting, each from the same initial weights, trained alike.
std::vector<Trial> train_alike(tut::Tutorial& t, const std::vector<Settings>& settings, std::size_t hidden, const Tensor& X,
                               const hg::data::ImageSet& test, int epochs, const std::string& prefix) {
    std::vector<Trial> trials;
    for (const Settings& s : settings) {
        hg::Rng rng(t.options().seed);
        const std::string tag = s.penalty == Penalty::l1 ? "l1" : s.penalty == Penalty::kl ? "kl" : "plain";
        Trial r{prefix + describe(s), tag, std::make_shared<SparseAutoencoder>(X.cols(), hidden, rng), {}, 0.0};
        r.hist = train(t, *r.model, s, X, test.images, epochs, t.options().seed);
        r.selectivity = class_selectivity(*r.model, test.images, test.labels, test.class_names.size());
        trials.push_back(std::move(r));
    }
    return trials;
}

void print_table(tut::Tutorial& t, const std::vector<Trial>& trials) {
    t.say() << "  model                                | test MSE per pixel | mean activation | activations < " << near_zero
            << " | class selectivity\n";
    for (const Trial& r : trials)
        t.say() << "  " << std::left << std::setw(36) << r.name << std::right << " | " << std::setw(18)
                << tut::fixed(r.last().mse, 4) << " | " << std::setw(15) << tut::fixed(r.last().mean_act, 4) << " | "
                << std::setw(17) << tut::fixed(100 * r.last().off, 1) << "% | " << std::setw(17)
                << tut::fixed(r.selectivity, 3) << "\n";
}

// The KL penalty's gradient by hand — ρ̂_j, Ω, dΩ/dh, δ = dΩ/dh ⊙ h(1 − h), dΩ/dW1 = δᵀ·x,
// dΩ/db1 = Σ_n δ_n — against autograd through kl_sparsity, through primitive ops, and
// central differences.
void step2_kl_gradient(tut::Tutorial& t, const Tensor& X, std::size_t hidden, float beta, float rho) {
    t.step(2, "The KL penalty's gradient, written out and checked against autograd");
    hg::Rng rng(t.options().seed);
    SparseAutoencoder model(X.cols(), hidden, rng);
    const Tensor x = X.slice_rows(0, 64);
    const std::size_t N = x.rows(), H = hidden;
    const Var xv = Var::constant(x);
    const Var h = model.encode(xv);
    const Tensor& hv = h.value();
    const Tensor rho_hat = hg::mean(hv, 0);
    double omega = 0;
    for (std::size_t j = 0; j < H; ++j)
        omega += beta * (rho * std::log(rho / rho_hat[j]) + (1 - rho) * std::log((1 - rho) / (1 - rho_hat[j])));
    Tensor d_h(hg::Shape{H}), delta(hv.shape());  // dΩ/dh_nj is the same for every image n
    for (std::size_t j = 0; j < H; ++j)
        d_h[j] = beta / static_cast<float>(N) * (-rho / rho_hat[j] + (1 - rho) / (1 - rho_hat[j]));
    for (std::size_t n = 0; n < N; ++n)
        for (std::size_t j = 0; j < H; ++j) delta[n * H + j] = d_h[j] * hv[n * H + j] * (1 - hv[n * H + j]);
    const Tensor dW1 = hg::matmul(delta, x, true, false);  // (H x 784), like the weight
    const Tensor db1 = hg::sum(delta, 0);
    t.say() << "a batch of " << N << " images, " << H << " sigmoid units; the first mean activations rho_hat: "
            << rho_hat.slice_rows(0, 5) << "\ndOmega/dh_nj (the same for every image n), units 0-4: "
            << d_h.slice_rows(0, 5) << "\nOmega by hand " << tut::fixed(omega, 4);
    // (a) autograd through nn's kl_sparsity op.
    Var pen = beta * hg::kl_sparsity(h, rho);
    t.say() << ", by hg::kl_sparsity " << tut::fixed(pen.item(), 4);
    pen.backward();
    const float diff_w = hg::max_abs_diff(dW1, model.encoder->weight().grad());
    const float diff_b = hg::max_abs_diff(db1, model.encoder->bias().grad());
    const float scale_w = hg::max(hg::abs(dW1)).item();
    // (b) autograd through the same formula spelled with primitive ops (mean, log, ...).
    model.zero_grad();
    const Var r = hg::mean(model.encode(xv), 0);
    Var pen2 = beta * hg::sum(rho * (std::log(rho) - hg::log(r)) + (1 - rho) * (std::log(1 - rho) - hg::log(1 - r)));
    t.say() << ", by primitive ops " << tut::fixed(pen2.item(), 4) << "\n";
    pen2.backward();
    const float diff_w2 = hg::max_abs_diff(dW1, model.encoder->weight().grad());
    t.say() << "dOmega/dW1: largest entry " << tut::scientific(scale_w, 2) << "; hand vs kl_sparsity differ by "
            << tut::scientific(diff_w, 2) << " (dOmega/db1 by " << tut::scientific(diff_b, 2) << "), hand vs primitive ops by "
            << tut::scientific(diff_w2, 2) << "\n";
    // (c) central differences of the penalty as a function of the pre-activations W1·x + b1.
    const hg::GradCheckResult gc =
        hg::gradcheck([&](const std::vector<Var>& v) { return beta * hg::kl_sparsity(hg::sigmoid(v[0]), rho); },
                      {hg::Tensor::normal({6, 5}, -2.0f, 1.0f, rng)});
    t.say() << "central differences on a (6x5) batch of pre-activations: " << gc.str() << "\n";
    t.check(std::fabs(omega - pen.item()) < 1e-4 * std::max(1.0, std::fabs(omega)), "the penalty by hand equals hg::kl_sparsity");
    t.check(diff_w < 1e-5f * std::max(1.0f, scale_w) && diff_b < 1e-5f * std::max(1.0f, scale_w),
            "the hand-written gradient equals autograd's through kl_sparsity");
    t.check(diff_w2 < 1e-4f * std::max(1.0f, scale_w), "and autograd's through the formula in primitive ops");
    t.check(gc.ok, "and central differences");
}

void step4_sparser(tut::Tutorial& t, const std::vector<Trial>& trials, float rho) {
    t.step(4, "Sparser codes, at a cost in reconstruction");
    print_table(t, trials);
    t.say() << "mean activation on the test images before training, then after each epoch:\n";
    for (const Trial& r : trials)
        t.say() << "  " << std::left << std::setw(27) << r.name << std::right << " " << tut::joined(mean_activations(r.hist), 3) << "\n";
    const Measures plain = trials[0].last(), l1 = trials[1].last(), kl = trials[2].last();
    const double mse_factor = 3.0;
    t.check(trials[2].hist.front().mean_act > 5 * rho, "before training the units sit near 0.5, far above rho");
    t.check(kl.mean_act > rho / 2 && kl.mean_act < 2 * rho, "KL: the mean activation falls to within 2x of the target rho");
    t.check(kl.mean_act < plain.mean_act / 3, "KL: the mean activation is far below the plain autoencoder's");
    t.check(l1.off > 2 * plain.off && l1.off > plain.off + 0.2, "L1: far more activations are near zero than in the plain autoencoder");
    t.check(l1.mse < mse_factor * plain.mse && kl.mse < mse_factor * plain.mse,
            "both sparse autoencoders still reconstruct within " + tut::fixed(mse_factor, 0) + "x the plain one's error");
    t.say() << "the price of sparsity: test MSE x" << tut::fixed(l1.mse / plain.mse, 2) << " (L1), x"
            << tut::fixed(kl.mse / plain.mse, 2) << " (KL) of the plain autoencoder's\n";
}

// Each tile is one unit's row of W1, scaled to its own min..max, most active units first.
void write_filters(tut::Tutorial& t, const std::string& file, SparseAutoencoder& model, const Tensor& x, std::size_t tiles) {
    tut::write_png_grid(t.out_dir() + "/" + file, most_active_filters(model, x, tiles), 28, 28, 10, 0.0f, 0.0f);
}

void step5_filters(tut::Tutorial& t, const std::vector<Trial>& trials, const Tensor& X_test, float rho) {
    t.step(5, "The filters: each hidden unit's weights as a 28x28 picture");
    const std::size_t tiles = std::min<std::size_t>(trials[0].model->encoder->out_features(), 100);
    for (const Trial& r : trials) write_filters(t, "filters_" + r.tag + ".png", *r.model, X_test, tiles);
    t.say() << "wrote the " << tiles << " most active units' filters of each model (06_sparse.md describes them)\n";
    t.check(trials[2].selectivity > 1.25 * trials[0].selectivity, "KL: the units are more class-selective than the plain ones (by over 25%)");
    const Tensor x = X_test.slice_rows(0, 10);
    std::vector<Tensor> rows{x};
    std::vector<double> epoch(trials[0].hist.size());
    std::iota(epoch.begin(), epoch.end(), 0.0);  // epoch 0 = before training
    std::vector<tut::Curve> curves;
    for (const Trial& r : trials) {
        hg::NoGradGuard no_grad;
        rows.push_back((*r.model)(Var::constant(x)).value());
        curves.push_back({r.name, mean_activations(r.hist), epoch});
    }
    tut::write_png_grid(t.out_dir() + "/reconstructions.png", Tensor::concat_rows(rows), 28, 28, 10);
    curves.push_back({"target rho", std::vector<double>(epoch.size(), rho), epoch});
    tut::write_svg_curves(t.out_dir() + "/mean_activation.svg", "mean hidden activation on the test images", "epoch",
                          "mean activation", curves, true);
}

// Steps 3-5 on a layer wider than the input (06_sparse.md: activation mass against units on).
std::vector<Trial> step6_overcomplete(tut::Tutorial& t, const std::vector<Settings>& settings, std::size_t wide,
                                      const tut::FashionMnist& data, float rho) {
    t.step(6, "Over-complete: " + std::to_string(wide) + " units, plain and KL-sparse");
    const int epochs = t.epochs(15, 3);
    const Tensor X = data.train.images.slice_rows(0, t.pick(data.train.images.rows(), std::size_t{1500}));
    t.say() << "784 -> " << wide << " sigmoid -> 784 sigmoid, " << X.rows() << " training images, " << epochs << " epochs\n";
    const std::vector<Trial> w = train_alike(t, settings, wide, X, data.test, epochs, std::to_string(wide) + " units, ");
    print_table(t, w);
    for (const Trial& r : w) write_filters(t, "filters_wide_" + r.tag + ".png", *r.model, data.test.images, 100);
    // Units on (activation >= near_zero) per image; mean activation x units is a mass, not a count.
    auto units_on = [&](const Trial& r) { return (1 - r.last().off) * static_cast<double>(wide); };
    t.say() << "units with an activation of at least " << near_zero << ", per test image (mean over the images): plain "
            << tut::fixed(units_on(w[0]), 0) << ", KL " << tut::fixed(units_on(w[1]), 0) << " of " << wide
            << "\n(the activation mass, mean activation x units: plain " << tut::fixed(w[0].last().mean_act * wide, 0)
            << ", KL " << tut::fixed(w[1].last().mean_act * wide, 0) << ")\n";
    t.check(w[1].last().mean_act > rho / 2 && w[1].last().mean_act < 2 * rho, "over-complete: KL holds the mean activation within 2x of rho");
    t.check(w[1].last().mean_act < w[0].last().mean_act / 3, "over-complete: far below the plain wide layer's");
    t.check(w[1].selectivity > 1.25 * w[0].selectivity, "over-complete: the KL units are more class-selective than the plain ones");
    return w;
}

}  // namespace

int main(int argc, char** argv) {
    tut::Tutorial t("06_sparse", "Sparse autoencoders: L1 activity and KL sparsity");
    std::size_t hidden = 196, wide = 1000;
    float lambda = 0.1f, beta = 3.0f, rho = 0.05f, decay = 3e-3f;
    t.app().add_option("--hidden", hidden, "Hidden units of the plain, L1 and KL autoencoders")->check(tut::at_least(1));
    t.app().add_option("--wide", wide, "Hidden units of the over-complete pair (step 6)")->check(tut::at_least(1));
    t.app().add_option("--lambda", lambda, "Weight of the L1 activity penalty")->check(tut::above(0));
    t.app().add_option("--beta", beta, "Weight of the KL sparsity penalty")->check(tut::above(0));
    t.app().add_option("--rho", rho, "Target mean activation of the KL penalty")->check(tut::between(0.001f, 0.5f));
    t.app().add_option("--decay", decay, "Weight decay (on W1 and W2, in every model)")->check(tut::at_least(0));
    return t.run(argc, argv, [&] {
        t.step(1, "Fashion-MNIST");
        const tut::FashionMnist data = tut::load_fashion_mnist(t, t.pick<std::size_t>(10000, 3000), 1000);
        step2_kl_gradient(t, data.train.images, hidden, beta, rho);

        t.step(3, "Train a plain, an L1 and a KL autoencoder alike");
        const int epochs = t.epochs(15, 6);
        const Settings plain{Penalty::none, 0, rho, decay}, l1{Penalty::l1, lambda, rho, decay}, kl{Penalty::kl, beta, rho, decay};
        t.say() << "784 -> " << hidden << " sigmoid -> 784 sigmoid; objective (1/N) sum_n 1/2 |x^_n - x_n|^2 + penalty + "
                << decay << "/2 (|W1|^2 + |W2|^2);\nAdam (lr 3e-3), batches of 64, " << epochs
                << " epochs, the same start for all three\n";
        const std::vector<Trial> trials = train_alike(t, {plain, l1, kl}, hidden, data.train.images, data.test, epochs, "");
        step4_sparser(t, trials, rho);
        step5_filters(t, trials, data.test.images, rho);
        const std::vector<Trial> w = step6_overcomplete(t, {plain, kl}, wide, data, rho);
        t.say() << "pictures in " << t.out_dir() << "/ (06_sparse.md says what each shows)\n";

        const Measures p = trials[0].last(), a = trials[1].last(), k = trials[2].last(), wp = w[0].last(), wk = w[1].last();
        t.result({{"plain_mse", tut::fixed(p.mse, 4)}, {"l1_mse", tut::fixed(a.mse, 4)}, {"kl_mse", tut::fixed(k.mse, 4)},
                  {"plain_mean_act", tut::fixed(p.mean_act, 4)}, {"l1_mean_act", tut::fixed(a.mean_act, 4)},
                  {"kl_mean_act", tut::fixed(k.mean_act, 4)},
                  {"plain_off", tut::fixed(p.off, 3)}, {"l1_off", tut::fixed(a.off, 3)}, {"kl_off", tut::fixed(k.off, 3)},
                  {"rho", tut::fixed(rho, 3)},
                  {"wide_plain_mean_act", tut::fixed(wp.mean_act, 4)}, {"wide_kl_mean_act", tut::fixed(wk.mean_act, 4)},
                  {"wide_plain_mse", tut::fixed(wp.mse, 4)}, {"wide_kl_mse", tut::fixed(wk.mse, 4)},
                  {"plain_selectivity", tut::fixed(trials[0].selectivity, 3)},
                  {"kl_selectivity", tut::fixed(trials[2].selectivity, 3)},
                  {"wide_plain_selectivity", tut::fixed(w[0].selectivity, 3)},
                  {"wide_kl_selectivity", tut::fixed(w[1].selectivity, 3)},
                  {"epochs", std::to_string(epochs)}});
    });
}
