// Training epochs of the models in models/, timed: the hourglass side of bench/compare.py's
// cases (each beside its PyTorch peer in bench/pytorch/). Each subcommand trains one model
// the way its tutorial does and reports the median time of an epoch's training loop (data
// loading, evaluation and pictures are not timed; PyTorch's side times the same loop).
//
//   build/bench/model_epochs deep_ae --epochs 1 --threads 2   # tutorial 11: 784-1000-500-250-30, 60,000 images, batch 128, Adam
//   build/bench/model_epochs conv_ae --epochs 1                # tutorial 12: the Keras-blog conv AE, 30,000 images, batch 128, Adam
//   build/bench/model_epochs vae --epochs 3                    # tutorial 13: the 20-D VAE 784-400-20, 60,000 images, batch 128, Adam
//   build/bench/model_epochs autorec --data DIR/ml-100k       # tutorial 14: I-AutoRec 943-500-943 on u1.base, full-batch Rprop, λ 200
//   build/bench/model_epochs kernel_recommender --data DIR/ml-100k --epochs 10   # tutorial 18: GLocal-K's loss and gradient
//
// The course's recommender (tutorial 03's batch-1 epoch) is timed by bench/sae_minibatch
// --batch 1 --zero-grad false. Prints one line per epoch (unless --quiet) and a final
// `result:` line with epoch_seconds, the median epoch.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <functional>
#include <iostream>
#include <numeric>
#include <string>
#include <vector>

#include "autograd/ops.hpp"
#include "data/batching.hpp"
#include "data/idx.hpp"
#include "data/movielens.hpp"
#include "data/paths.hpp"
#include "data/ratings.hpp"
#include "models/autorec.hpp"
#include "models/conv_autoencoder.hpp"
#include "models/deep_autoencoder.hpp"
#include "models/kernel_recommender.hpp"
#include "models/vae.hpp"
#include "nn/adam.hpp"
#include "autograd/loss.hpp"
#include "nn/rprop.hpp"
#include "tensor/float_mode.hpp"
#include "tensor/kernels/pool.hpp"
#include "tensor/parallel.hpp"

using hg::Tensor;
using hg::Var;

