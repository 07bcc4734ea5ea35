// Tutorial 09 — contractive autoencoders (Rifai et al. 2011): penalise the squared Frobenius
// norm of the encoder's Jacobian. The closed form of the penalty, its checks and the measured
// numbers are in 09_contractive.md beside this file.
#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>
#include <string>
#include <utility>
#include <vector>

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

// Closed form: J_ji = h_j (1 − h_j) W_ji with h_j = σ(W_j·x + b_j), by its own loops in double
// precision: it shares no arithmetic with autograd's float ops, so agreement is a test (09_contractive.md).
Tensor jacobian_closed_form(Autoencoder& model, const Tensor& x) {
    const Tensor &W = model.weight().value(), &b = model.encoder->bias().value();
    const std::size_t H = W.shape()[0], D = W.shape()[1];
    Tensor J(hg::Shape{H, D});
    for (std::size_t j = 0; j < H; ++j) {
        double a = b[j];
        for (std::size_t i = 0; i < D; ++i) a += static_cast<double>(W[j * D + i]) * x[i];
        const double h = 1.0 / (1.0 + std::exp(-a));
        for (std::size_t i = 0; i < D; ++i) J[j * D + i] = static_cast<float>(h * (1.0 - h) * W[j * D + i]);
    }
    return J;
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
        loop.report("cross-entropy per image " + tut::fixed(history.reconstruction.back(), 2) + "  ||J||^2 " +
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

// Step 2: the closed form against autograd's Jacobian and central differences, on 3 test images.
struct JacobianChecks {
    double autograd = 0, differences = 0, penalty = 0;  // the worst relative differences
};

JacobianChecks step2_check_closed_form(tut::Tutorial& t, const Tensor& x_test, const Settings& s) {
    t.step(2, "The penalty in closed form, checked against the Jacobian itself");
    hg::Rng init_rng(t.options().seed);
    Autoencoder probe(x_test.cols(), s.hidden, init_rng);
    t.say() << probe << "\n";
    JacobianChecks worst;
    for (std::size_t n = 0; n < 3; ++n) {
        const Tensor x = x_test.slice_rows(n, n + 1);
        const Tensor closed = jacobian_closed_form(probe, x);
        const Tensor by_autograd = jacobian_by_autograd(probe, x);
        const Tensor by_differences = jacobian_by_differences(probe, x, 1e-2f);
        const Var h = Var::constant(probe.code(x)), W = Var::constant(probe.weight().value());
        const float penalty = hg::contractive_penalty(h, W).item();
        const double fro2 = frobenius_squared(by_autograd);
        const double d_autograd = relative_difference(closed, by_autograd);
        const double d_differences = relative_difference(closed, by_differences);
        t.say() << "  test image " << n << ": J " << by_autograd.shape() << ", ||J||_F^2 from autograd's rows "
                << tut::fixed(fro2, 5) << ", contractive_penalty " << tut::fixed(penalty, 5) << "\n"
                << "    relative difference of the closed-form J: " << tut::scientific(d_autograd, 1) << " vs autograd, "
                << tut::scientific(d_differences, 1) << " vs finite differences\n";
        worst.autograd = std::max(worst.autograd, d_autograd);
        worst.differences = std::max(worst.differences, d_differences);
        worst.penalty = std::max(worst.penalty, std::fabs(penalty - fro2) / fro2);
    }
    t.check(worst.autograd < 1e-5, "the closed-form Jacobian equals autograd's, row by row (relative difference < 1e-5)");
    t.check(worst.penalty < 1e-5, "contractive_penalty equals ||J||_F^2 of autograd's Jacobian (relative difference < 1e-5)");
    t.check(worst.differences < 1e-2, "finite differences agree too, column by column (< 1e-2: float differences are not exact)");
    return worst;
}

// The plain autoencoder and the CAE: the same network from the same initial weights.
struct Pair {
    std::shared_ptr<Autoencoder> plain, cae;
};

Pair step3_train(tut::Tutorial& t, const Tensor& x_train, const Settings& s, int epochs) {
    t.step(3, "Train a plain autoencoder and a contractive one (lambda = " + tut::fixed(s.lambda, 3) + ")");
    const std::uint64_t seed = t.options().seed;
    hg::Rng rng_plain(seed), rng_cae(seed);
    Pair m{std::make_shared<Autoencoder>(x_train.cols(), s.hidden, rng_plain),
           std::make_shared<Autoencoder>(x_train.cols(), s.hidden, rng_cae)};
    const History h_plain = train(t, *m.plain, "plain", x_train, 0.0f, s, epochs, seed + 7);
    const History h_cae = train(t, *m.cae, "CAE", x_train, s.lambda, s, epochs, seed + 7);
    tut::write_svg_curves(t.out_dir() + "/training.svg", "training: cross-entropy per image", "epoch", "cross-entropy",
                          {{"plain AE", h_plain.reconstruction}, {"CAE", h_cae.reconstruction}});
    tut::write_svg_curves(t.out_dir() + "/jacobian_norm.svg", "training: mean ||J||_F^2", "epoch", "||J||_F^2",
                          {{"plain AE", h_plain.penalty}, {"CAE", h_cae.penalty}}, true);
    return m;
}

struct Norms {
    double j_plain = 0, j_cae = 0, mse_plain = 0, mse_cae = 0;  // mean ||J||_F and test MSE
};

Norms step4_jacobian_norms(tut::Tutorial& t, Pair& m, const Tensor& x_test) {
    t.step(4, "||J_f(x)||_F on the test images");
    const Tensor j_plain = jacobian_norms(*m.plain, x_test), j_cae = jacobian_norms(*m.cae, x_test);
    const Norms r{mean_of(j_plain), mean_of(j_cae), mean_of(hg::square(m.plain->reconstruct(x_test) - x_test)),
                  mean_of(hg::square(m.cae->reconstruct(x_test) - x_test))};
    std::size_t smaller = 0;
    for (std::size_t n = 0; n < x_test.rows(); ++n) smaller += j_cae[n] < j_plain[n];
    t.say() << "                mean ||J||_F   test MSE per pixel\n"
            << "  plain AE   " << tut::fixed(r.j_plain, 3) << "        " << tut::fixed(r.mse_plain, 5) << "\n"
            << "  CAE        " << tut::fixed(r.j_cae, 3) << "        " << tut::fixed(r.mse_cae, 5) << "\n"
            << "the CAE's Jacobian is smaller on " << smaller << " of " << x_test.rows() << " test images\n";
    t.check(r.j_cae < r.j_plain, "the CAE's encoder has a smaller Jacobian on test data");
    t.check(smaller > 9 * x_test.rows() / 10, "... and on more than 90% of the test images one by one");
    return r;
}

// Step 5's changes per unit of perturbation: of the code and of the reconstruction in a random
// direction, and of the code towards the nearest other test image.
struct Changes {
    double code = 0, reconstruction = 0, data = 0;
};

Changes changes_of(Autoencoder& m, const Tensor& x, const Tensor& random_dir, const Tensor& data_dir, float delta) {
    auto change = [&](const Tensor& dir, auto f) { return mean_of(row_norms(f(x + delta * dir) - f(x))) / delta; };
    auto code = [&](const Tensor& v) { return m.code(v); };
    auto reconstruct = [&](const Tensor& v) { return m.reconstruct(v); };
    return {change(random_dir, code), change(random_dir, reconstruct), change(data_dir, code)};
}

// x' = x + δ·u with ‖u‖ = 1 (a test image has ‖x‖ ≈ 12): the code change / δ is ‖J·u‖ for small δ.
std::pair<Changes, Changes> step5_perturb(tut::Tutorial& t, Pair& m, const Tensor& x_test, float delta) {
    t.step(5, "What it buys: the code under small perturbations of the input");
    hg::Rng noise_rng(t.options().seed + 99);
    const Tensor random_dir = unit_rows(Tensor::normal(x_test.shape(), 0.0f, 1.0f, noise_rng));
    const Tensor data_dir = unit_rows(x_test.gather_rows(nearest_other(x_test)) - x_test);
    const Changes p = changes_of(*m.plain, x_test, random_dir, data_dir, delta);
    const Changes c = changes_of(*m.cae, x_test, random_dir, data_dir, delta);
    t.say() << "mean ||x|| of a test image " << tut::fixed(mean_of(row_norms(x_test)), 2) << ", perturbation delta "
            << tut::fixed(delta, 2) << "\n"
            << "             code change / delta     reconstruction change / delta    code change / delta\n"
            << "             (random direction)      (random direction)               (towards a neighbour)\n";
    for (const auto& [name, r] : {std::pair{"plain AE", p}, std::pair{"CAE     ", c}})
        t.say() << "  " << name << "   " << tut::fixed(r.code, 4) << "                  " << tut::fixed(r.reconstruction, 4)
                << "                           " << tut::fixed(r.data, 4) << "\n";
    t.check(c.code < p.code, "under the same small random perturbations, the CAE's code moves less");
    return {p, c};
}

// The penalty pushes every direction's sensitivity down, the reconstruction needs the
// directions in which images differ: the code contracts in most directions, not along the data.
std::pair<double, double> step6_along_the_data(tut::Tutorial& t, const Changes& p, const Changes& c) {
    t.step(6, "Contraction is not uniform: directions along the data survive");
    const double ratio_plain = p.data / p.code, ratio_cae = c.data / c.code;
    t.say() << "code change towards a neighbour / in a random direction: plain AE " << tut::fixed(ratio_plain, 2) << ", CAE "
            << tut::fixed(ratio_cae, 2) << "\nthe CAE cuts the random-direction change by "
            << tut::fixed(100 * (1 - c.code / p.code), 0) << "%, the change towards a neighbour by "
            << tut::fixed(100 * (1 - c.data / p.data), 0) << "%\n";
    t.check(ratio_cae > ratio_plain, "the CAE contracts random directions more than directions towards other images");
    return {ratio_plain, ratio_cae};
}

void step7_pictures(tut::Tutorial& t, Pair& m, const Tensor& x_test) {
    t.step(7, "Pictures");
    const Tensor first = m.plain->weight().value().slice_rows(0, 50), first_cae = m.cae->weight().value().slice_rows(0, 50);
    tut::write_png_grid(t.out_dir() + "/filters_plain.png", first, 28, 28, 10, 0, 0);
    tut::write_png_grid(t.out_dir() + "/filters_cae.png", first_cae, 28, 28, 10, 0, 0);
    const Tensor shown = x_test.slice_rows(0, 10);
    tut::write_png_grid(t.out_dir() + "/reconstructions.png",
                        Tensor::concat_rows({shown, m.plain->reconstruct(shown), m.cae->reconstruct(shown)}), 28, 28, 10);
    t.say() << "pictures in " << t.out_dir() << "/ (09_contractive.md says what each shows)\n";
}

}  // namespace

int main(int argc, char** argv) {
    tut::Tutorial t("09_contractive", "Contractive autoencoders: penalise the encoder's Jacobian");
    Settings s;
    float perturbation = 0.5f;
    t.app().add_option("--hidden", s.hidden, "Hidden units")->check(tut::at_least(1));
    t.app().add_option("--lambda", s.lambda, "Weight of the contractive penalty")->check(tut::above(0));
    t.setting("--train-images", s.train_images, {20000, 3000}, "Training images");
    t.app().add_option("--lr", s.lr, "Adam's learning rate")->check(tut::above(0));
    t.app().add_option("--perturbation", perturbation, "Norm of the random input perturbations of step 5")
        ->check(tut::above(0));
    return t.run(argc, argv, [&] {
        const int epochs = t.epochs(15, 8);
        t.step(1, "Fashion-MNIST");
        const tut::FashionMnist data = tut::load_fashion_mnist(t, s.train_images, t.pick<std::size_t>(2000, 1000));
        const Tensor& x_test = data.test.images;
        const JacobianChecks worst = step2_check_closed_form(t, x_test, s);
        Pair m = step3_train(t, data.train.images, s, epochs);
        const Norms norms = step4_jacobian_norms(t, m, x_test);
        const auto [p, c] = step5_perturb(t, m, x_test, perturbation);
        const auto [ratio_plain, ratio_cae] = step6_along_the_data(t, p, c);
        step7_pictures(t, m, x_test);
        t.result({{"jacobian_rel_diff", tut::scientific(worst.autograd, 1)}, {"penalty_rel_diff", tut::scientific(worst.penalty, 1)},
                  {"fd_rel_diff", tut::scientific(worst.differences, 1)}, {"lambda", tut::fixed(s.lambda, 3)},
                  {"jnorm_plain", tut::fixed(norms.j_plain, 4)}, {"jnorm_cae", tut::fixed(norms.j_cae, 4)},
                  {"code_change_plain", tut::fixed(p.code, 4)}, {"code_change_cae", tut::fixed(c.code, 4)},
                  {"recon_change_plain", tut::fixed(p.reconstruction, 4)}, {"recon_change_cae", tut::fixed(c.reconstruction, 4)},
                  {"data_ratio_plain", tut::fixed(ratio_plain, 3)}, {"data_ratio_cae", tut::fixed(ratio_cae, 3)},
                  {"mse_plain", tut::fixed(norms.mse_plain, 5)}, {"mse_cae", tut::fixed(norms.mse_cae, 5)},
                  {"epochs", std::to_string(epochs)}});
    });
}
