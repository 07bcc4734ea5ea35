// Tutorial 12 — a convolutional autoencoder, against a fully connected one of the same code size.
//
// conv2d by hand and as im2col + one product, then the Keras-blog convolutional autoencoder
// (4x4x8 code) and a dense 784-128-784 one (models/conv_autoencoder.hpp), trained alike and
// scored on the same test images; last, the blog's denoising convolutional autoencoder. The
// program prints; tutorials/12_conv_autoencoder.md explains (the maths of convolution, pooling
// and upsampling, and the measured numbers).
#include <algorithm>
#include <cmath>
#include <string>
#include <utility>
#include <vector>

#include "data/idx.hpp"
#include "autograd/ops.hpp"
#include "models/conv_autoencoder.hpp"
#include "models/deep_autoencoder.hpp"
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

constexpr std::size_t kSide = 28, kPixels = kSide * kSide;

// x̂ = σ(logits) for every row of x, in batches of 500, without a graph.
Tensor rebuild(hg::Module& model, const Tensor& x) { return hg::models::reconstruct(model, x, 500); }

// The two measures: BCE per pixel −mean[x log x̂ + (1 − x) log(1 − x̂)], and the squared
// error per image Σ_pixels (x − x̂)² averaged over images.
struct Score {
    double bce = 0, sq_error = 0;
};
Score score(const Tensor& x, const Tensor& x_hat) {
    const Tensor p = hg::clamp(x_hat, 1e-7f, 1.0f - 1e-7f);
    const double bce = -hg::mean(x * hg::log(p) + (1.0f - x) * hg::log(1.0f - p)).item();
    return {bce, hg::sum(hg::square(x - x_hat)).item() / static_cast<double>(x.rows())};
}

// The scores of several models side by side, on `images` test images.
void print_scores(tut::Tutorial& t, std::size_t images, const std::vector<std::pair<std::string, Score>>& rows) {
    t.say() << "all " << images << " test images     BCE per pixel (nats)   squared error per image\n";
    for (const auto& [name, s] : rows)
        t.say() << "  " << name << std::string(30 - std::min<std::size_t>(30, name.size()), ' ')
                << tut::right(tut::fixed(s.bce, 4), 13) << tut::right(tut::fixed(s.sq_error, 2), 16) << "\n";
}

// x + factor·ε, ε ~ N(0, 1) per pixel, clipped to [0, 1]: the corruption of the Keras blog's denoiser.
Tensor corrupt(const Tensor& x, float factor, hg::Rng& rng) {
    return hg::clamp(x + Tensor::normal(x.shape(), 0.0f, factor, rng), 0.0f, 1.0f);
}

struct Trained {
    std::vector<double> test_bce;  // after each epoch, on the first monitor_images test images
    std::size_t monitor_images = 0;
    double epoch_seconds = 0;      // median time of an epoch's training loop
    double step_seconds = 0;       // of which one training step (forward + backward + Adam), on average
};

// Adam on BCE against the clean images, mini-batches in the order `seed` gives (the same for
// both models). With noise > 0 the input of every batch is corrupt(x, noise), drawn afresh.
// The curve scores rebuild(monitor_in) against monitor_clean.
Trained train(tut::Tutorial& t, const std::string& label, hg::Module& model, const Tensor& x,
              const Tensor& monitor_in, const Tensor& monitor_clean, int epochs, std::size_t batch, float lr,
              std::uint64_t seed, float noise = 0) {
    hg::Rng rng(seed);  // the shuffling, and the noise
    tut::EpochLoop loop(t, label, x, batch, epochs, rng);
    hg::Adam opt(model.parameters(), hg::AdamOptions(lr));
    Trained out;
    out.monitor_images = monitor_in.rows();
    while (loop.next_epoch()) {
        for (const tut::Batch& b : loop.batches()) {
            const Var input = noise > 0 ? Var::constant(corrupt(b.x.value(), noise, rng)) : b.x;
            Var loss = hg::bce_with_logits(model(input), b.x);
            opt.zero_grad();
            loss.backward();
            opt.step();
            loop.add(loss);
        }
        out.test_bce.push_back(score(monitor_clean, rebuild(model, monitor_in)).bce);
        loop.report("BCE per pixel: train " + tut::fixed(loop.mean_loss(), 4) + ", first " + std::to_string(monitor_in.rows()) +
                    " test images " + tut::fixed(out.test_bce.back(), 4));
    }
    out.epoch_seconds = loop.median_epoch_seconds();
    out.step_seconds = out.epoch_seconds / static_cast<double>((x.rows() + batch - 1) / batch);  // batches per epoch
    return out;
}

