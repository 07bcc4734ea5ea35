// Tutorial 06 — sparse autoencoders: most hidden units should be silent for any one input.
//
// Tutorial 04 ended with a wide hidden layer that, left alone, drifts towards copying its
// input. A sparse autoencoder keeps the hidden layer (even a wide one) but asks that, for
// each image, only a few units be active. Each unit then has to stand for something that
// only some images have — a stroke, an edge, a part of a garment — and the units' weights
// (their "filters", one 28x28 picture per unit) show it.
//
// The model (as in the notes below): h = σ(W1·x + b1) (H sigmoid units), x̂ = σ(W2·h + b2),
// and the reconstruction error of a batch of N images J = (1/N) Σ_n ½‖x̂_n − x_n‖². Two
// ways to ask for sparsity, added to J:
//
//   (a) L1 activity:  λ · (1/N) Σ_n Σ_j |h_nj|               (hg::l1_activity)
//       every activation pays in proportion to its size; dΩ/dh_nj = λ·sign(h_nj)/N
//       (Goodfellow, Bengio & Courville 2016, "Deep Learning", §14.2.1).
//
//   (b) KL sparsity (Andrew Ng, "Sparse autoencoder", CS294A lecture notes, Stanford, 2011):
//       ρ̂_j = (1/N) Σ_n h_nj, the mean activation of unit j over the batch, should be a
//       small target ρ (here 0.05). The penalty is the Kullback–Leibler divergence between a
//       coin that comes up 1 with probability ρ and one with probability ρ̂_j:
//         Ω = β Σ_j KL(ρ ‖ ρ̂_j) = β Σ_j [ρ log(ρ/ρ̂_j) + (1 − ρ) log((1 − ρ)/(1 − ρ̂_j))]
//       (hg::kl_sparsity). It is 0 when ρ̂_j = ρ and grows without bound as ρ̂_j → 0 or 1.
//       Its gradient, the extra term of the notes' backpropagation:
//         dΩ/dh_nj = (β/N) · (−ρ/ρ̂_j + (1 − ρ)/(1 − ρ̂_j))      (the same for every n)
//       and through the sigmoid, δ_nj = dΩ/dh_nj · h_nj(1 − h_nj), dΩ/dW1 = δᵀ·x.
//       Step 2 computes that formula by hand and checks it against autograd.
//
// Then: a plain, an L1 and a KL autoencoder trained alike (all three with the notes' weight
// decay, (decay/2)·(‖W1‖² + ‖W2‖²)); the mean activation falling to ρ; the filters, most
// active units first; how class-selective the units become (the share of a unit's activation
// that comes from its favourite garment class); and the same on an over-complete layer
// (784 -> 1000), closing the loop with tutorial 04.
#include <algorithm>
#include <cmath>
#include <iomanip>
#include <memory>
#include <string>
#include <vector>

#include "autograd/gradcheck.hpp"
#include "tensor/matmul.hpp"
#include "data/batching.hpp"
#include "data/idx.hpp"
#include "data/paths.hpp"
#include "nn/nn.hpp"
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
    float weight = 0;  // λ for L1, β for KL
    float rho = 0.05f;
    float decay = 0;   // weight decay: (decay/2)·(‖W1‖² + ‖W2‖²), in every model alike
};

std::string describe(const Settings& s) {
    switch (s.penalty) {
        case Penalty::none: return "plain";
        case Penalty::l1: return "L1 (lambda " + tut::fixed(s.weight, 2) + ")";
        case Penalty::kl: return "KL (beta " + tut::fixed(s.weight, 1) + ", rho " + tut::fixed(s.rho, 2) + ")";
    }
    return "";
}

// J = (1/N) Σ_n ½‖x̂_n − x_n‖²: mse is the mean over all N·784 entries, so scale by 784/2.
Var reconstruction_error(const Var& y, const Var& x) { return hg::mse(y, x) * (0.5f * static_cast<float>(x.shape()[1])); }

Var penalty_of(const Var& h, const Settings& s) {
    switch (s.penalty) {
        case Penalty::none: return Var::constant(Tensor::scalar(0.0f));
        case Penalty::l1: return s.weight * hg::l1_activity(h);
        case Penalty::kl: return s.weight * hg::kl_sparsity(h, s.rho);
    }
    return Var::constant(Tensor::scalar(0.0f));
}

