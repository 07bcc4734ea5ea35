// Tutorial 05 — over-complete codes: a hidden layer wider than the input can copy it, and the
// loss's minimum for an unconstrained wide code is that copy, which passes noise as well as
// clothes. The theory (Baldi & Hornik's closed form, why training gets there slowly) and the
// measured numbers are in 05_overcomplete.md beside this file.
#include <algorithm>
#include <cmath>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "autograd/ops.hpp"
#include "nn/adam.hpp"
#include "nn/linear.hpp"
#include "autograd/loss.hpp"
#include "nn/module.hpp"
#include "tensor/linalg.hpp"
#include "tensor/matmul.hpp"
#include "tutorials/common/epochs.hpp"
#include "tutorials/common/fashion.hpp"
#include "tutorials/common/picture.hpp"
#include "tutorials/common/tutorial.hpp"

using hg::Tensor;
using hg::Var;
namespace tut = hg::tutorial;

namespace {

// 784 -> hidden -> 784: a ReLU code h = relu(W1·x + b1), a linear output W2·h + b2.
class Autoencoder : public hg::Module {
public:
    Autoencoder(std::size_t pixels, std::size_t hidden, hg::Rng& rng) : Module("Autoencoder") {
        encoder = register_module("encoder", std::make_shared<hg::Linear>(pixels, hidden, rng));
        decoder = register_module("decoder", std::make_shared<hg::Linear>(hidden, pixels, rng));
    }
    Var forward(const Var& x) override { return (*decoder)(hg::relu((*encoder)(x))); }
    std::string describe() const override { return "ReLU code"; }

