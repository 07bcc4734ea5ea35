// Tutorial 13 — the variational autoencoder (Kingma & Welling 2014).
//
// The KL term in closed form against Monte Carlo (and a well-known log-sigma/log-variance
// mix-up, measured), the reparameterised sample's gradients, then VAEs with a 2-number code
// (a plane you can look at) and a 20-number one (models/vae.hpp). The program prints;
// tutorials/13_vae.md explains (the ELBO, the reparameterisation, the measured numbers).
#include <algorithm>
#include <cmath>
#include <numbers>
#include <string>
#include <vector>

#include "data/idx.hpp"
#include "autograd/ops.hpp"
#include "models/vae.hpp"
#include "nn/adam.hpp"
#include "autograd/loss.hpp"
#include "tutorials/common/epochs.hpp"
#include "tutorials/common/fashion.hpp"
#include "tutorials/common/picture.hpp"
#include "tutorials/common/tutorial.hpp"

using hg::Tensor;
using hg::Var;
namespace tut = hg::tutorial;

namespace {

constexpr std::size_t kPixels = 784;
using hg::models::Vae;

// σ(decoder(z)) for every row of z: the decoder's image (its pixel probabilities).
Tensor decode_images(Vae& model, const Tensor& z) {
    hg::NoGradGuard no_grad;
    return hg::sigmoid(model.decode(Var::constant(z))).value();
}

struct Trained {
    hg::models::VaeScore test;
    std::vector<double> curve;  // test loss after each epoch
    double median_epoch_seconds = 0;
};

Trained train(tut::Tutorial& t, const std::string& label, Vae& model, const Tensor& x, const Tensor& x_test, int epochs,
              std::size_t batch, float lr, hg::Rng& rng) {
    hg::Adam opt(model.parameters(), hg::AdamOptions(lr));
    tut::EpochLoop loop(t, label, x, batch, epochs, rng);  // shuffles with the rng that draws ε
    const std::uint64_t eval_seed = t.options().seed + 1000;
    Trained out;
    while (loop.next_epoch()) {
        for (const tut::Batch& b : loop.batches()) {
            Var loss = hg::models::vae_loss(model, b.x, rng).total();
            opt.zero_grad();
            loss.backward();
            opt.step();
            loop.add(loss);
        }
        out.test = hg::models::vae_score(model, x_test, eval_seed);
        out.curve.push_back(out.test.loss());
        loop.report("nats per image: train loss " + tut::fixed(loop.mean_loss(), 2) + "  test loss " + tut::fixed(out.test.loss(), 2) +
                    " (BCE " + tut::fixed(out.test.bce, 2) + " + KL " + tut::fixed(out.test.kl, 2) + ")  " +
                    tut::fixed(loop.epoch_seconds().back(), 1) + " s/epoch");
    }
    out.median_epoch_seconds = loop.median_epoch_seconds();
    return out;
}

// Σ over pixels of BCE(x, p), averaged over the rows of x; p one row (broadcast) or as x.
// Each log is clamped at −100 as bce() does, so p = x = 0 costs 0.
double bce_per_image(const Tensor& x, const Tensor& p) {
    const Tensor probs = p.rows() == x.rows() ? p : Tensor::zeros(x.shape()) + p;
    double total = 0;
    for (std::size_t i = 0; i < x.numel(); ++i) {
        const double t = x[i], q = probs[i];
        total -= t * std::max(std::log(q), -100.0) + (1 - t) * std::max(std::log1p(-q), -100.0);
    }
    return total / static_cast<double>(x.rows());
}

// The standard normal's quantile Φ⁻¹(p), by bisection on Φ(z) = ½ erfc(−z/√2).
double normal_quantile(double p) {
    double lo = -10, hi = 10;
    for (int i = 0; i < 100; ++i) {
        const double mid = (lo + hi) / 2;
        (0.5 * std::erfc(-mid / std::numbers::sqrt2) < p ? lo : hi) = mid;
    }
    return (lo + hi) / 2;
}

// Monte-Carlo KL(q ‖ N(0, I)) = E_q[log q(z) − log p(z)] for one Gaussian q (one row of mu
// and logvar), from `samples` draws of z through reparameterise.
double monte_carlo_kl(const Tensor& mu, const Tensor& logvar, std::size_t samples, hg::Rng& rng) {
    const std::size_t d = mu.numel();
    const Tensor m = Tensor::zeros({samples, d}) + mu.reshape({1, d});
    const Tensor lv = Tensor::zeros({samples, d}) + logvar.reshape({1, d});
    const Tensor z = hg::reparameterise(Var::constant(m), Var::constant(lv), rng).value();
    double total = 0;
    for (std::size_t s = 0; s < samples; ++s)
        for (std::size_t j = 0; j < d; ++j) {
            const double zj = z[s * d + j], var = std::exp(static_cast<double>(logvar[j]));
            const double log_q = -0.5 * (std::log(2 * std::numbers::pi * var) + (zj - mu[j]) * (zj - mu[j]) / var);
            const double log_p = -0.5 * (std::log(2 * std::numbers::pi) + zj * zj);
            total += log_q - log_p;
        }
    return total / static_cast<double>(samples);
}

// Nearest class centroid in code space: fit the centroids on (codes, labels), score on others.
double nearest_centroid_accuracy(const Tensor& fit, const std::vector<int>& fit_labels, const Tensor& score,
                                 const std::vector<int>& score_labels, int classes) {
    const std::size_t d = fit.cols();
    std::vector<double> centre(static_cast<std::size_t>(classes) * d, 0.0), count(static_cast<std::size_t>(classes), 0.0);
    for (std::size_t r = 0; r < fit.rows(); ++r) {
        const auto c = static_cast<std::size_t>(fit_labels[r]);
        count[c] += 1;
        for (std::size_t j = 0; j < d; ++j) centre[c * d + j] += fit[r * d + j];
    }
    for (std::size_t c = 0; c < count.size(); ++c)
        for (std::size_t j = 0; j < d; ++j) centre[c * d + j] /= std::max(count[c], 1.0);
    std::size_t right = 0;
    for (std::size_t r = 0; r < score.rows(); ++r) {
        std::size_t best = 0;
        double best_distance = 1e300;
        for (std::size_t c = 0; c < count.size(); ++c) {
            double dist = 0;
            for (std::size_t j = 0; j < d; ++j) dist += std::pow(score[r * d + j] - centre[c * d + j], 2);
            if (count[c] > 0 && dist < best_distance) best_distance = dist, best = c;
        }
        right += static_cast<int>(best) == score_labels[r];
    }
    return static_cast<double>(right) / static_cast<double>(score.rows());
}

struct Lab {
    const hg::data::ImageSet &train_set, &test_set;
    int epochs;
    std::size_t batch;
    float lr;
    bool default_setting;  // the lesson's bounds are claims about the default recipe only
    double floor, mean_image_loss;
};

using Result = std::vector<std::pair<std::string, std::string>>;

// Step 2: the KL term in closed form against Monte Carlo; the sample's gradients.
void kl_and_sample(tut::Tutorial& t) {
    t.step(2, "The two pieces: the KL term in closed form, and the reparameterised sample");
    hg::Rng rng(t.options().seed);
    const Tensor mu = Tensor::from({1, 4}, {0.5f, -1.0f, 0.0f, 2.0f});
    const Tensor head = Tensor::from({1, 4}, {-1.0f, -0.5f, 0.3f, 0.0f});  // an encoder's second head, s
    const std::size_t samples = t.pick<std::size_t>(400000, 100000);
    // Read s as logvar (this tutorial): sample with σ = e^(s/2), KL with logvar = s.
    const double closed = hg::vae_kl(Var::constant(mu), Var::constant(head)).item();
    const double mc = monte_carlo_kl(mu, head, samples, rng);
    // The Keras blog's mix: sample with σ = e^s (variance e^(2s)), but the KL of logvar = s.
    const double keras_kl = closed;
    const double keras_true = monte_carlo_kl(mu, head * 2.0f, samples, rng);
    t.say() << "mu " << mu.reshape({4}) << ", second head s " << head.reshape({4}) << "\n"
            << "  s read as logvar in both places:  closed-form KL " << tut::fixed(closed, 4) << " nats"
            << ", Monte-Carlo KL of the samples (" << samples << " draws) " << tut::fixed(mc, 4) << "\n"
            << "  s as log sigma in the sample, as logvar in the KL (the Keras blog):  the KL term says "
            << tut::fixed(keras_kl, 4) << ", the samples' KL is " << tut::fixed(keras_true, 4) << "\n";
    t.check(std::fabs(mc - closed) < 0.02 * closed, "vae_kl equals the KL of reparameterise's samples (to 2%)");
    t.check(std::fabs(keras_true - keras_kl) > 0.1 * keras_true,
            "mixing log sigma and logvar penalises a different Gaussian from the one sampled (>10% off)");
    // The sample's gradients: z = μ + e^(logvar/2)·ε, so dz/dμ = 1 and dz/dlogvar = ½σε.
    Var m = Var::parameter(mu), lv = Var::parameter(head);
    hg::Rng draw(7), same(7);
    Var z = hg::reparameterise(m, lv, draw);
    hg::sum(z).backward();
    const float eps0 = same.normal();
    t.say() << "  z[0] = " << tut::fixed(z.value()[0], 4) << " = 0.5 + e^(-1/2)·" << tut::fixed(eps0, 4)
            << ";  dz/dmu[0] = " << m.grad()[0] << ", dz/dlogvar[0] = " << tut::fixed(lv.grad()[0], 4)
            << " = ½σε\n";
    t.check(std::fabs(lv.grad()[0] - 0.5f * std::exp(-0.5f) * eps0) < 1e-5f && m.grad()[0] == 1.0f,
            "gradients reach mu and logvar through the sample");
}

// Steps 3 and 4: a VAE with a 2-number code, and its code plane.
Trained two_d(tut::Tutorial& t, const Lab& lab, Result& result) {
    const Tensor &x = lab.train_set.images, &x_test = lab.test_set.images;
    const hg::data::ImageSet &train_set = lab.train_set, &test_set = lab.test_set;
    t.step(3, "Train a VAE with a 2-number code: 784-400-(2+2) | 2-400-784");
    hg::Rng rng(t.options().seed);
    Vae model(2, rng);
    t.say() << model << "\n"
            << "Adam (lr " << lab.lr << "), batch " << lab.batch << ", " << lab.epochs << " epochs on " << x.rows()
            << " images\n";
    const Trained two = train(t, "2-D VAE", model, x, x_test, lab.epochs, lab.batch, lab.lr, rng);
    t.say() << "test loss per image " << tut::fixed(two.test.loss(), 2) << " nats = BCE " << tut::fixed(two.test.bce, 2)
            << " + KL " << tut::fixed(two.test.kl, 2) << "\n";
    if (lab.default_setting)
        t.check(two.test.loss() < 0.85 * lab.mean_image_loss,
                "even two numbers per image beat the mean image by more than 15%");

    t.step(4, "The 2-D code plane: test codes by class, and the decoder over the plane");
    const Tensor mu_test = hg::models::posterior_means(model, x_test);
    std::vector<tut::Point> points;
    for (std::size_t r = 0; r < std::min<std::size_t>(mu_test.rows(), 5000); ++r)
        points.push_back({mu_test[2 * r], mu_test[2 * r + 1], test_set.labels[r]});
    tut::write_svg_scatter(t.out_dir() + "/codes_2d.svg", "test images' mu, 2-D VAE", points, test_set.class_names);
    // How the codes spread: the prior asks for N(0, I) on the whole (μ and σ together).
    const Tensor centre = hg::mean(mu_test, 0);
    const Tensor spread = hg::sqrt(hg::mean(hg::square(mu_test - centre.reshape({1, 2})), 0));
    t.say() << "test codes: mean " << centre << ", standard deviation " << spread << "\n";
    // Do the classes sit apart? Nearest class centre, fitted on training codes.
    const std::size_t fit_rows = std::min<std::size_t>(x.rows(), 10000);
    const Tensor mu_fit = hg::models::posterior_means(model, x.slice_rows(0, fit_rows));
    const std::vector<int> fit_labels(train_set.labels.begin(),
                                      train_set.labels.begin() + static_cast<std::ptrdiff_t>(fit_rows));
    const double accuracy = nearest_centroid_accuracy(mu_fit, fit_labels, mu_test, test_set.labels, 10);
    t.say() << "the nearest class centre in the plane names the test image's class " << tut::fixed(100 * accuracy, 1)
            << "% of the time (chance: 10%) — the VAE never saw a label\n";
    if (lab.default_setting) t.check(accuracy > 0.4, "the unsupervised 2-D code separates the classes (> 40% vs 10%)");
    // The decoder over the plane: 15 x 15 codes at the prior's quantiles 0.05 .. 0.95,
    // so that each cell holds the same prior probability; z₂ grows upwards.
    const std::size_t side = 15;
    Tensor grid({side * side, 2});
    for (std::size_t r = 0; r < side; ++r)
        for (std::size_t c = 0; c < side; ++c) {
            const double pc = 0.05 + 0.9 * static_cast<double>(c) / (side - 1);
            const double pr = 0.95 - 0.9 * static_cast<double>(r) / (side - 1);
            grid[(r * side + c) * 2] = static_cast<float>(normal_quantile(pc));
            grid[(r * side + c) * 2 + 1] = static_cast<float>(normal_quantile(pr));
        }
    t.say() << "the grid's z from " << tut::fixed(grid[0], 3) << " to " << tut::fixed(grid[2 * side - 2], 3)
            << " (Φ⁻¹(0.05) .. Φ⁻¹(0.95))\n";
    tut::write_png_grid(t.out_dir() + "/plane_2d.png", decode_images(model, grid), 28, 28, side);
    result.insert(result.end(), {{"test_loss_2d", tut::fixed(two.test.loss(), 2)},
                                 {"test_kl_2d", tut::fixed(two.test.kl, 2)},
                                 {"centroid_accuracy_2d", tut::fixed(accuracy, 3)}});
    return two;
}

// Steps 5 and 6: the 20-D VAE of PyTorch's example, its reconstructions and samples.
Trained twenty_d(tut::Tutorial& t, const Lab& lab, const Trained& two, Result& result) {
    const Tensor &x = lab.train_set.images, &x_test = lab.test_set.images;
    const hg::data::ImageSet& test_set = lab.test_set;
    t.step(5, "Train the 20-D VAE: 784-400-(20+20) | 20-400-784 (PyTorch's example model)");
    hg::Rng rng(t.options().seed + 1);
    Vae model(20, rng);
    t.say() << model << "\n"
            << "Adam (lr " << lab.lr << "), batch " << lab.batch << ", " << lab.epochs << " epochs on " << x.rows()
            << " images\n";
    const Trained twenty = train(t, "20-D VAE", model, x, x_test, lab.epochs, lab.batch, lab.lr, rng);
    t.say() << "test loss per image " << tut::fixed(twenty.test.loss(), 2) << " nats = BCE "
            << tut::fixed(twenty.test.bce, 2) << " + KL " << tut::fixed(twenty.test.kl, 2) << "  (the mean image: "
            << tut::fixed(lab.mean_image_loss, 2) << ", the floor: " << tut::fixed(lab.floor, 2) << ")\n";
    t.check(std::isfinite(twenty.test.kl) && twenty.test.kl > 0,
            "the KL term is positive and finite: the codes carry information about the image");
    if (lab.default_setting) {
        t.check(twenty.test.loss() < 0.8 * lab.mean_image_loss, "the 20-D VAE beats the mean image by more than 20%");
        // After a few seconds of training both are limited by training, not by the code
        // size, and the two losses are close; the full run separates them.
        if (!t.options().quick)
            t.check(twenty.test.loss() < two.test.loss(), "20 numbers per image give a lower loss than 2");
    }

    t.step(6, "Pictures: reconstructions, and new images drawn from the prior");
    const std::vector<std::size_t> rows = tut::one_per_class(test_set.labels, 10);
    const Tensor originals = x_test.gather_rows(rows);
    hg::Rng prior(t.options().seed + 2);
    const Tensor z = Tensor::normal({64, 20}, 0.0f, 1.0f, prior);  // z ~ N(0, I)
    const Tensor samples = decode_images(model, z);
    hg::NoGradGuard no_grad;
    tut::write_png_grid(t.out_dir() + "/reconstructions_20d.png",
                        Tensor::concat_rows({originals, hg::sigmoid(model(Var::constant(originals))).value()}), 28,
                        28, rows.size());
    tut::write_png_grid(t.out_dir() + "/samples_20d.png", samples, 28, 28, 8);
    t.say() << "64 images from z ~ N(0, I): mean pixel " << tut::fixed(hg::mean(samples).item(), 3)
            << " (the data: " << tut::fixed(hg::mean(x).item(), 3) << ")\n";
    result.insert(result.end(), {{"test_loss_20d", tut::fixed(twenty.test.loss(), 2)},
                                 {"test_bce_20d", tut::fixed(twenty.test.bce, 2)},
                                 {"test_kl_20d", tut::fixed(twenty.test.kl, 2)}});
    return twenty;
}
}  // namespace