struct References {
    Score floor, baseline;  // a perfect reconstruction; the mean training image for every image
};

// Step 1's reference points. Pixels are grey levels, not 0/1, so even a perfect
// reconstruction (x̂ = x) has a BCE above 0: the mean binary entropy of the pixels, the floor.
References references(tut::Tutorial& t, const Tensor& x, const Tensor& x_test) {
    const References r{score(x_test, x_test), score(x_test, Tensor::zeros(x_test.shape()) + hg::mean(x, 0))};
    t.say() << "every test image predicted by the mean training image: BCE per pixel "
            << tut::fixed(r.baseline.bce, 4) << ", squared error per image " << tut::fixed(r.baseline.sq_error, 2) << "\n"
            << "a perfect reconstruction: BCE per pixel " << tut::fixed(r.floor.bce, 4)
            << " (the entropy of the grey levels; no model goes below it)\n";
    t.check(r.floor.bce < r.baseline.bce && r.floor.sq_error == 0.0, "the perfect reconstruction scores best on both measures");
    return r;
}

// Step 2: one test image, one 3x3 kernel that responds to horizontal edges (light above dark).
void convolution_by_hand(tut::Tutorial& t, const Tensor& x_test) {
    t.step(2, "A convolution by hand, and as one matrix product (im2col)");
    const Var image = Var::constant(x_test.slice_rows(0, 1).reshape({1, 1, kSide, kSide}));
    const Var kernel = Var::constant(Tensor::from({1, 1, 3, 3}, {1, 2, 1, 0, 0, 0, -1, -2, -1}));
    const Var edges = hg::conv2d(image, kernel, 1, 1);  // padding 1: 28x28 -> 28x28
    t.say() << "image " << image.shape() << " * kernel " << kernel.shape() << " (padding 1) -> " << edges.shape()
            << "; im2col makes the image a (9 x 784) matrix, one column per output pixel,\n"
            << "so the layer is the (1 x 9)·(9 x 784) product\n";
    // The definition, y[i,j] = Σ_u Σ_v W[u,v]·x[i + u − 1, j + v − 1] (zero outside), at every
    // output pixel. Most of an image is background, where both give 0 whatever conv2d does, so
    // the comparison counts the pixels where the edge response is not 0, and shows four of them.
    struct Pixel {
        std::size_t i, j;
        double by_hand, by_conv2d;
    };
    std::vector<Pixel> responding;
    double worst = 0;
    for (std::size_t i = 0; i < kSide; ++i)
        for (std::size_t j = 0; j < kSide; ++j) {
            double y = 0;
            for (std::size_t u = 0; u < 3; ++u)
                for (std::size_t v = 0; v < 3; ++v) {
                    const long r = static_cast<long>(i + u) - 1, c = static_cast<long>(j + v) - 1;
                    if (r >= 0 && c >= 0 && r < static_cast<long>(kSide) && c < static_cast<long>(kSide))
                        y += kernel.value()[u * 3 + v] *
                             image.value()[static_cast<std::size_t>(r) * kSide + static_cast<std::size_t>(c)];
                }
            const double got = edges.value()[i * kSide + j];
            worst = std::max(worst, std::fabs(got - y));
            if (y != 0.0) responding.push_back({i, j, y, got});
        }
    for (std::size_t k = 0; k < 4 && !responding.empty(); ++k) {
        const Pixel& p = responding[k * responding.size() / 4];
        t.say() << "  y[" << p.i << "," << p.j << "]: by hand " << tut::fixed(p.by_hand, 4) << ", conv2d "
                << tut::fixed(p.by_conv2d, 4) << "\n";
    }
    t.say() << "by hand and by conv2d at all " << kPixels << " output pixels, " << responding.size()
            << " of them where the edge response is not 0: largest difference " << tut::scientific(worst, 1) << "\n";
    t.check(worst < 1e-5 && responding.size() > kPixels / 10,
            "conv2d agrees with the definition at every pixel, over 10% of them edges (im2col + gemm is the same sum)");
    tut::write_png_grid(t.out_dir() + "/edge_filter.png",
                        Tensor::concat_rows({image.value().reshape({1, kPixels}), edges.value().reshape({1, kPixels})}),
                        kSide, kSide, 2, 0.0f, 0.0f);
}