    std::shared_ptr<hg::Linear> encoder, decoder;
};

Tensor reconstruct(hg::Module& model, const Tensor& x) {
    hg::EvalGuard evaluating(model);  // no graph, and evaluation mode: a model with dropout or batch norm must not train here
    return model(Var::constant(x)).value();
}

// Mean squared error per pixel between a batch and its reconstruction; the variance of x per
// pixel (the MSE of drawing the average image); the share of it a reconstruction reproduces:
// 1 = a perfect copy, 0 = no better than the average image, < 0 = worse than that.
double mse_of(const Tensor& x, const Tensor& x_hat) { return hg::mean(hg::square(x_hat - x)).item(); }
double mse_of(hg::Module& model, const Tensor& x) { return mse_of(x, reconstruct(model, x)); }
double variance_of(const Tensor& x) { return hg::mean(hg::square(x - hg::mean(x, 0))).item(); }
double explained(const Tensor& x, const Tensor& x_hat) { return 1.0 - mse_of(x, x_hat) / variance_of(x); }

// Step 5's best LINEAR codes: the principal directions of the images, their covariance's eigenvectors.
struct Principal {
    Tensor mean;        // (784): x̄, the mean training image
    Tensor directions;  // (784 x 784): unit eigenvectors of the covariance, one per row, largest variance first
    Tensor variances;   // (784): their eigenvalues λ_i, the variance of the images along each
};

Principal principal_directions(const Tensor& x) {
    const Tensor mean = hg::mean(x, 0), centred = x - mean;
    const Tensor cov = hg::matmul(centred, centred, true, false) * (1.0f / static_cast<float>(x.rows() - 1));  // X̃ᵀX̃ / (N − 1)
    hg::SymmetricEigen eig = hg::symmetric_eigen(cov);
    return {mean, std::move(eig.vectors), std::move(eig.values)};
}

// The minimum of the squared error for a linear code of h units: x̂ = x̄ + V_hᵀ·V_h·(x − x̄).
Tensor project(const Principal& p, const Tensor& x, std::size_t h) {
    const Tensor v = p.directions.slice_rows(0, h);
    return hg::matmul(hg::matmul(x - p.mean, v, false, true), v) + p.mean;
}

// The variance the projection onto the first h directions reproduces, for every h = 0..784 at
// once: with z = V·(x − x̄), |x − x̂|² = Σ_{i>=h} z_i² (V is orthonormal: Pythagoras).
std::vector<double> explained_by_width(const Principal& p, const Tensor& x) {
    const Tensor z = hg::matmul(x - p.mean, p.directions, false, true);  // (N x 784): x's coordinates along each direction
    const Tensor held = hg::sum(hg::square(z), 0);                      // (784): Σ_n z_ni²
    const double total = variance_of(x) * static_cast<double>(x.numel());
    std::vector<double> out(held.numel() + 1);
    double left_out = 0;  // Σ over the directions h, h+1, ..., 783: what the first h leave out
    for (std::size_t h = held.numel() + 1; h-- > 0;) {
        out[h] = 1.0 - left_out / total;
        if (h > 0) left_out += held[h - 1];
    }
    return out;
}

// What the lesson works on: real images, images of uniform noise, and the two code sizes.
struct Lab {
    tut::FashionMnist data;
    Tensor noise;  // (1000 x 784), pixels uniform in [0, 1): they look like no garment
    std::size_t wide, narrow;
    const Tensor& train() const { return data.train.images; }
    const Tensor& test() const { return data.test.images; }
};

Lab step1_data(tut::Tutorial& t, std::size_t wide, std::size_t narrow) {
    t.step(1, "Fashion-MNIST, and images of random noise");
    Lab lab{tut::load_fashion_mnist(t, t.pick<std::size_t>(10000, 3000), 1000), {}, wide, narrow};
    hg::Rng noise_rng(t.options().seed + 1);
    lab.noise = Tensor::uniform({1000, lab.data.pixels()}, 0.0f, 1.0f, noise_rng);
    t.say() << "noise: " << lab.noise.shape() << " images of uniform random pixels\n";
    return lab;
}

// Unit i < 784 receives pixel i (W1 = [I; 0]), ReLU passes it (pixels are >= 0), output i reads it back (W2 = [I 0]).
void step2_copy_by_hand(tut::Tutorial& t, const Lab& lab) {
    t.step(2, "A wide hidden layer can copy: the identity, built by hand");
    const std::size_t pixels = lab.data.pixels(), wide = lab.wide;
    if (wide < pixels)
        throw hg::ValueError("--wide " + std::to_string(wide) + " is narrower than the input's " + std::to_string(pixels) +
                             " pixels: the copy of step 2 needs a hidden unit for every pixel");
    hg::Rng rng(t.options().seed);
    Autoencoder copy(pixels, wide, rng);
    for (Var p : copy.parameters()) p.mutable_value().fill(0.0f);
    for (std::size_t i = 0; i < pixels; ++i) {
        copy.encoder->weight().mutable_value()[i * pixels + i] = 1.0f;  // W1 (wide x 784)
        copy.decoder->weight().mutable_value()[i * wide + i] = 1.0f;    // W2 (784 x wide)
    }
    const double real_err = mse_of(copy, lab.test()), noise_err = mse_of(copy, lab.noise);
    t.say() << pixels << " -> " << wide << " -> " << pixels << " with W1 = [I; 0], W2 = [I 0]: MSE per pixel " << real_err
            << " on real images, " << noise_err << " on noise: a global minimum that knows nothing of clothes\n";
    t.check(real_err == 0.0 && noise_err == 0.0, "the hand-built wide autoencoder copies every input exactly");
}

// How a code x -> x̂ does on the real test images and on noise; _x: the share of the variance reproduced.
struct Scores {
    double real_mse = 0, noise_mse = 0, real_x = 0, noise_x = 0;
};
Scores score(const Lab& lab, const std::function<Tensor(const Tensor&)>& code) {
    const Tensor real = code(lab.test()), noise = code(lab.noise);
    return {mse_of(lab.test(), real), mse_of(lab.noise, noise), explained(lab.test(), real), explained(lab.noise, noise)};
}

// A trained autoencoder, its curves, and its scores at the end.
struct Trained : Scores {
    std::shared_ptr<Autoencoder> model;
    std::vector<double> real_curve, noise_curve;  // test MSE after each epoch
};

Trained train(tut::Tutorial& t, const std::string& label, std::size_t hidden, const Lab& lab, int epochs) {
    hg::Rng rng(t.options().seed);
    Trained r;
    r.model = std::make_shared<Autoencoder>(lab.data.pixels(), hidden, rng);
    t.say() << label << ": " << *r.model << "\n";
    hg::Adam opt(r.model->parameters(), hg::AdamOptions(1e-3f));
    tut::EpochLoop loop(t, label, lab.train(), 64, epochs, t.options().seed);
    while (loop.next_epoch()) {
        for (const tut::Batch& b : loop.batches()) {
            Var loss = hg::mse((*r.model)(b.x), b.x);
            opt.zero_grad();
            loss.backward();
            opt.step();
        }
        r.real_curve.push_back(mse_of(*r.model, lab.test()));
        r.noise_curve.push_back(mse_of(*r.model, lab.noise));
        loop.report("MSE per pixel: test " + tut::fixed(r.real_curve.back(), 4) + ", noise MSE " + tut::fixed(r.noise_curve.back(), 4));
    }
    static_cast<Scores&>(r) = score(lab, [&](const Tensor& x) { return reconstruct(*r.model, x); });
    return r;
}

// A table of codes against real images and noise: a header, then one row per code.
void table_header(tut::Tutorial& t, std::size_t width) {
    t.say() << "  " << std::string(width, ' ') << " MSE real | MSE noise | variance reproduced: real | noise\n"
            << "  " << std::string(width, ' ') << "(per pixel)           (1 − MSE / the inputs' variance)\n";
}
void table_row(tut::Tutorial& t, std::size_t width, std::string name, const Scores& r) {
    name.resize(width, ' ');
    t.say() << "  " << name << tut::right(tut::fixed(r.real_mse, 4), 9) << " |" << tut::right(tut::fixed(r.noise_mse, 4), 10)
            << " |" << tut::right(tut::fixed(r.real_x, 3), 26) << " | " << tut::fixed(r.noise_x, 3) << "\n";
}

void step4_feed_noise(tut::Tutorial& t, const Lab& lab, const Trained& w, const Trained& nr, double noise_var) {
    t.step(4, "Feed both random noise");
    table_header(t, 12);
    table_row(t, 12, "wide " + std::to_string(lab.wide), w);
    table_row(t, 12, "narrow " + std::to_string(lab.narrow), nr);
    t.say() << "  (the noise's own variance, " << tut::fixed(noise_var, 4)
            << " per pixel, is the MSE of drawing flat grey; variance reproduced below 0: worse than the inputs' mean image)\n"
            << (w.noise_x >= 0 ? "the wide one passes " + tut::fixed(100 * w.noise_x, 0) + "% of the noise's variance"
                               : std::string("the wide one still does worse on noise than flat grey"))
            << " (and passes " << tut::fixed(100 * w.real_x, 0) << "% of a real image's); its error on noise is "
            << tut::fixed(w.noise_mse / w.real_mse, 0) << "x its error on real images\n";
    // Does the noise error fall through training, not just from the first epoch to the last?
    std::size_t falls = 0;
    for (std::size_t e = 1; e < w.noise_curve.size(); ++e) falls += w.noise_curve[e] < w.noise_curve[e - 1];
    const std::size_t steps = w.noise_curve.size() - 1;
    t.say() << "wide noise MSE per pixel by epoch: " << tut::joined(w.noise_curve, 4) << "\n"
            << "lower than the epoch before in " << falls << " of " << steps << " steps\n";
    t.check(w.real_mse < nr.real_mse, "the wide autoencoder reconstructs real images better than the narrow one");
    t.check(nr.noise_mse > noise_var, "the narrow autoencoder cannot pass noise: its error is above the noise's variance");
    t.check(w.noise_mse < 0.75 * nr.noise_mse, "the wide autoencoder passes noise through far better than the narrow one");
    t.check(2 * falls > steps && w.noise_curve.back() < w.noise_curve.front(),
            "the wide autoencoder's noise error falls in most epochs and ends below its first: it drifts towards the copy");
}

// The best linear codes of step 5, on real images and on noise.
struct Optimum {
    Principal pc;
    std::size_t varied = 0, h_narrow = 0, h_wide = 0;  // directions the images vary in; the codes' widths
    Scores narrow, wide;                               // the projections onto h_narrow and h_wide directions
    std::vector<double> real_by_h, noise_by_h;        // explained_by_width, h = 0..784
    std::vector<double> widths, real_sweep, noise_sweep;  // a few h up to `varied`, and those two there
};

std::size_t directions_above(const Principal& pc, double relative) {
    std::size_t count = 0;
    for (std::size_t i = 0; i < pc.variances.numel(); ++i) count += pc.variances[i] > relative * pc.variances[0];
    return count;
}

// Below 1e-12·λ1 a direction counts as one the images do not vary in (05_overcomplete.md: why).
constexpr double zero_variance = 1e-12;

void report_eigenvalues(tut::Tutorial& t, const Lab& lab, const Principal& pc, std::size_t varied, double seconds) {
    const std::size_t pixels = lab.data.pixels();
    // A pixel with the same value in every training image is an exact 0 of the covariance.
    const Tensor range = hg::max(lab.train(), 0) + hg::max(lab.train() * -1.0f, 0);  // max − min, per pixel
    std::size_t constant_pixels = 0;
    for (std::size_t i = 0; i < pixels; ++i) constant_pixels += range[i] == 0.0f;
    t.say() << "covariance of the " << lab.train().rows() << " training images (" << pixels << "x" << pixels
            << ") -> eigenvalues and eigenvectors in " << tut::fixed(seconds, 1) << " s\neigenvalues from λ1 = "
            << tut::fixed(pc.variances[0], 3) << " down to " << tut::scientific(pc.variances[pixels - 1], 1) << "; how many are above\n ";
    for (double relative : {1e-2, 1e-4, 1e-6, 1e-8, zero_variance})
        t.say() << " " << tut::scientific(relative, 0) << "·λ1: " << directions_above(pc, relative)
                << (relative == zero_variance ? "" : ",");
    t.say() << "  (of " << pixels << ")\nsmallest eigenvalue above " << tut::scientific(zero_variance, 0) << "·λ1: "
            << tut::scientific(pc.variances[varied - 1] / pc.variances[0], 1) << "·λ1; pixels with the same value in every "
            << "training image: " << constant_pixels << "\n";
    t.check(pixels - varied == constant_pixels, "the images vary in every direction but those of their constant pixels (one each)");
}

Optimum step5_closed_form(tut::Tutorial& t, const Lab& lab) {
    t.step(5, "The minimum of the loss: the best linear codes, in closed form");
    Optimum o;
    const double eigen_start = t.seconds();
    o.pc = principal_directions(lab.train());
    o.varied = directions_above(o.pc, zero_variance);
    report_eigenvalues(t, lab, o.pc, o.varied, t.seconds() - eigen_start);
    o.h_narrow = std::min(lab.narrow, o.varied);
    o.h_wide = std::min(lab.wide, o.varied);
    o.narrow = score(lab, [&](const Tensor& x) { return project(o.pc, x, o.h_narrow); });
    o.wide = score(lab, [&](const Tensor& x) { return project(o.pc, x, o.h_wide); });
    o.real_by_h = explained_by_width(o.pc, lab.test());
    o.noise_by_h = explained_by_width(o.pc, lab.noise);
    for (std::size_t h : {8, 32, 100, 200, 400, 600, 700})
        if (h < o.varied) o.widths.push_back(static_cast<double>(h));
    o.widths.push_back(static_cast<double>(o.varied));
    for (double h : o.widths) {
        o.real_sweep.push_back(o.real_by_h[static_cast<std::size_t>(h)]);
        o.noise_sweep.push_back(o.noise_by_h[static_cast<std::size_t>(h)]);
    }
    return o;
}

void step5_compare(tut::Tutorial& t, const Lab& lab, const Optimum& o, const Trained& w, const Trained& nr, int epochs) {
    const std::size_t pixels = lab.data.pixels();
    t.say() << "the best code with " << lab.wide << " units copies the " << o.varied << " directions the images vary in"
            << (o.varied < pixels ? " and puts the training mean in the other " + std::to_string(pixels - o.varied) : "") << "\n";
    const std::string wide_name = "optimum wide (" + std::to_string(o.h_wide) + " directions)";
    const std::size_t width = wide_name.size() + 2;
    table_header(t, width);
    table_row(t, width, "trained narrow (" + std::to_string(lab.narrow) + ")", nr);
    table_row(t, width, "trained wide (" + std::to_string(lab.wide) + ")", w);
    table_row(t, width, "optimum narrow (PCA-" + std::to_string(o.h_narrow) + ")", o.narrow);
    table_row(t, width, wide_name, o.wide);
    t.say() << "the best linear code with h units, variance reproduced on real images | on noise:\n ";
    for (std::size_t i = 0; i < o.widths.size(); ++i)
        t.say() << " h=" << o.widths[i] << ": " << tut::fixed(o.real_sweep[i], 3) << " | " << tut::fixed(o.noise_sweep[i], 3) << ";";
    t.say() << "\n";
    // How far along the directions has training come? The best code as good on real images:
    std::size_t h_match = 0;
    while (h_match < o.varied && o.real_by_h[h_match] < w.real_x) ++h_match;
    t.say() << "The trained wide autoencoder reproduces real images about as well as the best linear code with\nh = "
            << h_match << " units (" << tut::fixed(o.real_by_h[h_match], 3) << "); that code passes "
            << tut::fixed(o.noise_by_h[h_match], 3) << " of the noise's variance, the trained one " << tut::fixed(w.noise_x, 3) << ".\n";
    t.check(std::fabs(o.real_by_h[o.h_narrow] - o.narrow.real_x) < 1e-3 && std::fabs(o.noise_by_h[o.h_narrow] - o.narrow.noise_x) < 1e-3,
            "a projection's error is what the left-out directions hold (Pythagoras)");
    t.check(o.narrow.real_x > 0.75, "the best narrow code reproduces most of a real image's variance");
    t.check(o.narrow.noise_x < 0.2, "the best narrow code cannot pass noise: it keeps the directions clothes vary in");
    t.check(o.wide.noise_x >= 0.95 && o.wide.noise_x > o.wide.real_x - 0.03,
            "the best wide code passes noise (almost) as well as real images: the copy is the loss's minimum");
    t.check(w.noise_x < o.wide.noise_x - 0.1,
            "after " + std::to_string(epochs) + " epochs the trained wide autoencoder is still far from that on noise");
    t.say() << "Training gets there slowly: " << o.varied - directions_above(o.pc, 1e-4) << " of the " << o.varied
            << " directions have λ_i below 1e-4·λ1 (05_overcomplete.md says why that matters).\n";
}

Tensor clipped(const Tensor& x) { return hg::clamp(x, 0.0f, 1.0f); }
void write_pictures(tut::Tutorial& t, const Lab& lab, const Trained& w, const Trained& nr, const Optimum& o, double noise_var) {
    const std::string out = t.out_dir();
    const Tensor real = lab.test().slice_rows(0, 10), fake = lab.noise.slice_rows(0, 10);
    std::vector<Tensor> trained, best;  // rows: real, wide, narrow, noise, wide, narrow (the same for the best codes)
    for (const Tensor& x : {real, fake}) {
        trained.insert(trained.end(), {x, clipped(reconstruct(*w.model, x)), clipped(reconstruct(*nr.model, x))});
        best.insert(best.end(), {x, clipped(project(o.pc, x, o.h_narrow)), clipped(project(o.pc, x, o.h_wide))});
    }
    tut::write_png_grid(out + "/wide_vs_narrow.png", Tensor::concat_rows(trained), 28, 28, 10);
    tut::write_png_grid(out + "/optimum.png", Tensor::concat_rows(best), 28, 28, 10);
    tut::write_svg_curves(out + "/noise_error.svg", "reconstruction error on random noise", "epoch", "MSE per pixel",
                          {{"wide (" + std::to_string(lab.wide) + ")", w.noise_curve},
                           {"narrow (" + std::to_string(lab.narrow) + ")", nr.noise_curve},
                           {"flat grey", std::vector<double>(w.noise_curve.size(), noise_var)},
                           {"wide, real test images", w.real_curve},
                           {"narrow, real test images", nr.real_curve}});
    const std::vector<double>& h = o.widths;
    tut::write_svg_curves(out + "/optimum_by_width.svg", "the best linear code with h units", "h", "variance reproduced",
                          {{"real test images", o.real_sweep, h},
                           {"noise", o.noise_sweep, h},
                           {"trained wide AE, real", std::vector<double>(h.size(), w.real_x), h},
                           {"trained wide AE, noise", std::vector<double>(h.size(), w.noise_x), h}});
    t.say() << "pictures in " << out << "/: wide_vs_narrow.png, noise_error.svg, optimum.png, optimum_by_width.svg\n"
            << "(05_overcomplete.md says what each shows)\n";
}

}  // namespace

