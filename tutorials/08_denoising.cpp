// Tutorial 08 — denoising autoencoders (Vincent et al. 2008): corrupt the input, rebuild the
// clean image. A plain autoencoder and one DAE per kind of noise, on the same corrupted test
// images. The model, the three corruptions and the measured table are in 08_denoising.md.
#include <algorithm>
#include <cmath>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "autograd/ops.hpp"
#include "nn/adam.hpp"
#include "nn/dropout.hpp"
#include "nn/linear.hpp"
#include "autograd/loss.hpp"
#include "nn/module.hpp"
#include "tutorials/common/epochs.hpp"
#include "tutorials/common/fashion.hpp"
#include "tutorials/common/picture.hpp"
#include "tutorials/common/tutorial.hpp"

using hg::Tensor;
using hg::Var;
namespace tut = hg::tutorial;

namespace {

// A kind of corruption and its strength.
struct Corruption {
    std::string name;  // "masking", "gaussian", "salt_pepper"
    float level;       // ν for masking and salt-and-pepper, σ for Gaussian noise
    std::string describe() const {
        return name == "gaussian" ? "Gaussian noise, sigma " + tut::fixed(level, 2)
                                  : (name == "masking" ? "masking noise, " : "salt-and-pepper noise, ") +
                                        tut::fixed(100 * level, 0) + "% of pixels";
    }
};

// The nn layer that draws this corruption (active in training mode only).
std::shared_ptr<hg::Module> make_noise(const Corruption& c, hg::Rng& rng) {
    if (c.name == "masking") return std::make_shared<hg::MaskingNoise>(c.level, rng);
    if (c.name == "gaussian") return std::make_shared<hg::GaussianNoise>(c.level, rng);
    return std::make_shared<hg::SaltPepperNoise>(c.level, rng);
}

// One corrupted copy of a set of images, drawn with the same layer the DAE trains with.
Tensor corrupt(const Corruption& c, const Tensor& images, std::uint64_t seed) {
    hg::Rng rng(seed);
    auto noise = make_noise(c, rng);
    noise->train();
    hg::NoGradGuard no_grad;
    return (*noise)(Var::constant(images)).value();
}

// The autoencoder of the paper: sigmoid encoder, tied sigmoid decoder. With a noise layer it
// is a denoising autoencoder; without one, the plain autoencoder it is compared with.
class Autoencoder : public hg::Module {
public:
    Autoencoder(std::size_t pixels, std::size_t hidden, std::shared_ptr<hg::Module> noise_layer, hg::Rng& rng)
        : Module(noise_layer ? "DenoisingAutoencoder" : "Autoencoder") {
        if (noise_layer) noise = register_module("noise", noise_layer);
        encoder = register_module("encoder", std::make_shared<hg::Linear>(pixels, hidden, rng));
        decoder = register_module("decoder", std::make_shared<hg::TiedLinear>(*encoder, rng));
    }
    // The reconstruction's logits: x -> x̃ (training mode only) -> h -> logits of x̂.
    Var forward(const Var& x) override {
        const Var x_tilde = noise ? (*noise)(x) : x;
        return (*decoder)(hg::sigmoid((*encoder)(x_tilde)));
    }
    // x̂ = σ(logits) for a batch of (already corrupted, or clean) images, in eval mode.
    Tensor reconstruct(const Tensor& images) {
        hg::NoGradGuard no_grad;
        eval();
        return hg::sigmoid((*this)(Var::constant(images))).value();
    }