// Step 3: the two models, one image followed through the convolutional one.
void show_models(tut::Tutorial& t, hg::models::ConvAutoencoder& conv, hg::models::DenseAutoencoder& dense, const Tensor& x_test) {
    t.step(3, "The two autoencoders, both with a 128-number code");
    t.say() << conv << "\n" << dense << "\n";
    // Follow one image through the convolutional model, layer by layer.
    {
        hg::NoGradGuard no_grad;
        Var h = hg::reshape(Var::constant(x_test.slice_rows(0, 1)), {1, 1, kSide, kSide});
        t.say() << "one image through the convolutional autoencoder: " << h.shape();
        for (auto* part : {conv.encoder.get(), conv.decoder.get()})
            for (const auto& [name, layer] : part->children()) {
                h = (*layer)(h);
                if (layer->type_name() != "ReLU") t.say() << " -" << layer->type_name() << "-> " << h.shape();
            }
        t.say() << "\n";
    }
    const hg::Shape code_shape = conv.encode(Var::constant(x_test.slice_rows(0, 2))).shape();
    t.say() << "codes of a batch of 2 images: convolutional " << code_shape << " = 2 x " << code_shape.numel() / 2
            << " numbers, " << code_shape.numel() / 2 << " per image; fully connected 128 per image\n"
            << "weights: convolutional " << hg::with_thousands(conv.num_parameters()) << ", fully connected "
            << hg::with_thousands(dense.num_parameters()) << "\n";
    t.check(code_shape == hg::Shape({2, 8, 4, 4}), "the convolutional code is 4x4x8 = 128 numbers, as the dense one");
}