int main(int argc, char** argv) {
    tut::Tutorial t("05_overcomplete", "Over-complete codes: a wide hidden layer heads for the copy");
    std::size_t wide = 1000, narrow = 32;
    t.app().add_option("--wide", wide, "Hidden units of the over-complete autoencoder")->check(tut::at_least(1));
    t.app().add_option("--narrow", narrow, "Hidden units of the under-complete autoencoder")->check(tut::at_least(1));
    return t.run(argc, argv, [&] {
        const Lab lab = step1_data(t, wide, narrow);
        step2_copy_by_hand(t, lab);
        t.step(3, "Train a wide and a narrow autoencoder on real images only");
        const int epochs = t.epochs(30, 3);
        t.say() << "Adam (lr 0.001), batches of 64, " << epochs << " epochs, MSE loss\n";
        const Trained w = train(t, "wide", wide, lab, epochs), nr = train(t, "narrow", narrow, lab, epochs);
        const double noise_var = variance_of(lab.noise);  // ≈ 1/12
        step4_feed_noise(t, lab, w, nr, noise_var);
        const Optimum o = step5_closed_form(t, lab);
        step5_compare(t, lab, o, w, nr, epochs);
        write_pictures(t, lab, w, nr, o, noise_var);
        t.result({{"wide_real_mse", tut::fixed(w.real_mse, 4)}, {"wide_noise_mse", tut::fixed(w.noise_mse, 4)},
                  {"narrow_real_mse", tut::fixed(nr.real_mse, 4)}, {"narrow_noise_mse", tut::fixed(nr.noise_mse, 4)},
                  {"noise_var", tut::fixed(noise_var, 4)},
                  {"wide_real_explained", tut::fixed(w.real_x, 3)}, {"wide_noise_explained", tut::fixed(w.noise_x, 3)},
                  {"optimum_narrow_real_explained", tut::fixed(o.narrow.real_x, 3)},
                  {"optimum_narrow_noise_explained", tut::fixed(o.narrow.noise_x, 3)},
                  {"optimum_wide_real_explained", tut::fixed(o.wide.real_x, 3)},
                  {"optimum_wide_noise_explained", tut::fixed(o.wide.noise_x, 3)},
                  {"varied_directions", std::to_string(o.varied)}, {"epochs", std::to_string(epochs)}});
    });
}
