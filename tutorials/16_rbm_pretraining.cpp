// Tutorial 16 — RBM pretraining: a stack of RBMs unrolled into the deep autoencoder.
//
// Hinton & Salakhutdinov (2006): RBMs 784-1000-500-250-30 trained one on the codes of the one
// below (models/rbm.hpp, tutorial 15), unrolled into the deep autoencoder of tutorial 11
// (models/deep_autoencoder.hpp) with the paper's sigmoid units, fine-tuned with backprop, and
// the same network from a random start fine-tuned the same way. The program prints;
// tutorials/16_rbm_pretraining.md explains (and holds the measured numbers).
#include <cmath>
#include <string>
#include <vector>

#include "autograd/ops.hpp"
#include "data/batching.hpp"
#include "data/idx.hpp"
#include "models/deep_autoencoder.hpp"
#include "models/rbm.hpp"
#include "nn/adam.hpp"
#include "autograd/loss.hpp"
#include "tutorials/common/epochs.hpp"
#include "tutorials/common/fashion.hpp"
#include "tutorials/common/picture.hpp"
#include "tutorials/common/rbm_settings.hpp"
#include "tutorials/common/tutorial.hpp"

using hg::Tensor;
using hg::Var;
using hg::models::DeepAutoencoder;
using hg::models::error_per_image;
using hg::models::Rbm;
namespace tut = hg::tutorial;

namespace {

// Step 2: each RBM trained with CD-1 on the hidden probabilities of the one below; the top one
// with linear (Gaussian) hidden units, so that the 30-number code is real-valued.
std::vector<Rbm> train_stack(tut::Tutorial& t, const Tensor& x, const std::vector<std::size_t>& sizes, int epochs,
                             const hg::models::CdSettings& cd, float gaussian_lr, hg::Rng& rng) {
    t.step(2, "A stack of RBMs 784-1000-500-250-30, each trained on the codes below it");
    t.say() << "CD-1: ε " << cd.lr << " (the top RBM: " << gaussian_lr << "), momentum " << cd.momentum << " then "
            << cd.final_momentum << ", batch " << cd.batch << ", " << epochs << " epochs per RBM on " << x.rows() << " images\n";
    std::vector<Rbm> stack;
    tut::Progress progress(t, "CD-1 epoch", epochs * static_cast<int>(sizes.size() - 1));
    int done = 0;
    Tensor input = x;
    for (std::size_t l = 1; l < sizes.size(); ++l) {
        const bool top = l + 1 == sizes.size();
        stack.emplace_back(sizes[l - 1], sizes[l], top ? hg::models::Hidden::gaussian : hg::models::Hidden::binary, rng);
        Rbm& layer = stack.back();
        layer.init_visible_bias(input);
        hg::models::CdSettings s = cd;
        if (top) s.lr = gaussian_lr;  // linear units have no σ to bound them: smaller steps
        hg::data::BatchSampler batches(input.rows(), s.batch, rng);
        std::vector<double> curve;
        for (int e = 1; e <= epochs; ++e) {
            curve.push_back(hg::models::cd1_epoch(layer, input, batches, s, e > s.momentum_switch ? s.final_momentum : s.momentum, rng));
            if (!std::isfinite(curve.back())) throw std::runtime_error("CD-1 diverged at epoch " + std::to_string(e));
            progress.update(++done, "RBM " + std::to_string(l) + ": reconstruction error " + tut::fixed(curve.back(), 2) +
                                        (l == 1 ? " per image" : " per example, in hidden units"));
        }
        // The first RBM rebuilds images; the others rebuild the hidden probabilities of the RBM
        // below, so their error is in those units' space and not comparable with an image error.
        const std::string space = l == 1 ? "per image, over its " + std::to_string(sizes[0]) + " pixels"
                                         : "per example, over the " + std::to_string(sizes[l - 1]) +
                                               " hidden units of the RBM below (not pixels)";
        t.say() << "\nRBM " << sizes[l - 1] << "-" << sizes[l] << (top ? " (Gaussian hidden units)" : "")
                << ": squared reconstruction error " << space << ", " << tut::fixed(curve.front(), 2) << " -> "
                << tut::fixed(curve.back(), 2) << "\n";
        t.check(curve.back() < curve.front(), "RBM " + std::to_string(l) + " learned (its error fell)");
        if (!top) input = hg::models::by_rows(input, [&](const Tensor& v) { return layer.hidden_mean(v); });
    }
    progress.finish();
    return stack;
}

// Adam on cross-entropy (bce_with_logits), the learning rate falling linearly to 0; the batches
// come from their own seed, so two models see the same mini-batches. Returns the test error
// per image after each epoch.
std::vector<double> fine_tune(tut::Tutorial& t, const std::string& label, DeepAutoencoder& model, const Tensor& x,
                              const Tensor& x_test, int epochs, float lr, std::size_t batch, std::uint64_t batch_seed) {
    hg::Adam opt(model.parameters(), hg::AdamOptions(lr));
    tut::EpochLoop loop(t, "fine-tuning (" + label + ")", x, batch, epochs, batch_seed);
    std::vector<double> curve;
    while (loop.next_epoch()) {
        opt.set_lr(lr * static_cast<float>(epochs - loop.epoch() + 1) / static_cast<float>(epochs));
        for (const tut::Batch& b : loop.batches()) {
            Var loss = hg::bce_with_logits(model(b.x), b.x);
            opt.zero_grad();
            loss.backward();
            opt.step();
            loop.add(loss);
        }
        curve.push_back(error_per_image(x_test, hg::models::reconstruct(model, x_test, 2000)));
        loop.report("test squared error per image " + tut::fixed(curve.back(), 2));
    }
    return curve;
}

}  // namespace