constexpr float near_zero = 0.05f;  // an activation below this counts as "off"

struct Measures {
    double mse = 0;          // mean squared error per pixel on the test images
    double mean_act = 0;     // mean activation over units and test images
    double off = 0;          // the fraction of activations below near_zero
};

Measures measure(SparseAutoencoder& model, const Tensor& x) {
    hg::NoGradGuard no_grad;
    const Var X = Var::constant(x);
    const Tensor h = model.encode(X).value();
    const Tensor y = model.decode(Var::constant(h)).value();
    Measures m;
    m.mse = hg::mean(hg::square(y - x)).item();
    m.mean_act = hg::mean(h).item();
    m.off = hg::mean(hg::lt(h, near_zero)).item();
    return m;
}

struct History {
    std::vector<double> mse, mean_act, off;  // before training, then after each epoch, on the test images
    void add(const Measures& m) {
        mse.push_back(m.mse);
        mean_act.push_back(m.mean_act);
        off.push_back(m.off);
    }
    Measures last() const { return {mse.back(), mean_act.back(), off.back()}; }
};

// The objective of the notes: reconstruction + sparsity penalty + weight decay. (Weight decay
// on the weights only, not the biases; it keeps the filters of pixels that are almost always
// black — the image's border — from drifting, so the pictures show what the units learned.)
Var objective(SparseAutoencoder& model, const Var& x, const Settings& s) {
    const Var h = model.encode(x);
    const Var W1 = model.encoder->weight(), W2 = model.decoder->weight();
    return reconstruction_error(model.decode(h), x) + penalty_of(h, s) +
           (0.5f * s.decay) * (hg::sum(hg::square(W1)) + hg::sum(hg::square(W2)));
}

History train(tut::Tutorial& t, SparseAutoencoder& model, const Settings& s, const Tensor& train_x, const Tensor& test_x,
              int epochs, std::uint64_t seed) {
    const std::size_t batch = 64;
    hg::Adam opt(model.parameters(), hg::AdamOptions(3e-3f));
    hg::Rng rng(seed);
    hg::data::BatchSampler batches(train_x.rows(), batch, rng);
    History hist;
    hist.add(measure(model, test_x));
    tut::Progress progress(t, describe(s) + " epoch", epochs);
    for (int e = 1; e <= epochs; ++e) {
        for (const std::vector<std::size_t>& rows : batches.epoch()) {
            Var loss = objective(model, Var::constant(train_x.gather_rows(rows)), s);
            opt.zero_grad();
            loss.backward();
            opt.step();
        }
        const Measures m = measure(model, test_x);
        hist.add(m);
        progress.update(e, "test MSE " + tut::fixed(m.mse, 4) + ", mean activation " + tut::fixed(m.mean_act, 3) +
                               ", off " + tut::fixed(100 * m.off, 0) + "%");
    }
    progress.finish();
    return hist;
}

// The filters (rows of W1) of the `count` units that fire most on x, most active first:
// a unit that seldom fires is seldom trained, so its filter says little.
Tensor most_active_filters(SparseAutoencoder& model, const Tensor& x, std::size_t count) {
    hg::NoGradGuard no_grad;
    const Tensor rho_hat = hg::mean(model.encode(Var::constant(x)).value(), 0);
    std::vector<std::size_t> order(rho_hat.numel());
    for (std::size_t j = 0; j < order.size(); ++j) order[j] = j;
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return rho_hat[a] > rho_hat[b]; });
    order.resize(std::min(count, order.size()));
    return model.encoder->weight().value().gather_rows(order);
}

// How much each unit cares about one kind of garment: the share of its total activation on
// x that comes from images of its favourite class, averaged over the units. A unit that
// responds alike to all ten classes scores 0.1; one that fires only for sneakers scores 1.
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