int main(int argc, char** argv) {
    tut::Tutorial t("13_vae", "The variational autoencoder (Kingma & Welling 2014)");
    std::size_t train_images = 0, batch = 128;
    float lr = 1e-3f;
    t.setting("--train-images", train_images, {60000, 3000}, "Training images")->check(tut::between(100, 60000));
    t.app().add_option("--batch", batch, "Mini-batch size (default 128)")->check(tut::at_least(1));
    t.app().add_option("--lr", lr, "Adam's learning rate (default 1e-3)")->check(tut::above(0));
    return t.run(argc, argv, [&] {
        t.step(1, "Fashion-MNIST, and what a loss per image means here");
        const tut::FashionMnist data = tut::load_fashion_mnist(t, train_images, t.pick<std::size_t>(10000, 1000));
        const hg::data::ImageSet &train_set = data.train, &test_set = data.test;
        const Tensor &x = train_set.images, &x_test = test_set.images;
        // Two reference points for "BCE summed over 784 pixels, per test image":
        const Tensor mean_image = hg::clamp(hg::mean(x, 0).reshape({1, kPixels}), 1e-6f, 1 - 1e-6f);
        const Lab lab{train_set, test_set, t.epochs(10, 5), batch, lr, t.default_setting({"--train-images", "--batch", "--lr"}),
                      bce_per_image(x_test, x_test),         // a perfect copy x̂ = x
                      bce_per_image(x_test, mean_image)};  // ignore z: KL 0
        t.say() << "losses are in nats (natural logarithms) per image: BCE summed over its 784 pixels, plus the KL term\n"
                << "a perfect reconstruction (x̂ = x) still costs " << tut::fixed(lab.floor, 2)
                << " per image: the pixels are grey levels, not 0/1\n"
                << "a decoder that ignores z and draws the mean training image, with KL 0: "
                << tut::fixed(lab.mean_image_loss, 2) << " per image — the VAEs below must do much better\n";
        t.check(lab.floor < lab.mean_image_loss, "the perfect copy scores below the mean image");

        kl_and_sample(t);
        Result result = {{"dataset", "fashion-mnist"}};
        const Trained two = two_d(t, lab, result);
        const Trained twenty = twenty_d(t, lab, two, result);

        t.step(7, "Summary");
        const std::string out = t.out_dir();
        tut::write_svg_curves(out + "/test_loss.svg", "test loss per image (BCE sum + KL)", "epoch", "loss",
                              {{"2-D VAE", two.curve}, {"20-D VAE", twenty.curve},
                               {"mean image, KL 0", std::vector<double>(static_cast<std::size_t>(lab.epochs), lab.mean_image_loss)}});
        t.say_files({{"codes_2d.svg", "the test images' mu in the 2-D plane, coloured by class"},
                     {"plane_2d.png", "the decoder's image at 15 x 15 points of the plane"},
                     {"reconstructions_20d.png", "row 1 test images, row 2 the 20-D VAE (decoding mu)"},
                     {"samples_20d.png", "64 new images, z drawn from the prior N(0, I)"},
                     {"test_loss.svg", "the test loss after each epoch"}});
        result.insert(result.end(), {{"mean_image_loss", tut::fixed(lab.mean_image_loss, 2)},
                                     {"floor", tut::fixed(lab.floor, 2)},
                                     {"epochs", std::to_string(lab.epochs)},
                                     {"train_images", std::to_string(x.rows())},
                                     {"epoch_seconds", tut::fixed(twenty.median_epoch_seconds, 3)}});
        t.result(result);
    });
}
