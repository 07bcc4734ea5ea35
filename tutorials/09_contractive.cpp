// Tutorial 09 — contractive autoencoders (Rifai et al. 2011): penalise the squared Frobenius
// norm of the encoder's Jacobian. The closed form of the penalty, its checks and the measured
// numbers are in 09_contractive.md beside this file.
#include <algorithm>
#include <cmath>
#include <iostream>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "autograd/ops.hpp"
#include "nn/adam.hpp"
#include "nn/linear.hpp"
#include "nn/loss.hpp"
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

// Sigmoid encoder, tied sigmoid decoder (the decoder returns logits; x̂ = σ(logits)).
class Autoencoder : public hg::Module {
public:
    Autoencoder(std::size_t pixels, std::size_t hidden, hg::Rng& rng) : Module("Autoencoder") {
        encoder = register_module("encoder", std::make_shared<hg::Linear>(pixels, hidden, rng));
        decoder = register_module("decoder", std::make_shared<hg::TiedLinear>(*encoder, rng));
    }
    Var encode(const Var& x) { return hg::sigmoid((*encoder)(x)); }   // h = σ(x·Wᵀ + b)
    Var decode(const Var& h) { return (*decoder)(h); }                // logits of x̂
    Var forward(const Var& x) override { return decode(encode(x)); }
    Var weight() const { return encoder->weight(); }                  // W (H x D)

    Tensor code(const Tensor& x) {
        hg::NoGradGuard no_grad;
        return encode(Var::constant(x)).value();
    }
    Tensor reconstruct(const Tensor& x) {
        hg::NoGradGuard no_grad;
        return hg::sigmoid(forward(Var::constant(x))).value();
    }

    std::shared_ptr<hg::Linear> encoder;
    std::shared_ptr<hg::TiedLinear> decoder;
};

struct Settings {
    std::size_t hidden = 256;
    std::size_t train_images = 0;  // a flag whose default depends on --quick (main)
    std::size_t batch = 32;
    float lr = 3e-3f;
    float lambda = 0.1f;
};

// ---- the Jacobian of the encoder at one example x (1 x D), three ways ----

// Closed form: J_ji = h_j (1 − h_j) W_ji.
Tensor jacobian_closed_form(Autoencoder& model, const Tensor& x) {
    const Tensor h = model.code(x).reshape({model.weight().shape()[0], 1});  // (H x 1)
    return h * (1.0f - h) * model.weight().value();                          // (H x 1) ⊙ (H x D)
}

// Autograd, one row per backward pass: seeding h with the unit vector e_j gives
// e_jᵀ·J = row j of J in x's gradient (a vector-Jacobian product).
Tensor jacobian_by_autograd(Autoencoder& model, const Tensor& x) {
    const std::size_t H = model.weight().shape()[0], D = x.numel();
    Var input = Var::parameter(x, "x");  // a leaf that asks for its gradient
    Var h = model.encode(input);
    Tensor J(hg::Shape{H, D});
    for (std::size_t j = 0; j < H; ++j) {
        Tensor seed(hg::Shape{1, H});
        seed[j] = 1.0f;
        input.zero_grad();
        h.backward(seed, /*retain_graph=*/j + 1 < H);
        std::copy(input.grad().data(), input.grad().data() + D, J.data() + j * D);
    }
    model.zero_grad();  // the backward passes also filled W's and b's gradients
    return J;
}

// Central finite differences, one column per input pixel: J[:, i] ≈ (h(x + ε e_i) − h(x − ε e_i)) / 2ε.
Tensor jacobian_by_differences(Autoencoder& model, const Tensor& x, float eps) {
    const std::size_t H = model.weight().shape()[0], D = x.numel();
    Tensor J(hg::Shape{H, D});
    for (std::size_t i = 0; i < D; ++i) {
        Tensor plus = x, minus = x;
        plus[i] += eps;
        minus[i] -= eps;
        const Tensor column = (model.code(plus) - model.code(minus)) / (2.0f * eps);
        for (std::size_t j = 0; j < H; ++j) J[j * D + i] = column[j];
    }
    return J;
}

double frobenius_squared(const Tensor& J) { return hg::sum(hg::square(J)).item(); }
double relative_difference(const Tensor& a, const Tensor& b) {
    return std::sqrt(frobenius_squared(a - b) / frobenius_squared(b));
}

// ‖J_f(x_n)‖_F for every row of x at once, from the closed form:
// ‖J‖²_F = Σ_j (h_j(1 − h_j))² · ‖W_j‖², i.e. (N x H)·(H x 1).
Tensor jacobian_norms(Autoencoder& model, const Tensor& x) {
    const Tensor h = model.code(x);
    const Tensor slope2 = hg::square(h * (1.0f - h));
    const Tensor row_norms2 = hg::sum(hg::square(model.weight().value()), 1, true);  // (H x 1)
    return hg::sqrt(hg::matmul(slope2, row_norms2));                                 // (N x 1)
}