// Step 5: both on the test images; returns their scores.
std::pair<Score, Score> compare(tut::Tutorial& t, hg::Module& conv, hg::Module& dense, const Tensor& x_test,
                                const References& ref, const Score& conv_start) {
    const Score &baseline = ref.baseline, &floor = ref.floor;
    t.step(5, "Which reconstructs the test images better?");
    const Score c = score(x_test, rebuild(conv, x_test));
    const Score d = score(x_test, rebuild(dense, x_test));
    print_scores(t, x_test.rows(), {{"mean training image", baseline}, {"convolutional (4x4x8 code)", c},
                                    {"fully connected (128 code)", d}, {"perfect (the floor)", floor}});
    t.check(c.bce < conv_start.bce - 0.5 * (conv_start.bce - floor.bce),
            "training closes more than half the convolutional autoencoder's gap to the floor");
    t.check(c.bce < baseline.bce && c.sq_error < baseline.sq_error,
            "the convolutional autoencoder beats the mean image on both measures");
    t.check(d.bce < baseline.bce && d.sq_error < baseline.sq_error,
            "the fully connected autoencoder beats the mean image on both measures");
    // BCE above the floor is what a model can still gain; compare that part.
    const double excess_ratio = (c.bce - floor.bce) / (d.bce - floor.bce);
    const double sq_ratio = c.sq_error / d.sq_error;
    const std::string winner = c.sq_error < d.sq_error ? "conv" : "fc";
    const bool same_on_both = (c.bce < d.bce) == (c.sq_error < d.sq_error);
    t.say() << (winner == "conv" ? "the convolutional" : "the fully connected")
            << " autoencoder reconstructs better: its squared error per image is "
            << tut::fixed(winner == "conv" ? 1 / sq_ratio : sq_ratio, 2) << "x smaller, its BCE per pixel "
            << tut::fixed(std::fabs(c.bce - d.bce), 4) << " lower (the convolutional model's BCE above the floor is "
            << tut::fixed(excess_ratio, 2) << "x the dense one's)"
            << (same_on_both ? "" : " — but the two measures disagree on the winner") << "\n";
    // The header's claim was measured at the default full setting; elsewhere the numbers are reported only.
    if (!t.options().quick && t.default_setting({"--train-images", "--batch", "--lr"}))
        t.check(d.bce < c.bce && d.sq_error < c.sq_error,
                "at this budget the fully connected autoencoder (46x the weights) wins on both measures");
    // Of the BCE between the mean image and a perfect reconstruction, how much each model removes.
    const auto closed = [&](const Score& s) { return 100 * (baseline.bce - s.bce) / (baseline.bce - floor.bce); };
    t.say() << "of the BCE gap between the mean image and a perfect reconstruction, the convolutional autoencoder closes "
            << tut::fixed(closed(c), 0) << "% with " << hg::with_thousands(conv.num_parameters())
            << " weights, the fully connected one " << tut::fixed(closed(d), 0) << "% with "
            << hg::with_thousands(dense.num_parameters()) << "\n";

    return {c, d};
}

// Step 6: reconstructions, the curves and the learnt kernels.
void pictures(tut::Tutorial& t, const hg::data::ImageSet& test_set, hg::models::ConvAutoencoder& conv,
              hg::models::DenseAutoencoder& dense, const Trained& conv_run, const Trained& dense_run, double baseline_bce) {
    t.step(6, "Pictures");
    const std::vector<std::size_t> rows = tut::one_per_class(test_set.labels, 10);
    const Tensor originals = test_set.images.gather_rows(rows);
    const std::string out = t.out_dir();
    tut::write_png_grid(out + "/reconstructions.png",
                        Tensor::concat_rows({originals, rebuild(conv, originals), rebuild(dense, originals)}),
                        kSide, kSide, rows.size());
    tut::write_svg_curves(out + "/test_bce.svg",
                          "test BCE per pixel after each epoch (first " + std::to_string(conv_run.monitor_images) + " test images)",
                          "epoch", "BCE per pixel",
                          {{"convolutional (4x4x8 code)", conv_run.test_bce},
                           {"fully connected (128 code)", dense_run.test_bce},
                           {"mean image", std::vector<double>(conv_run.test_bce.size(), baseline_bce)}});
    // The 16 kernels of the first layer (3x3 each), each scaled to its own range.
    tut::write_png_grid(out + "/conv1_kernels.png", conv.encoder->children()[0].second->own_parameters()[0].second.value().reshape({16, 9}),
                        3, 3, 16, 0.0f, 0.0f);
    t.say_files({{"reconstructions.png", "row 1 test images (one per class), row 2 the convolutional AE, row 3 the fully connected AE"},
                 {"test_bce.svg", "test BCE per pixel after each epoch, both models"},
                 {"edge_filter.png", "a test image and its horizontal-edge convolution (step 2)"},
                 {"conv1_kernels.png", "the 16 learnt 3x3 kernels of the first layer"}});
}

struct Denoising {  // the three scores against the clean test images; the denoiser's weights and training images
    Score denoiser, noisy_input, plain_on_noisy;
    std::size_t params = 0, images = 0;
};