    std::shared_ptr<hg::Module> noise;  // null for the plain autoencoder
    std::shared_ptr<hg::Linear> encoder;
    std::shared_ptr<hg::TiedLinear> decoder;
};

struct Settings {
    std::size_t hidden = 256;
    std::size_t train_images = 0, batch = 0;  // flags whose defaults depend on --quick (main)
    float lr = 3e-3f;
};

// Adam on the cross-entropy between the reconstruction and the CLEAN batch. Returns the
// training loss of each epoch (mean over pixels).
std::vector<double> train(tut::Tutorial& t, Autoencoder& model, const std::string& label, const Tensor& images,
                          const Settings& s, int epochs, std::uint64_t seed) {
    hg::Adam opt(model.parameters(), hg::AdamOptions(s.lr));
    tut::EpochLoop loop(t, "  " + label, images, s.batch, epochs, seed);
    std::vector<double> losses;
    model.train();
    while (loop.next_epoch()) {
        for (const tut::Batch& b : loop.batches()) {
            Var loss = hg::bce_with_logits(model(b.x), b.x);  // model(x) corrupts x inside; the target is x itself
            opt.zero_grad();
            loss.backward();
            opt.step();
            loop.add(loss);
        }
        losses.push_back(loop.mean_loss());
        loop.report("train cross-entropy per pixel " + tut::fixed(losses.back(), 4));
    }
    model.eval();
    return losses;
}

double mse(const Tensor& a, const Tensor& b) { return hg::mean(hg::square(a - b)).item(); }

// Step 2: one corrupted copy of the test set per corruption, and what each changes.
std::vector<Tensor> step2_corrupt(tut::Tutorial& t, const std::vector<Corruption>& corruptions, const Tensor& x_test,
                                  const Tensor& clean_shown) {
    t.step(2, "Three ways to corrupt an image");
    const std::uint64_t seed = t.options().seed;
    std::vector<Tensor> noisy_test;
    for (std::size_t c = 0; c < corruptions.size(); ++c) {
        const Tensor& noisy = noisy_test.emplace_back(corrupt(corruptions[c], x_test, seed + 100 + c));
        const Tensor changed = hg::ne(noisy - x_test, 0.0f);
        t.say() << "  " << corruptions[c].describe() << ": " << tut::fixed(100 * hg::mean(changed).item(), 1)
                << "% of the pixels changed, mean squared change per pixel " << tut::fixed(mse(noisy, x_test), 4) << "\n";
    }
    // Masking zeroes a fraction ν of ALL pixels: among the non-zero ones, the share that became 0.
    const Tensor on = hg::gt(x_test, 0.0f);
    const double share = hg::sum(on * hg::eq(noisy_test[0], Tensor::scalar(0.0f))).item() / hg::sum(on).item();
    t.say() << "masking: " << tut::fixed(100 * share, 1) << "% of the non-zero pixels became 0 (nu = "
            << tut::fixed(100 * corruptions[0].level, 0) << "%)\n";
    t.check(std::fabs(share - corruptions[0].level) < 0.02, "masking noise zeroes a fraction nu of the pixels");
    bool identity_in_eval = true;  // in evaluation mode every corruption layer passes its input through
    for (const Corruption& c : corruptions) {
        hg::Rng rng(seed);
        auto noise = make_noise(c, rng);
        noise->eval();
        identity_in_eval = identity_in_eval && hg::max_abs_diff((*noise)(Var::constant(clean_shown)).value(), clean_shown) == 0.0f;
    }
    t.check(identity_in_eval, "in eval mode the noise layers leave the input unchanged");
    return noisy_test;
}

// Step 3: the plain autoencoder (model 0) and one DAE per corruption, the same network from
// the same initial weights; only the input corruption differs.
std::vector<std::shared_ptr<Autoencoder>> step3_train(tut::Tutorial& t, const std::vector<std::string>& names,
                                                      const std::vector<Corruption>& corruptions, const Tensor& x_train,
                                                      const Settings& s, int epochs) {
    t.step(3, "Train a plain autoencoder and one denoising autoencoder per corruption");
    const std::uint64_t seed = t.options().seed;
    std::vector<std::shared_ptr<Autoencoder>> models;
    std::vector<tut::Curve> curves;
    for (std::size_t m = 0; m < names.size(); ++m) {
        hg::Rng rng(seed);
        hg::Rng noise_rng(seed + 1 + m);
        auto model = std::make_shared<Autoencoder>(x_train.cols(), s.hidden,
                                                   m == 0 ? nullptr : make_noise(corruptions[m - 1], noise_rng), rng);
        if (m == 0 || m == 1) t.say() << *model << "\n";
        curves.push_back({names[m], train(t, *model, names[m], x_train, s, epochs, seed + 7)});
        models.push_back(model);
    }
    tut::write_svg_curves(t.out_dir() + "/training_loss.svg", "training cross-entropy (against the clean image)", "epoch",
                          "cross-entropy per pixel", curves);
    return models;
}

using Errors = std::vector<std::vector<double>>;  // [model][input]: the corrupted test sets, then clean

void print_errors(tut::Tutorial& t, const Errors& err, const std::vector<std::string>& names,
                  const std::vector<Tensor>& noisy_test, const Tensor& x_test) {
    t.say() << "test MSE per pixel against the clean images, by input:\n";
    t.say() << "  model               masking   gaussian   salt_pepper      clean\n";
    t.say() << "  (noisy input)   " << tut::right(tut::fixed(mse(noisy_test[0], x_test), 4), 10)
            << tut::right(tut::fixed(mse(noisy_test[1], x_test), 4), 11) << tut::right(tut::fixed(mse(noisy_test[2], x_test), 4), 14)
            << tut::right("0", 11) << "\n";
    for (std::size_t m = 0; m < err.size(); ++m) {
        const std::string label = m == 0 ? "plain AE" : "DAE " + names[m];
        t.say() << "  " << label << std::string(16 - std::min<std::size_t>(16, label.size()), ' ')
                << tut::right(tut::fixed(err[m][0], 4), 10) << tut::right(tut::fixed(err[m][1], 4), 11)
                << tut::right(tut::fixed(err[m][2], 4), 14) << tut::right(tut::fixed(err[m][3], 4), 11) << "\n";
    }
}

// err[m][c]: model m's reconstruction of the corrupted test set c against the clean images
// (mean squared error per pixel); the last column: the clean images as input.
Errors step4_same_noisy_images(tut::Tutorial& t, const std::vector<std::shared_ptr<Autoencoder>>& models,
                               const std::vector<std::string>& names, const std::vector<Corruption>& corruptions,
                               const std::vector<Tensor>& noisy_test, const Tensor& x_test, const std::vector<std::size_t>& shown) {
    t.step(4, "Give every model the same corrupted test images");
    Errors err(models.size());
    for (std::size_t m = 0; m < models.size(); ++m) {
        for (const Tensor& noisy : noisy_test) err[m].push_back(mse(models[m]->reconstruct(noisy), x_test));
        err[m].push_back(mse(models[m]->reconstruct(x_test), x_test));
    }
    print_errors(t, err, names, noisy_test, x_test);
    for (std::size_t c = 0; c < corruptions.size(); ++c) {
        const Tensor noisy = noisy_test[c].gather_rows(shown);
        const Tensor rows = Tensor::concat_rows(
            {noisy, models[0]->reconstruct(noisy), models[c + 1]->reconstruct(noisy), x_test.gather_rows(shown)});
        tut::write_png_grid(t.out_dir() + "/denoise_" + corruptions[c].name + ".png", rows, 28, 28, 10);
    }
    for (std::size_t c = 0; c < corruptions.size(); ++c)
        t.check(err[c + 1][c] < err[0][c], "on " + corruptions[c].describe() + ", the DAE trained on it (MSE per pixel " +
                                               tut::fixed(err[c + 1][c], 4) + ") beats the plain AE (" +
                                               tut::fixed(err[0][c], 4) + ")");
    for (std::size_t c = 0; c < corruptions.size(); ++c)
        t.check(err[c + 1][c] < mse(noisy_test[c], x_test),
                "the " + names[c + 1] + " DAE's output is closer to the clean image than its noisy input is");
    return err;
}

// Read the table by columns: on each noise the best model is the DAE trained on it; on clean
// images the plain autoencoder, trained on exactly those, is the best.
void step5_own_noise(tut::Tutorial& t, const Errors& err) {
    t.step(5, "Each DAE has learned its own noise");
    const std::size_t noises = err.size() - 1;
    bool own_best = true, plain_best_clean = true;
    for (std::size_t c = 0; c < noises; ++c)
        for (std::size_t m = 1; m < err.size(); ++m)
            if (m != c + 1 && err[m][c] <= err[c + 1][c]) own_best = false;
    for (std::size_t m = 1; m < err.size(); ++m)
        if (err[m][noises] <= err[0][noises]) plain_best_clean = false;
    t.check(own_best, "on each kind of noise, the DAE trained on that noise beats the other two DAEs");
    t.check(plain_best_clean, "on clean images the plain autoencoder has the lowest error");
}

// Each hidden unit's weights (a row of W), the first 50 units of each model.
void step6_filters(tut::Tutorial& t, const std::vector<std::shared_ptr<Autoencoder>>& models,
                   const std::vector<std::string>& names) {
    t.step(6, "The filters");
    for (std::size_t m = 0; m < models.size(); ++m)
        tut::write_png_grid(t.out_dir() + "/filters_" + names[m] + ".png",
                            models[m]->encoder->weight().value().slice_rows(0, 50), 28, 28, 10, 0.0f, 0.0f);
    t.say() << "\npictures in " << t.out_dir() << "/ (08_denoising.md says what each shows)\n";
}

}  // namespace