// ---- training ----

struct History {
    std::vector<double> reconstruction, penalty;  // per epoch, means per example
};

// Adam on Σ over the batch's pixels of CE, divided by the batch size (the paper's per-example
// sum), plus λ times the mean contractive penalty. λ = 0 is the plain autoencoder.
History train(tut::Tutorial& t, Autoencoder& model, const std::string& label, const Tensor& images, float lambda,
              const Settings& s, int epochs, std::uint64_t seed) {
    hg::Adam opt(model.parameters(), hg::AdamOptions(s.lr));
    const float pixels = static_cast<float>(images.cols());
    History history;
    tut::EpochLoop loop(t, "  " + label, images, s.batch, epochs, seed);
    while (loop.next_epoch()) {
        tut::RunningMean penalty_mean;
        for (const tut::Batch& b : loop.batches()) {
            const Var h = model.encode(b.x);
            const Var reconstruction = pixels * hg::bce_with_logits(model.decode(h), b.x);  // per example
            const Var penalty = hg::contractive_penalty(h, model.weight());                // mean ‖J‖²_F
            Var loss = lambda > 0.0f ? reconstruction + lambda * penalty : reconstruction;
            opt.zero_grad();
            loss.backward();
            opt.step();
            loop.add(reconstruction);
            penalty_mean.add(penalty.item(), b.rows.size());
        }
        history.reconstruction.push_back(loop.mean_loss());
        history.penalty.push_back(penalty_mean.mean());
        loop.report("cross-entropy " + tut::fixed(history.reconstruction.back(), 2) + "  ||J||^2 " +
                    tut::fixed(history.penalty.back(), 2));
    }
    return history;
}

double mean_of(const Tensor& t) { return hg::mean(t).item(); }

// Per-row Euclidean norms of a (N x K) tensor, and the rows scaled to norm 1.
Tensor row_norms(const Tensor& a) { return hg::sqrt(hg::sum(hg::square(a), 1)); }
Tensor unit_rows(const Tensor& a) { return a / row_norms(a).reshape({a.rows(), 1}); }

// For each row of x, the index of the nearest OTHER row (Euclidean distance), from
// ‖a − b‖² = ‖a‖² + ‖b‖² − 2a·b.
std::vector<std::size_t> nearest_other(const Tensor& x) {
    const std::size_t n = x.rows();
    const Tensor sq = hg::sum(hg::square(x), 1);
    const Tensor dots = hg::matmul(x, x, false, true);
    std::vector<std::size_t> nearest(n, 0);
    for (std::size_t a = 0; a < n; ++a) {
        float best = std::numeric_limits<float>::max();
        for (std::size_t b = 0; b < n; ++b) {
            const float d = sq[a] + sq[b] - 2.0f * dots[a * n + b];
            if (b != a && d < best) {
                best = d;
                nearest[a] = b;
            }
        }
    }
    return nearest;
}

}  // namespace