// Step 7: the denoising convolutional autoencoder of the Keras blog (Chollet 2016, "Building
// Autoencoders in Keras"), trained on x; scored, with the noisy input itself and `plain`
// (trained on clean images) as baselines, on one noisy copy of the test images.
Denoising denoising(tut::Tutorial& t, const Tensor& x, const hg::data::ImageSet& test_set, hg::Module& plain,
                    int epochs, std::size_t batch, float lr, float noise) {
    t.step(7, "Denoising: the input x + " + tut::fixed(noise, 2) + "·N(0, 1) clipped to [0, 1], the target x");
    const Tensor& clean = test_set.images;
    hg::Rng rng(t.options().seed + 2);
    const Tensor noisy = corrupt(clean, noise, rng);  // one noisy copy of the test images, for every model
    hg::models::ConvDenoiser denoiser(rng);
    t.say() << denoiser << "\nweights: " << hg::with_thousands(denoiser.num_parameters()) << "; trained on " << x.rows()
            << " images for " << epochs << " epochs, new noise for every batch\n";
    const std::size_t m = std::min<std::size_t>(2000, clean.rows());  // the curve's test images, as in step 4
    train(t, "denoiser", denoiser, x, noisy.slice_rows(0, m), clean.slice_rows(0, m), epochs, batch, lr, t.options().seed + 3,
          noise);
    const Denoising d{score(clean, rebuild(denoiser, noisy)), score(clean, noisy), score(clean, rebuild(plain, noisy)),
                      denoiser.num_parameters(), x.rows()};
    print_scores(t, clean.rows(), {{"the noisy input itself", d.noisy_input},
                                   {"plain conv AE on it", d.plain_on_noisy}, {"the denoiser on it", d.denoiser}});
    t.check(d.denoiser.bce < d.noisy_input.bce && d.denoiser.sq_error < d.noisy_input.sq_error,
            "the denoiser's output is closer to the clean images than its noisy input, on both measures");
    t.check(d.denoiser.bce < d.plain_on_noisy.bce && d.denoiser.sq_error < d.plain_on_noisy.sq_error,
            "the denoiser beats the plain convolutional autoencoder on the same noisy images, on both measures");
    const std::vector<std::size_t> rows = tut::one_per_class(test_set.labels, 10);
    const Tensor shown = noisy.gather_rows(rows);
    tut::write_png_grid(t.out_dir() + "/denoising.png",
                        Tensor::concat_rows({shown, rebuild(denoiser, shown), clean.gather_rows(rows)}), kSide, kSide, 10);
    t.say_files({{"denoising.png", "row 1 noisy test images, row 2 the denoiser's output, row 3 the clean images"}});
    return d;
}

}  // namespace