int main(int argc, char** argv) {
    tut::Tutorial t("16_rbm_pretraining", "RBM pretraining of a deep autoencoder (Hinton & Salakhutdinov 2006)");
    tut::RbmSettings s;
    float gaussian_lr = 3e-3f;
    s.add_flags(t, "fine-tuning");
    t.app().add_option("--gaussian-lr", gaussian_lr, "CD-1 learning rate of the top RBM (linear hidden units)")->check(tut::above(0));
    return t.run(argc, argv, [&] {
        const int epochs = t.epochs(10, 4);  // fine-tuning epochs
        const std::uint64_t seed = t.options().seed;
        const std::vector<std::size_t> sizes = hg::models::deep_ae_sizes(30);

        t.step(1, "Fashion-MNIST");
        const tut::FashionMnist data = tut::load_fashion_mnist(t, s.train_images, t.pick<std::size_t>(10000, 1000));
        const hg::data::ImageSet& test = data.test;
        const Tensor &x = data.train.images, &x_test = test.images;
        const double mean_image_error = error_per_image(x_test, Tensor::zeros(x_test.shape()) + hg::mean(x, 0));
        t.say() << "squared error per image of predicting every test image by the mean image: "
                << tut::fixed(mean_image_error, 2) << "\n";

        hg::Rng rng(seed);
        const std::vector<Rbm> stack = train_stack(t, x, sizes, s.rbm_epochs, s.cd, gaussian_lr, rng);

        t.step(3, "Unroll the stack into a deep autoencoder; fine-tune it and a random start the same way");
        hg::Rng init_rng(seed + 7);
        DeepAutoencoder pretrained(sizes, "sigmoid", init_rng);
        hg::models::unroll(stack, pretrained);
        DeepAutoencoder random(sizes, "sigmoid", init_rng);
        t.say() << pretrained << "\n";
        const double unrolled_error = error_per_image(x_test, hg::models::reconstruct(pretrained, x_test, 2000));
        const double random_start = error_per_image(x_test, hg::models::reconstruct(random, x_test, 2000));
        t.say() << "test squared error per image before fine-tuning: unrolled RBMs " << tut::fixed(unrolled_error, 2) << ", random weights "
                << tut::fixed(random_start, 2) << " (the mean image: " << tut::fixed(mean_image_error, 2) << ")\n";
        const std::size_t batch = 100;  // larger batches than CD's: fewer, faster steps of Adam
        const std::vector<double> pre_curve = fine_tune(t, "pretrained", pretrained, x, x_test, epochs, s.lr, batch, seed + 8);
        const std::vector<double> rand_curve = fine_tune(t, "random start", random, x, x_test, epochs, s.lr, batch, seed + 8);
        const double pretrained_error = pre_curve.back(), random_error = rand_curve.back();

        t.step(4, "Pretrained against random start");
        t.say() << "test squared error per image after " << epochs << " epochs of Adam (lr " << s.lr
                << " falling to 0), sigmoid units:\n"
                << "  pretrained with RBMs  " << tut::fixed(pretrained_error, 2) << "  (from " << tut::fixed(unrolled_error, 2) << ")\n"
                << "  random start          " << tut::fixed(random_error, 2) << "  (from " << tut::fixed(random_start, 2) << ")\n"
                << "(Hinton & Salakhutdinov 2006 on MNIST, with all 60,000 images and far longer training: 3.00 after pretraining)\n";
        t.check(pretrained_error < unrolled_error, "fine-tuning improves the unrolled stack");
        if (t.default_setting({"--train-images", "--rbm-epochs", "--lr", "--gaussian-lr", "--cd-lr", "--cd-batch"}))
            t.check(pretrained_error < random_error, "with the same fine-tuning budget, RBM pretraining beats a random start");
        else
            t.say() << "(not the default setting: no claim about pretraining vs random start)\n";

        const std::vector<std::size_t> rows = tut::one_per_class(test.labels, 10);
        const Tensor originals = x_test.gather_rows(rows);
        const std::string out = t.out_dir();
        tut::write_png_grid(out + "/deep_reconstructions.png",
                            Tensor::concat_rows({originals, hg::models::reconstruct(pretrained, originals),
                                                 hg::models::reconstruct(random, originals)}),
                            28, 28, rows.size());
        tut::write_svg_curves(out + "/fine_tuning.svg", "deep autoencoder, test error per image", "epoch", "squared error per image",
                              {{"pretrained with RBMs", pre_curve}, {"random start", rand_curve}});
        t.say_files({{"deep_reconstructions.png", "test images / deep AE pretrained with RBMs / deep AE from random"},
                     {"fine_tuning.svg", "test error of both deep autoencoders during fine-tuning"}});

        t.result({{"dataset", "fashion-mnist"},
                  {"unrolled_error", tut::fixed(unrolled_error, 3)},
                  {"pretrained_error", tut::fixed(pretrained_error, 3)},
                  {"random_error", tut::fixed(random_error, 3)},
                  {"random_start_error", tut::fixed(random_start, 3)},
                  {"mean_image_error", tut::fixed(mean_image_error, 3)},
                  {"activation", "sigmoid"},
                  {"rbm_epochs", std::to_string(s.rbm_epochs)},
                  {"epochs", std::to_string(epochs)},
                  {"train_images", std::to_string(x.rows())}});
    });
}