void print_table(tut::Tutorial& t, const std::vector<std::string>& names, const std::vector<Measures>& ms,
                 const std::vector<double>& selectivity) {
    t.say() << "  model                                | test MSE | mean activation | activations < " << near_zero
            << " | class selectivity\n";
    for (std::size_t i = 0; i < names.size(); ++i)
        t.say() << "  " << std::left << std::setw(36) << names[i] << std::right << " | " << std::setw(8)
                << tut::fixed(ms[i].mse, 4) << " | " << std::setw(15) << tut::fixed(ms[i].mean_act, 4) << " | "
                << std::setw(17) << tut::fixed(100 * ms[i].off, 1) << "% | " << std::setw(17)
                << tut::fixed(selectivity[i], 3) << "\n";
}

}  // namespace

int main(int argc, char** argv) {
    tut::Tutorial t("06_sparse", "Sparse autoencoders: L1 activity and KL sparsity");
    std::size_t hidden = 196, wide = 1000;
    float lambda = 0.1f, beta = 3.0f, rho = 0.05f, decay = 3e-3f;
    t.app().add_option("--hidden", hidden, "Hidden units of the plain, L1 and KL autoencoders")->check(CLI::PositiveNumber);
    t.app().add_option("--wide", wide, "Hidden units of the over-complete pair (step 6)")->check(CLI::PositiveNumber);
    t.app().add_option("--lambda", lambda, "Weight of the L1 activity penalty")->check(CLI::PositiveNumber);
    t.app().add_option("--beta", beta, "Weight of the KL sparsity penalty")->check(CLI::PositiveNumber);
    t.app().add_option("--rho", rho, "Target mean activation of the KL penalty")->check(CLI::Range(0.001f, 0.5f));
    t.app().add_option("--decay", decay, "Weight decay (on W1 and W2, in every model)")->check(CLI::NonNegativeNumber);
    return t.run(argc, argv, [&] {
        const bool quick = t.options().quick;
        const std::string data_dir = hg::data::require_fashion_mnist(t.options().data);

        t.step(1, "Fashion-MNIST");
        const hg::data::ImageSet train_set = hg::data::fashion_mnist("train", quick ? 3000 : 10000, data_dir);
        const hg::data::ImageSet test_set = hg::data::fashion_mnist("t10k", 1000, data_dir);
        const Tensor& X = train_set.images;
        const Tensor& X_test = test_set.images;
        const std::size_t pixels = X.cols();
        t.say() << "training images " << X.shape() << ", test images " << X_test.shape() << ", pixels in [0, 1]\n";
        t.check(pixels == 784, "each image is 28 x 28 = 784 pixels");

        t.step(2, "The KL penalty's gradient, written out and checked against autograd");
        {
            hg::Rng rng(t.options().seed);
            SparseAutoencoder model(pixels, hidden, rng);
            const Tensor x = X.slice_rows(0, 64);
            const std::size_t N = x.rows(), H = hidden;
            const Var xv = Var::constant(x);
            const Var h = model.encode(xv);
            const Tensor& hv = h.value();
            // By hand: ρ̂_j, Ω, dΩ/dh, δ = dΩ/dh ⊙ h(1 − h), dΩ/dW1 = δᵀ·x, dΩ/db1 = Σ_n δ_n.
            const Tensor rho_hat = hg::mean(hv, 0);
            double omega = 0;
            for (std::size_t j = 0; j < H; ++j)
                omega += beta * (rho * std::log(rho / rho_hat[j]) + (1 - rho) * std::log((1 - rho) / (1 - rho_hat[j])));
            Tensor d_h(hv.shape()), delta(hv.shape());
            for (std::size_t n = 0; n < N; ++n)
                for (std::size_t j = 0; j < H; ++j) {
                    const float g = beta / static_cast<float>(N) * (-rho / rho_hat[j] + (1 - rho) / (1 - rho_hat[j]));
                    const float a = hv[n * H + j];
                    d_h[n * H + j] = g;
                    delta[n * H + j] = g * a * (1 - a);
                }
            const Tensor dW1 = hg::matmul(delta, x, true, false);  // (H x 784), like the weight
            const Tensor db1 = hg::sum(delta, 0);
            t.say() << "a batch of " << N << " images, " << H << " sigmoid units; the first mean activations rho_hat: "
                    << rho_hat.slice_rows(0, 5) << "\n";
            t.say() << "dOmega/dh_nj (the same for every image n), units 0-4: "
                    << d_h.slice_rows(0, 1).reshape({H}).slice_rows(0, 5) << "\n";
            t.say() << "Omega by hand " << tut::fixed(omega, 4);

            // (a) autograd through nn's kl_sparsity op.
            Var pen = beta * hg::kl_sparsity(h, rho);
            t.say() << ", by hg::kl_sparsity " << tut::fixed(pen.item(), 4);
            pen.backward();
            const float diff_w = hg::max_abs_diff(dW1, model.encoder->weight().grad());
            const float diff_b = hg::max_abs_diff(db1, model.encoder->bias().grad());
            const float scale_w = hg::max(hg::abs(dW1)).item();
            // (b) autograd through the same formula spelled with primitive ops (mean, log, ...).
            model.zero_grad();
            const Var h2 = model.encode(xv);
            const Var r = hg::mean(h2, 0);
            Var pen2 = beta * hg::sum(rho * (std::log(rho) - hg::log(r)) + (1 - rho) * (std::log(1 - rho) - hg::log(1 - r)));
            t.say() << ", by primitive ops " << tut::fixed(pen2.item(), 4) << "\n";
            pen2.backward();
            const float diff_w2 = hg::max_abs_diff(dW1, model.encoder->weight().grad());
            t.say() << "dOmega/dW1: largest entry " << tut::scientific(scale_w, 2) << "; hand vs kl_sparsity differ by "
                    << tut::scientific(diff_w, 2) << " (dOmega/db1 by " << tut::scientific(diff_b, 2)
                    << "), hand vs primitive ops by " << tut::scientific(diff_w2, 2) << "\n";
            // (c) central differences of the penalty as a function of the pre-activations W1·x + b1.
            const hg::GradCheckResult gc = hg::gradcheck(
                [&](const std::vector<Var>& v) { return beta * hg::kl_sparsity(hg::sigmoid(v[0]), rho); },
                {hg::Tensor::normal({6, 5}, -2.0f, 1.0f, rng)});
            t.say() << "central differences on a (6x5) batch of pre-activations: " << gc.str() << "\n";
            t.check(std::fabs(omega - pen.item()) < 1e-4 * std::max(1.0, std::fabs(omega)),
                    "the penalty by hand equals hg::kl_sparsity");
            t.check(diff_w < 1e-5f * std::max(1.0f, scale_w) && diff_b < 1e-5f * std::max(1.0f, scale_w),
                    "the hand-written gradient equals autograd's through kl_sparsity");
            t.check(diff_w2 < 1e-4f * std::max(1.0f, scale_w), "and autograd's through the formula in primitive ops");
            t.check(gc.ok, "and central differences");
        }

        const int epochs = t.epochs(15, 6);
        const std::vector<Settings> settings = {{Penalty::none, 0, rho, decay},
                                                {Penalty::l1, lambda, rho, decay},
                                                {Penalty::kl, beta, rho, decay}};
        std::vector<std::shared_ptr<SparseAutoencoder>> models;
        std::vector<History> hist;

        t.step(3, "Train a plain, an L1 and a KL autoencoder alike");
        t.say() << "784 -> " << hidden << " sigmoid -> 784 sigmoid; objective (1/N) sum_n 1/2 |x^_n - x_n|^2 + penalty + "
                << decay << "/2 (|W1|^2 + |W2|^2);\nAdam (lr 3e-3), batches of 64, " << epochs
                << " epochs, the same start for all three\n";
        for (const Settings& s : settings) {
            hg::Rng rng(t.options().seed);
            models.push_back(std::make_shared<SparseAutoencoder>(pixels, hidden, rng));
            hist.push_back(train(t, *models.back(), s, X, X_test, epochs, t.options().seed));
        }

        t.step(4, "Sparser codes, at a cost in reconstruction");
        std::vector<std::string> names;
        std::vector<Measures> ms;
        std::vector<double> sel;
        const std::size_t classes = test_set.class_names.size();
        for (std::size_t i = 0; i < settings.size(); ++i) {
            names.push_back(describe(settings[i]));
            ms.push_back(hist[i].last());
            sel.push_back(class_selectivity(*models[i], X_test, test_set.labels, classes));
        }
        print_table(t, names, ms, sel);
        t.say() << "mean activation on the test images before training, then after each epoch:\n";
        for (std::size_t i = 0; i < settings.size(); ++i) {
            t.say() << "  " << std::left << std::setw(27) << names[i] << std::right;
            for (double v : hist[i].mean_act) t.say() << " " << tut::fixed(v, 3);
            t.say() << "\n";
        }
        const Measures &plain = ms[0], &l1 = ms[1], &kl = ms[2];
        const double mse_factor = 3.0;
        t.check(hist[2].mean_act.front() > 5 * rho, "before training the units sit near 0.5, far above rho");
        t.check(kl.mean_act > rho / 2 && kl.mean_act < 2 * rho,
                "KL: the mean activation falls to within 2x of the target rho");
        t.check(kl.mean_act < plain.mean_act / 3, "KL: the mean activation is far below the plain autoencoder's");
        t.check(l1.off > 2 * plain.off && l1.off > plain.off + 0.2,
                "L1: far more activations are near zero than in the plain autoencoder");
        t.check(l1.mse < mse_factor * plain.mse && kl.mse < mse_factor * plain.mse,
                "both sparse autoencoders still reconstruct within " + tut::fixed(mse_factor, 0) +
                    "x the plain one's error");
        t.say() << "the price of sparsity: test MSE x" << tut::fixed(l1.mse / plain.mse, 2) << " (L1), x"
                << tut::fixed(kl.mse / plain.mse, 2) << " (KL) of the plain autoencoder's\n";

        t.step(5, "The filters: each hidden unit's weights as a 28x28 picture");
        // Each tile is one unit's row of W1, scaled to its own range (grey = 0). The units are
        // shown most active first.
        const std::string out = t.out_dir();
        const std::vector<std::string> files = {"filters_plain.png", "filters_l1.png", "filters_kl.png"};
        const std::size_t tiles = std::min<std::size_t>(hidden, 100);
        for (std::size_t i = 0; i < settings.size(); ++i)
            tut::write_png_grid(out + "/" + files[i], most_active_filters(*models[i], X_test, tiles), 28, 28, 10, 0.0f,
                                0.0f);  // lo == hi: each tile scaled to its own range
        t.say() << "wrote the " << tiles << " most active units' filters of each model. The plain filters are global\n"
                << "mixtures — every unit a little of every garment, criss-crossed with lines; the sparse ones\n"
                << "(KL most) each pick one kind of thing: a sneaker with its sole, a pair of trouser legs, a\n"
                << "shirt's outline and sleeves. The class selectivity column measures it: the share of a unit's\n"
                << "activation that comes from its favourite class (0.1 = no preference).\n";
        t.check(sel[2] > 1.25 * sel[0], "KL: the units are more class-selective than the plain ones (by over 25%)");
        {
            const std::size_t show = 10;
            const Tensor x = X_test.slice_rows(0, show);
            std::vector<Tensor> rows{x};
            for (auto& m : models) {
                hg::NoGradGuard no_grad;
                rows.push_back((*m)(Var::constant(x)).value());
            }
            tut::write_png_grid(out + "/reconstructions.png", Tensor::concat_rows(rows), 28, 28, show);
            std::vector<double> target(hist[0].mean_act.size(), rho), epoch_axis;
            for (std::size_t e = 0; e < target.size(); ++e)
                epoch_axis.push_back(static_cast<double>(e));  // epoch 0 = before training
            tut::write_svg_curves(out + "/mean_activation.svg", "mean hidden activation on the test images", "epoch",
                                  "mean activation",
                                  {{names[0], hist[0].mean_act, epoch_axis},
                                   {names[1], hist[1].mean_act, epoch_axis},
                                   {names[2], hist[2].mean_act, epoch_axis},
                                   {"target rho", target, epoch_axis}},
                                  true);
        }

        t.step(6, "Over-complete: " + std::to_string(wide) + " units, plain and KL-sparse");
        // Tutorial 04's wide layer had room to copy. With the KL penalty an image may use only
        // about rho·H units, so the layer must learn parts that combine. (Each unit now fires
        // for ~rho of the images, so it is trained ~rho as often: sparse wide layers learn slowly.)
        const int wide_epochs = t.epochs(15, 3);
        const Tensor X_wide = X.slice_rows(0, quick ? 1500 : X.rows());
        const std::vector<Settings> wide_settings = {{Penalty::none, 0, rho, decay}, {Penalty::kl, beta, rho, decay}};
        std::vector<std::shared_ptr<SparseAutoencoder>> wide_models;
        std::vector<std::string> wide_names;
        std::vector<Measures> wide_ms;
        std::vector<double> wide_sel;
        t.say() << "784 -> " << wide << " sigmoid -> 784 sigmoid, " << X_wide.rows() << " training images, " << wide_epochs
                << " epochs\n";
        for (const Settings& s : wide_settings) {
            hg::Rng rng(t.options().seed);
            wide_models.push_back(std::make_shared<SparseAutoencoder>(pixels, wide, rng));
            wide_ms.push_back(train(t, *wide_models.back(), s, X_wide, X_test, wide_epochs, t.options().seed).last());
            wide_names.push_back(std::to_string(wide) + " units, " + describe(s));
            wide_sel.push_back(class_selectivity(*wide_models.back(), X_test, test_set.labels, classes));
        }
        print_table(t, wide_names, wide_ms, wide_sel);
        tut::write_png_grid(out + "/filters_wide_plain.png", most_active_filters(*wide_models[0], X_test, 100), 28, 28, 10,
                            0.0f, 0.0f);
        tut::write_png_grid(out + "/filters_wide_kl.png", most_active_filters(*wide_models[1], X_test, 100), 28, 28, 10,
                            0.0f, 0.0f);
        t.say() << "units in use per image (mean activation x units): plain " << tut::fixed(wide_ms[0].mean_act * wide, 0)
                << ", KL " << tut::fixed(wide_ms[1].mean_act * wide, 0) << " of " << wide << "\n";
        t.check(wide_ms[1].mean_act > rho / 2 && wide_ms[1].mean_act < 2 * rho,
                "over-complete: KL holds the mean activation within 2x of rho");
        t.check(wide_ms[1].mean_act < wide_ms[0].mean_act / 3, "over-complete: far below the plain wide layer's");
        t.check(wide_sel[1] > 1.25 * wide_sel[0],
                "over-complete: the KL units are more class-selective than the plain ones");

        t.say() << "pictures in " << out << "/:\n"
                << "  filters_plain.png, filters_l1.png, filters_kl.png   the " << tiles << " most active units' filters\n"
                << "  filters_wide_plain.png, filters_wide_kl.png         the same for the " << wide << "-unit layers\n"
                << "  reconstructions.png    test images; plain, L1, KL reconstructions\n"
                << "  mean_activation.svg    the mean hidden activation, epoch by epoch\n";

        t.result({{"plain_mse", tut::fixed(plain.mse, 4)},
                  {"l1_mse", tut::fixed(l1.mse, 4)},
                  {"kl_mse", tut::fixed(kl.mse, 4)},
                  {"plain_mean_act", tut::fixed(plain.mean_act, 4)},
                  {"l1_mean_act", tut::fixed(l1.mean_act, 4)},
                  {"kl_mean_act", tut::fixed(kl.mean_act, 4)},
                  {"plain_off", tut::fixed(plain.off, 3)},
                  {"l1_off", tut::fixed(l1.off, 3)},
                  {"kl_off", tut::fixed(kl.off, 3)},
                  {"rho", tut::fixed(rho, 3)},
                  {"wide_plain_mean_act", tut::fixed(wide_ms[0].mean_act, 4)},
                  {"wide_kl_mean_act", tut::fixed(wide_ms[1].mean_act, 4)},
                  {"wide_plain_mse", tut::fixed(wide_ms[0].mse, 4)},
                  {"wide_kl_mse", tut::fixed(wide_ms[1].mse, 4)},
                  {"plain_selectivity", tut::fixed(sel[0], 3)},
                  {"kl_selectivity", tut::fixed(sel[2], 3)},
                  {"wide_plain_selectivity", tut::fixed(wide_sel[0], 3)},
                  {"wide_kl_selectivity", tut::fixed(wide_sel[1], 3)},
                  {"epochs", std::to_string(epochs)}});
    });
}