int main(int argc, char** argv) {
    tut::Tutorial t("12_conv_autoencoder", "A convolutional autoencoder against a fully connected one, and a denoiser");
    std::size_t train_images = 0, denoise_images = 0, batch = 128;
    float lr = 1e-3f, noise = 0.5f;
    t.setting("--train-images", train_images, {30000, 3000}, "Training images (the full run: half the training set, to keep it to minutes)")
        ->check(tut::between(128, 60000));
    t.setting("--denoise-images", denoise_images, {10000, 1000}, "Step 7's training images")->check(tut::between(128, 60000));
    t.app().add_option("--noise", noise, "Step 7's noise factor (the Keras blog's: 0.5)")->check(tut::between(0.05, 2.0));
    t.app().add_option("--batch", batch, "Mini-batch size (default 128, as in the Keras blog)")->check(tut::at_least(1));
    t.app().add_option("--lr", lr, "Adam's learning rate, for every model")->check(tut::above(0));
    return t.run(argc, argv, [&] {
        const int epochs = t.epochs(6, 3);

        t.step(1, "Fashion-MNIST, and what a model that ignores the image scores");
        const tut::FashionMnist data = tut::load_fashion_mnist(t, train_images, t.pick<std::size_t>(10000, 1000));
        const hg::data::ImageSet& test_set = data.test;
        const Tensor& x = data.train.images;
        const Tensor& x_test = test_set.images;
        const References ref = references(t, x, x_test);

        convolution_by_hand(t, x_test);

        hg::Rng rng(t.options().seed);
        hg::models::ConvAutoencoder conv(rng);
        hg::models::DenseAutoencoder dense(128, rng);
        show_models(t, conv, dense, x_test);

        t.step(4, "Train both: Adam (lr " + tut::fixed(lr, 4) + "), batch " + std::to_string(batch) + ", " +
                      std::to_string(epochs) + " epochs on the same " + std::to_string(x.rows()) + " images");
        // The per-epoch curve is measured on (at most) 2,000 test images, to keep epochs short.
        const Tensor x_monitor = x_test.slice_rows(0, std::min<std::size_t>(2000, x_test.rows()));
        const Score conv_start = score(x_test, rebuild(conv, x_test));
        t.say() << "before training: the convolutional autoencoder's test BCE per pixel " << tut::fixed(conv_start.bce, 4)
                << "\n";
        const Trained conv_run = train(t, "conv", conv, x, x_monitor, x_monitor, epochs, batch, lr, t.options().seed + 1);
        const Trained dense_run = train(t, "dense", dense, x, x_monitor, x_monitor, epochs, batch, lr, t.options().seed + 1);
        t.say() << "one training step on a batch of " << batch << " (forward + backward + Adam), on average: convolutional "
                << tut::fixed(1000 * conv_run.step_seconds, 1) << " ms, fully connected "
                << tut::fixed(1000 * dense_run.step_seconds, 1) << " ms\n";

        const auto [c, d] = compare(t, conv, dense, x_test, ref, conv_start);

        pictures(t, test_set, conv, dense, conv_run, dense_run, ref.baseline.bce);

        const Denoising dn = denoising(t, x.slice_rows(0, std::min(denoise_images, x.rows())), test_set, conv, epochs,
                                       batch, lr, noise);

        const auto bce = [](const Score& s) { return tut::fixed(s.bce, 4); };
        const auto sq = [](const Score& s) { return tut::fixed(s.sq_error, 2); };
        t.result({{"dataset", "fashion-mnist"}, {"conv_bce", bce(c)}, {"fc_bce", bce(d)},
                  {"conv_sq_error", sq(c)}, {"fc_sq_error", sq(d)},
                  {"baseline_bce", bce(ref.baseline)}, {"baseline_sq_error", sq(ref.baseline)},
                  {"floor_bce", bce(ref.floor)}, {"conv_start_bce", bce(conv_start)},
                  {"winner", c.sq_error < d.sq_error ? "conv" : "fc"},
                  {"conv_params", std::to_string(conv.num_parameters())},
                  {"fc_params", std::to_string(dense.num_parameters())},
                  {"epochs", std::to_string(epochs)}, {"train_images", std::to_string(x.rows())},
                  {"conv_batch_ms", tut::fixed(1000 * conv_run.step_seconds, 1)},
                  {"epoch_seconds", tut::fixed(conv_run.epoch_seconds, 2)},
                  {"denoise_bce", bce(dn.denoiser)}, {"denoise_sq_error", sq(dn.denoiser)},
                  {"noisy_input_bce", bce(dn.noisy_input)}, {"noisy_input_sq_error", sq(dn.noisy_input)},
                  {"plain_on_noisy_bce", bce(dn.plain_on_noisy)}, {"plain_on_noisy_sq_error", sq(dn.plain_on_noisy)},
                  {"denoise_params", std::to_string(dn.params)}, {"denoise_images", std::to_string(dn.images)},
                  {"noise_factor", tut::fixed(noise, 2)}});
    });
}