namespace {

struct Settings {
    int epochs = 1, threads = 1;
    std::uint64_t seed = 42;
    std::size_t train_images = 0, test_images = 10000, batch = 128;
    std::string data;  // Fashion-MNIST's folder ("" = the usual places), or ml-100k's
    bool quiet = false;
};

// Runs `epoch` (one epoch of training, returning its mean training loss) `epochs` times;
// returns the median duration and the last loss.
std::pair<double, double> time_epochs(const Settings& s, const std::function<double()>& epoch) {
    std::vector<double> seconds;
    double loss = 0;
    for (int e = 1; e <= s.epochs; ++e) {
        const auto start = std::chrono::steady_clock::now();
        loss = epoch();
        seconds.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
        if (!std::isfinite(loss)) throw std::runtime_error("training diverged at epoch " + std::to_string(e));
        if (!s.quiet) std::printf("epoch %d loss %.4f seconds %.4f\n", e, loss, seconds.back());
    }
    std::sort(seconds.begin(), seconds.end());
    return {seconds[seconds.size() / 2], loss};
}

hg::data::ImageSet images(const Settings& s, const std::string& split, std::size_t count) {
    return hg::data::fashion_mnist(split, count, hg::data::require_fashion_mnist(s.data));
}

// Mini-batches of images, Adam on loss(batch): one epoch, the mean loss per image.
double image_epoch(hg::Adam& opt, hg::data::BatchSampler& batches, const Tensor& x,
                   const std::function<Var(const Var&)>& loss_of) {
    double total = 0;
    for (const std::vector<std::size_t>& rows : batches.epoch()) {
        const Var xb = Var::constant(x.gather_rows(rows));
        Var loss = loss_of(xb);
        opt.zero_grad();
        loss.backward();
        opt.step();
        total += loss.item() * static_cast<double>(rows.size());
    }
    return total / static_cast<double>(x.rows());
}

// Tutorial 11's deep autoencoder, SELU units, Adam whose rate falls linearly to 0.
std::string deep_ae(const Settings& s) {
    const Tensor x = images(s, "train", s.train_images ? s.train_images : 60000).images;
    const Tensor x_test = images(s, "t10k", s.test_images).images;
    hg::Rng rng(s.seed);
    hg::models::DeepAutoencoder model(hg::models::deep_ae_sizes(30), "selu", rng);
    const float lr = 1e-3f;
    hg::Adam opt(model.parameters(), hg::AdamOptions(lr));
    hg::data::BatchSampler batches(x.rows(), s.batch, rng);
    const double start_error = hg::models::error_per_image(x_test, hg::models::reconstruct(model, x_test));
    int e = 0;
    const auto [seconds, loss] = time_epochs(s, [&] {
        opt.set_lr(lr * static_cast<float>(s.epochs - e++) / static_cast<float>(s.epochs));
        return image_epoch(opt, batches, x, [&](const Var& xb) { return hg::bce_with_logits(model(xb), xb); });
    });
    const double ae_error = hg::models::error_per_image(x_test, hg::models::reconstruct(model, x_test));
    return "start_error=" + std::to_string(start_error) + " ae_error=" + std::to_string(ae_error) +
           " train_images=" + std::to_string(x.rows()) + " train_bce=" + std::to_string(loss) +
           " epoch_seconds=" + std::to_string(seconds);
}

// Tutorial 12's convolutional autoencoder (its dense comparison model is not timed).
std::string conv_ae(const Settings& s) {
    const Tensor x = images(s, "train", s.train_images ? s.train_images : 30000).images;
    hg::Rng rng(s.seed), order(s.seed + 1);
    hg::models::ConvAutoencoder model(rng);
    hg::Adam opt(model.parameters(), hg::AdamOptions(1e-3f));
    hg::data::BatchSampler batches(x.rows(), s.batch, order);
    const auto [seconds, loss] = time_epochs(s, [&] {
        return image_epoch(opt, batches, x, [&](const Var& xb) { return hg::bce_with_logits(model(xb), xb); });
    });
    return "train_images=" + std::to_string(x.rows()) + " train_bce=" + std::to_string(loss) +
           " epoch_seconds=" + std::to_string(seconds);
}

// Tutorial 13's 20-D VAE: BCE summed over the pixels + KL, per image.
std::string vae(const Settings& s) {
    const Tensor x = images(s, "train", s.train_images ? s.train_images : 60000).images;
    hg::Rng rng(s.seed + 1);
    hg::models::Vae model(20, rng);
    hg::Adam opt(model.parameters(), hg::AdamOptions(1e-3f));
    hg::data::BatchSampler batches(x.rows(), s.batch, rng);
    const auto [seconds, loss] = time_epochs(s, [&] {
        return image_epoch(opt, batches, x, [&](const Var& xb) { return hg::models::vae_loss(model, xb, rng).total(); });
    });
    return "train_images=" + std::to_string(x.rows()) + " train_loss=" + std::to_string(loss) +
           " epoch_seconds=" + std::to_string(seconds);
}

// u1.base as the item-based recommenders read it: one row per movie (its users' ratings,
// 0 where unrated) and the mask of the rated entries.
struct ItemRows {
    hg::data::RatingMatrix m;
    Tensor observed;
    Var input;
    explicit ItemRows(const Settings& s)
        : m(hg::data::RatingMatrix::from(hg::data::load_movielens_split(s.data, "u1").train)) {
        std::vector<std::size_t> items(m.n_items());
        std::iota(items.begin(), items.end(), std::size_t{0});
        observed = m.observed_item_rows(items);
        input = Var::constant(m.dense_item_rows(items));
    }
};

// Tutorial 14's item-based AutoRec on all of u1.base: one full-batch Rprop step per epoch.
std::string autorec(const Settings& s, float lambda, std::size_t hidden) {
    const ItemRows u1(s);
    const hg::data::RatingMatrix& m = u1.m;
    const Tensor& observed = u1.observed;
    const Var& input = u1.input;
    hg::Rng rng(s.seed);
    hg::models::AutoRec model(m.n_users(), hidden, 0.0f, rng);
    hg::Rprop opt(model.parameters(), hg::models::autorec_rprop());
    const auto [seconds, loss] = time_epochs(s, [&] {
        opt.zero_grad();
        Var l = hg::models::autorec_loss(model, input, input, observed, lambda);
        l.backward();
        opt.step();
        return l.item();
    });
    return "items=" + std::to_string(m.n_items()) + " users=" + std::to_string(m.n_users()) +
           " lambda=" + std::to_string(lambda) + " hidden=" + std::to_string(hidden) + " train_loss=" +
           std::to_string(loss) + " epoch_seconds=" + std::to_string(seconds);
}

// Tutorial 18's GLocal-K on all of u1.base: full-batch evaluations of the loss and its
// gradient (what an L-BFGS iteration is made of), --epochs in pre-training, then --epochs in
// fine-tuning, each followed by a tiny gradient step so the numbers move (as the PyTorch
// peer does). epoch_seconds: the median fine-tuning evaluation; pre_seconds: pre-training's.
std::string kernel_recommender(const Settings& s, std::size_t hidden) {
    const ItemRows u1(s);
    const hg::data::RatingMatrix& m = u1.m;
    const Tensor& observed = u1.observed;
    const Var& input = u1.input;
    hg::Rng rng(s.seed);
    hg::models::KernelRecommenderSettings settings;
    settings.hidden = hidden;
    hg::models::KernelRecommender model(m.n_items(), m.n_users(), settings, rng);
    std::vector<Var> params = model.parameters();
    auto evaluation = [&] {
        model.zero_grad();
        Var l = hg::models::kernel_recommender_loss(model, input, input, observed);
        l.backward();
        for (Var& p : params)
            if (p.has_grad()) p.mutable_value() -= 1e-6f * p.grad();
        return l.item();
    };
    const double pre = time_epochs(s, evaluation).first;
    model.start_fine_tuning(input.value());
    const auto [seconds, loss] = time_epochs(s, evaluation);
    return "items=" + std::to_string(m.n_items()) + " users=" + std::to_string(m.n_users()) + " hidden=" +
           std::to_string(hidden) + " train_loss=" + std::to_string(loss) + " pre_seconds=" + std::to_string(pre) +
           " epoch_seconds=" + std::to_string(seconds);
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app("Training epochs of the models in models/, timed (bench/compare.py)", "model_epochs");
    Settings s;
    float lambda = 200;
    std::size_t hidden = 500;
    app.add_option("--epochs", s.epochs, "Epochs (the result is the median epoch)")->check(CLI::PositiveNumber);
    app.add_option("--threads", s.threads, "Threads for the kernels")->check(CLI::PositiveNumber);
    app.add_option("--seed", s.seed, "Random seed");
    app.add_option("--data", s.data, "Fashion-MNIST's folder (default: the usual places); for autorec, ml-100k's");
    app.add_flag("--quiet", s.quiet, "Print only the result line");
    app.require_subcommand(1);
    for (const auto& [name, help] : {std::pair{"deep_ae", "tutorial 11's deep autoencoder (default: 60,000 images)"},
                                     {"conv_ae", "tutorial 12's convolutional autoencoder (default: 30,000 images)"},
                                     {"vae", "tutorial 13's 20-D VAE (default: 60,000 images)"}}) {
        CLI::App* sub = app.add_subcommand(name, help);
        sub->add_option("--train-images", s.train_images, "Training images")->check(CLI::Range(100, 60000));
        sub->add_option("--test-images", s.test_images, "Test images (deep_ae's error)")->check(CLI::Range(100, 10000));
        sub->add_option("--batch", s.batch, "Mini-batch size")->check(CLI::PositiveNumber);
    }
    CLI::App* ar = app.add_subcommand("autorec", "tutorial 14's I-AutoRec on ml-100k's u1.base (--data: the ml-100k folder)");
    ar->add_option("--lambda", lambda, "The weight penalty λ")->check(CLI::NonNegativeNumber);
    ar->add_option("--hidden", hidden, "Hidden units")->check(CLI::PositiveNumber);
    CLI::App* kr = app.add_subcommand("kernel_recommender", "tutorial 18's GLocal-K on ml-100k's u1.base (--data: the ml-100k folder)");
    kr->add_option("--hidden", hidden, "Units of each hidden kernel layer")->check(CLI::PositiveNumber);
    CLI11_PARSE(app, argc, argv);
    try {
        hg::set_num_threads(s.threads);
        hg::set_flush_denormal(true);      // as the tutorials and the PyTorch peers do
        hg::kernels::keep_freed_memory();  // as the tutorials do (tensor/kernels/pool.hpp)
        const std::string name = app.get_subcommands().front()->get_name();
        const std::string fields = name == "deep_ae" ? deep_ae(s)
                                   : name == "conv_ae" ? conv_ae(s)
                                   : name == "vae"     ? vae(s)
                                   : name == "autorec" ? autorec(s, lambda, hidden)
                                                       : kernel_recommender(s, hidden);
        std::printf("result: impl=hourglass model=%s epochs=%d threads=%d batch=%zu %s\n", name.c_str(), s.epochs,
                    s.threads, s.batch, fields.c_str());
        return 0;
    } catch (const std::exception& e) {
        std::cerr << "model_epochs: " << e.what() << "\n";
        return 1;
    }
}