int main(int argc, char** argv) {
    tut::Tutorial t("09_contractive", "Contractive autoencoders: penalise the encoder's Jacobian");
    Settings s;
    float perturbation = 0.5f;
    t.app().add_option("--hidden", s.hidden, "Hidden units")->check(CLI::PositiveNumber);
    t.app().add_option("--lambda", s.lambda, "Weight of the contractive penalty")->check(CLI::PositiveNumber);
    t.setting("--train-images", s.train_images, {20000, 3000}, "Training images");
    t.app().add_option("--lr", s.lr, "Adam's learning rate")->check(CLI::PositiveNumber);
    t.app().add_option("--perturbation", perturbation, "Norm of the random input perturbations of step 5")
        ->check(CLI::PositiveNumber);
    return t.run(argc, argv, [&] {
        const int epochs = t.epochs(15, 8);
        const std::uint64_t seed = t.options().seed;

        t.step(1, "Fashion-MNIST");
        const tut::FashionMnist data = tut::load_fashion_mnist(t, s.train_images, t.pick<std::size_t>(2000, 1000));
        const Tensor &x_train = data.train.images, &x_test = data.test.images;
        const std::size_t pixels = data.pixels();

        t.step(2, "The penalty in closed form, checked against the Jacobian itself");
        hg::Rng init_rng(seed);
        Autoencoder probe(pixels, s.hidden, init_rng);
        t.say() << probe << "\n";
        double worst_autograd = 0, worst_differences = 0, worst_penalty = 0;
        const std::size_t examples = 3;
        for (std::size_t n = 0; n < examples; ++n) {
            const Tensor x = x_test.slice_rows(n, n + 1);
            const Tensor closed = jacobian_closed_form(probe, x);
            const Tensor by_autograd = jacobian_by_autograd(probe, x);
            const Tensor by_differences = jacobian_by_differences(probe, x, 1e-2f);
            float penalty = 0;
            {
                hg::NoGradGuard no_grad;
                penalty = hg::contractive_penalty(probe.encode(Var::constant(x)), probe.weight()).item();
            }
            const double fro2 = frobenius_squared(by_autograd);
            const double d_autograd = relative_difference(closed, by_autograd);
            const double d_differences = relative_difference(closed, by_differences);
            const double d_penalty = std::fabs(penalty - fro2) / fro2;
            t.say() << "  test image " << n << ": J " << by_autograd.shape() << ", ||J||_F^2 from autograd's rows "
                    << tut::fixed(fro2, 5) << ", contractive_penalty " << tut::fixed(penalty, 5) << "\n"
                    << "    relative difference of the closed-form J: " << tut::scientific(d_autograd, 1)
                    << " vs autograd, " << tut::scientific(d_differences, 1) << " vs finite differences\n";
            worst_autograd = std::max(worst_autograd, d_autograd);
            worst_differences = std::max(worst_differences, d_differences);
            worst_penalty = std::max(worst_penalty, d_penalty);
        }
        // (A difference of exactly 0 is no accident: autograd's rules for sigmoid and linear
        // multiply the same numbers, h(1 − h) and W, that the closed form multiplies.)
        t.check(worst_autograd < 1e-5, "the closed-form Jacobian equals autograd's, row by row (relative difference < 1e-5)");
        t.check(worst_penalty < 1e-5, "contractive_penalty equals ||J||_F^2 of autograd's Jacobian (relative difference < 1e-5)");
        t.check(worst_differences < 1e-2,
                "finite differences agree too, column by column (< 1e-2: float differences are not exact)");

        t.step(3, "Train a plain autoencoder and a contractive one (lambda = " + tut::fixed(s.lambda, 3) + ")");
        // The same network from the same initial weights; the CAE adds λ‖J‖²_F to the loss.
        hg::Rng rng_plain(seed), rng_cae(seed);
        Autoencoder plain(pixels, s.hidden, rng_plain), cae(pixels, s.hidden, rng_cae);
        const History h_plain = train(t, plain, "plain", x_train, 0.0f, s, epochs, seed + 7);
        const History h_cae = train(t, cae, "CAE", x_train, s.lambda, s, epochs, seed + 7);
        tut::write_svg_curves(t.out_dir() + "/training.svg", "training: cross-entropy per image", "epoch",
                              "cross-entropy", {{"plain AE", h_plain.reconstruction}, {"CAE", h_cae.reconstruction}});
        tut::write_svg_curves(t.out_dir() + "/jacobian_norm.svg", "training: mean ||J||_F^2", "epoch", "||J||_F^2",
                              {{"plain AE", h_plain.penalty}, {"CAE", h_cae.penalty}}, true);

        t.step(4, "||J_f(x)||_F on the test images");
        const Tensor j_plain = jacobian_norms(plain, x_test), j_cae = jacobian_norms(cae, x_test);
        const double mse_plain = mean_of(hg::square(plain.reconstruct(x_test) - x_test));
        const double mse_cae = mean_of(hg::square(cae.reconstruct(x_test) - x_test));
        const double j_mean_plain = mean_of(j_plain), j_mean_cae = mean_of(j_cae);
        std::size_t smaller = 0;
        for (std::size_t n = 0; n < x_test.rows(); ++n) smaller += j_cae[n] < j_plain[n];
        t.say() << "                mean ||J||_F   test MSE\n"
                << "  plain AE   " << tut::fixed(j_mean_plain, 3) << "        " << tut::fixed(mse_plain, 5) << "\n"
                << "  CAE        " << tut::fixed(j_mean_cae, 3) << "        " << tut::fixed(mse_cae, 5) << "\n"
                << "the CAE's Jacobian is smaller on " << smaller << " of " << x_test.rows() << " test images\n";
        t.check(j_mean_cae < j_mean_plain, "the CAE's encoder has a smaller Jacobian on test data");
        t.check(smaller > 9 * x_test.rows() / 10, "... and on more than 90% of the test images one by one");

        t.step(5, "What it buys: the code under small perturbations of the input");
        // x' = x + δ·u with ‖u‖ = 1 and δ = --perturbation (a test image has ‖x‖ ≈ 12). The
        // code change ‖f(x') − f(x)‖ / δ is, for small δ, ‖J·u‖. Two kinds of direction u:
        //   random   a random direction of the 784-dimensional pixel space
        //   data     towards the nearest other test image: a direction along the data
        hg::Rng noise_rng(seed + 99);
        const Tensor random_dir = unit_rows(Tensor::normal(x_test.shape(), 0.0f, 1.0f, noise_rng));
        const Tensor data_dir = unit_rows(x_test.gather_rows(nearest_other(x_test)) - x_test);
        auto code_change = [&](Autoencoder& m, const Tensor& dir) {
            return mean_of(row_norms(m.code(x_test + perturbation * dir) - m.code(x_test))) / perturbation;
        };
        auto reconstruction_change = [&](Autoencoder& m, const Tensor& dir) {
            return mean_of(row_norms(m.reconstruct(x_test + perturbation * dir) - m.reconstruct(x_test))) / perturbation;
        };
        const double code_plain = code_change(plain, random_dir), code_cae = code_change(cae, random_dir);
        const double rec_plain = reconstruction_change(plain, random_dir), rec_cae = reconstruction_change(cae, random_dir);
        const double data_plain = code_change(plain, data_dir), data_cae = code_change(cae, data_dir);
        t.say() << "mean ||x|| of a test image " << tut::fixed(mean_of(row_norms(x_test)), 2) << ", perturbation delta "
                << tut::fixed(perturbation, 2) << "\n"
                << "             code change / delta     reconstruction change / delta    code change / delta\n"
                << "             (random direction)      (random direction)               (towards a neighbour)\n"
                << "  plain AE   " << tut::fixed(code_plain, 4) << "                  " << tut::fixed(rec_plain, 4)
                << "                           " << tut::fixed(data_plain, 4) << "\n"
                << "  CAE        " << tut::fixed(code_cae, 4) << "                  " << tut::fixed(rec_cae, 4)
                << "                           " << tut::fixed(data_cae, 4) << "\n";
        t.check(code_cae < code_plain, "under the same small random perturbations, the CAE's code moves less");

        t.step(6, "Contraction is not uniform: directions along the data survive");
        // The penalty pushes every direction's sensitivity down, the reconstruction term needs
        // the directions in which images actually differ: what remains is a code that ignores
        // random moves but still follows moves towards other images — the paper's picture of
        // a code that contracts in most directions but not along the data.
        const double ratio_plain = data_plain / code_plain, ratio_cae = data_cae / code_cae;
        t.say() << "code change towards a neighbour / in a random direction: plain AE " << tut::fixed(ratio_plain, 2)
                << ", CAE " << tut::fixed(ratio_cae, 2) << "\n"
                << "the CAE cuts the random-direction change by " << tut::fixed(100 * (1 - code_cae / code_plain), 0)
                << "%, the change towards a neighbour by " << tut::fixed(100 * (1 - data_cae / data_plain), 0) << "%\n";
        t.check(ratio_cae > ratio_plain, "the CAE contracts random directions more than directions towards other images");

        t.step(7, "Pictures");
        std::vector<std::size_t> first(50);
        for (std::size_t j = 0; j < first.size(); ++j) first[j] = j;
        tut::write_png_grid(t.out_dir() + "/filters_plain.png", plain.weight().value().gather_rows(first), 28, 28, 10, 0, 0);
        tut::write_png_grid(t.out_dir() + "/filters_cae.png", cae.weight().value().gather_rows(first), 28, 28, 10, 0, 0);
        const Tensor shown = x_test.slice_rows(0, 10);
        tut::write_png_grid(t.out_dir() + "/reconstructions.png",
                            Tensor::concat_rows({shown, plain.reconstruct(shown), cae.reconstruct(shown)}), 28, 28, 10);
        t.say() << "pictures in " << t.out_dir() << ":\n"
                << "  reconstructions.png   test images / plain AE / CAE\n"
                << "  filters_<model>.png   the first 50 hidden units' weights\n"
                << "  training.svg, jacobian_norm.svg   the training curves\n";

        t.result({{"jacobian_rel_diff", tut::scientific(worst_autograd, 1)},
                  {"penalty_rel_diff", tut::scientific(worst_penalty, 1)},
                  {"fd_rel_diff", tut::scientific(worst_differences, 1)},
                  {"lambda", tut::fixed(s.lambda, 3)},
                  {"jnorm_plain", tut::fixed(j_mean_plain, 4)},
                  {"jnorm_cae", tut::fixed(j_mean_cae, 4)},
                  {"code_change_plain", tut::fixed(code_plain, 4)},
                  {"code_change_cae", tut::fixed(code_cae, 4)},
                  {"recon_change_plain", tut::fixed(rec_plain, 4)},
                  {"recon_change_cae", tut::fixed(rec_cae, 4)},
                  {"data_ratio_plain", tut::fixed(ratio_plain, 3)},
                  {"data_ratio_cae", tut::fixed(ratio_cae, 3)},
                  {"mse_plain", tut::fixed(mse_plain, 5)},
                  {"mse_cae", tut::fixed(mse_cae, 5)},
                  {"epochs", std::to_string(epochs)}});
    });
}