int main(int argc, char** argv) {
    tut::Tutorial t("08_denoising", "Denoising autoencoders: corrupt the input, rebuild the clean image");
    Settings s;
    float masking = 0.4f, sigma = 0.4f, salt_pepper = 0.2f;
    t.app().add_option("--hidden", s.hidden, "Hidden units")->check(tut::at_least(1));
    t.setting("--train-images", s.train_images, {20000, 3000}, "Training images");
    t.app().add_option("--masking", masking, "Masking noise: the fraction of pixels set to 0")->check(tut::between(0.0, 0.95));
    t.app().add_option("--sigma", sigma, "Gaussian noise: the standard deviation")->check(tut::between(0.0, 5.0));
    t.app().add_option("--salt-pepper", salt_pepper, "Salt-and-pepper noise: the fraction of pixels set to 0 or 1")
        ->check(tut::between(0.0, 0.95));
    t.app().add_option("--lr", s.lr, "Adam's learning rate")->check(tut::above(0));
    t.setting("--batch", s.batch, {32, 16}, "Images per step (quick: more steps from fewer images)")
        ->check(tut::at_least(1));
    return t.run(argc, argv, [&] {
        const int epochs = t.epochs(15, 10);
        const std::vector<Corruption> corruptions{{"masking", masking}, {"gaussian", sigma}, {"salt_pepper", salt_pepper}};
        std::vector<std::string> names{"plain"};
        for (const Corruption& c : corruptions) names.push_back(c.name);
        t.step(1, "Fashion-MNIST");
        const tut::FashionMnist data = tut::load_fashion_mnist(t, s.train_images, t.pick<std::size_t>(2000, 1000));
        const Tensor& x_test = data.test.images;
        const std::vector<std::size_t> shown = tut::one_per_class(data.test.labels, static_cast<int>(data.test.class_names.size()));
        const std::vector<Tensor> noisy_test = step2_corrupt(t, corruptions, x_test, x_test.gather_rows(shown));
        const auto models = step3_train(t, names, corruptions, data.train.images, s, epochs);
        const Errors err = step4_same_noisy_images(t, models, names, corruptions, noisy_test, x_test, shown);
        step5_own_noise(t, err);
        step6_filters(t, models, names);
        std::vector<std::pair<std::string, std::string>> result{{"hidden", std::to_string(s.hidden)}};
        for (std::size_t c = 0; c < corruptions.size(); ++c) {  // noisy_masking, plain_masking, dae_masking, ...
            result.emplace_back("noisy_" + names[c + 1], tut::fixed(mse(noisy_test[c], x_test), 4));
            result.emplace_back("plain_" + names[c + 1], tut::fixed(err[0][c], 4));
            result.emplace_back("dae_" + names[c + 1], tut::fixed(err[c + 1][c], 4));
        }
        result.emplace_back("plain_clean", tut::fixed(err[0][3], 4));
        result.emplace_back("epochs", std::to_string(epochs));
        t.result(result);
    });
}
