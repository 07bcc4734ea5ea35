// Tutorial 10 — stacked autoencoders: greedy layer-wise pretraining (Bengio et al. 2007;
// Vincent et al. 2010 with masking noise), linear probes, then fine-tuning with few labels
// against a random start. The method and the measured accuracies are in 10_stacked.md.
#include <algorithm>
#include <cmath>
#include <functional>
#include <iomanip>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "autograd/ops.hpp"
#include "nn/activation.hpp"
#include "nn/adam.hpp"
#include "nn/dropout.hpp"
#include "nn/linear.hpp"
#include "autograd/loss.hpp"
#include "nn/module.hpp"
#include "nn/sequential.hpp"
#include "tutorials/common/epochs.hpp"
#include "tutorials/common/fashion.hpp"
#include "tutorials/common/picture.hpp"
#include "tutorials/common/tutorial.hpp"

using hg::Tensor;
using hg::Var;
namespace tut = hg::tutorial;

namespace {

struct Settings {
    std::vector<std::size_t> sizes = {784, 500, 250, 100};
    std::size_t unlabelled = 0, labels = 0, test = 0;  // main sets them by --quick (and --labels)
    int pretrain_epochs = 0, probe_epochs = 100;
    std::size_t batch = 64;
    float lr = 1e-3f, noise = 0.25f;
};

// The classifier: the stacked encoder (Linear + sigmoid per layer) and a softmax layer on
// top (its logits; cross_entropy applies the softmax).
class StackedClassifier : public hg::Module {
public:
    StackedClassifier(const std::vector<std::size_t>& sizes, std::size_t classes, hg::Rng& rng)
        : Module("StackedClassifier") {
        encoder = register_module("encoder", std::make_shared<hg::Sequential>());
        for (std::size_t i = 0; i + 1 < sizes.size(); ++i) {
            layers.push_back(std::make_shared<hg::Linear>(sizes[i], sizes[i + 1], rng));
            encoder->add(layers.back());
            encoder->add(std::make_shared<hg::Sigmoid>());
        }
        head = register_module("head", std::make_shared<hg::Linear>(sizes.back(), classes, rng));
    }
    Var forward(const Var& x) override { return (*head)((*encoder)(x)); }

    std::shared_ptr<hg::Sequential> encoder;
    std::vector<std::shared_ptr<hg::Linear>> layers;  // the encoder's Linear layers, bottom first
    std::shared_ptr<hg::Linear> head;
};

// f(x) over the rows of x in batches, without a graph.
Tensor apply(const Tensor& x, const std::function<Var(const Var&)>& f) {
    hg::NoGradGuard no_grad;
    std::vector<Tensor> parts;
    for (std::size_t start = 0; start < x.rows(); start += 2000)
        parts.push_back(f(Var::constant(x.slice_rows(start, std::min(x.rows(), start + 2000)))).value());
    return Tensor::concat_rows(parts);
}

double accuracy(const Tensor& logits, const std::vector<int>& labels) {
    const std::vector<std::size_t> predicted = hg::argmax(logits, 1);
    std::size_t right = 0;
    for (std::size_t i = 0; i < labels.size(); ++i) right += predicted[i] == static_cast<std::size_t>(labels[i]);
    return static_cast<double>(right) / static_cast<double>(labels.size());
}

std::vector<int> pick(const std::vector<int>& v, const std::vector<std::size_t>& rows) {
    std::vector<int> out;
    out.reserve(rows.size());
    for (std::size_t r : rows) out.push_back(v[r]);
    return out;
}

// One greedy step: train `enc` as a (denoising) autoencoder of `input` — a tied decoder
// σ(h·W + c) rebuilding the clean input from the code of a corrupted copy. Returns the
// reconstruction cross-entropy of each epoch (on clean inputs, measured after the epoch).
std::vector<double> pretrain_layer(tut::Tutorial& t, const std::string& label, hg::Linear& enc, const Tensor& input,
                                   const Settings& s, hg::Rng& rng) {
    hg::TiedLinear dec(enc, rng);
    hg::MaskingNoise corrupt(s.noise, rng);
    std::vector<Var> params = enc.parameters();
    for (const Var& p : dec.parameters()) params.push_back(p);
    hg::Adam opt(params, hg::AdamOptions(s.lr));
    tut::EpochLoop loop(t, label, input, s.batch, s.pretrain_epochs, rng);  // shuffles with the noise's rng
    auto reconstruct = [&](const Var& x) { return dec(hg::sigmoid(enc(x))); };  // logits of x̂
    std::vector<double> curve;
    while (loop.next_epoch()) {
        for (const tut::Batch& b : loop.batches()) {
            Var loss = hg::bce_with_logits(reconstruct(s.noise > 0 ? corrupt(b.x) : b.x), b.x);
            opt.zero_grad();
            loss.backward();
            opt.step();
        }
        const Tensor sample = input.slice_rows(0, std::min<std::size_t>(input.rows(), 5000));
        const Tensor logits = apply(sample, reconstruct);
        curve.push_back(hg::bce_with_logits(Var::constant(logits), Var::constant(sample)).item());
        loop.report("reconstruction cross-entropy per entry " + tut::fixed(curve.back(), 4));
    }
    return curve;
}

// Train `params` of `model` on (x, labels) with cross-entropy; returns the test accuracy
// after each epoch. An empty label trains without a progress line.
std::vector<double> train_classifier(tut::Tutorial& t, const std::string& label, hg::Module& model,
                                     const std::vector<Var>& params, const Tensor& x, const std::vector<int>& labels,
                                     const Tensor& x_test, const std::vector<int>& test_labels, int epochs,
                                     const Settings& s, std::uint64_t seed) {
    hg::Adam opt(params, hg::AdamOptions(s.lr));
    tut::EpochLoop loop(t, label, x, s.batch, epochs, seed);
    std::vector<double> curve;
    while (loop.next_epoch()) {
        for (const tut::Batch& b : loop.batches()) {
            Var loss = hg::cross_entropy(model(b.x), pick(labels, b.rows));
            opt.zero_grad();
            loss.backward();
            opt.step();
        }
        curve.push_back(accuracy(apply(x_test, [&](const Var& v) { return model(v); }), test_labels));
        loop.report("test accuracy " + tut::fixed(curve.back(), 4));
    }
    return curve;
}

// A softmax regression on fixed features: the linear probe.
double linear_probe(tut::Tutorial& t, const Tensor& features, const std::vector<int>& labels,
                    const Tensor& test_features, const std::vector<int>& test_labels, const Settings& s,
                    std::uint64_t seed) {
    hg::Rng rng(seed);
    hg::Linear probe(features.cols(), 10, rng);
    return train_classifier(t, "", probe, probe.parameters(), features, labels, test_features, test_labels,
                            s.probe_epochs, s, seed)
        .back();
}

// The images without labels for pretraining, the first `labels` images with theirs, the test set.
struct Data {
    tut::FashionMnist sets;
    Tensor x_all, x_lab;
    std::vector<int> y_lab;
    const hg::data::ImageSet& test() const { return sets.test; }
};

Data step1_data(tut::Tutorial& t, const Settings& s) {
    t.step(1, "Fashion-MNIST: many images, few labels");
    Data d{tut::load_fashion_mnist(t, std::max(s.unlabelled, s.labels), s.test), {}, {}, {}};
    const hg::data::ImageSet& train = d.sets.train;
    d.x_all = train.images.slice_rows(0, s.unlabelled);  // pretraining: images only
    d.x_lab = train.images.slice_rows(0, s.labels);
    d.y_lab.assign(train.labels.begin(), train.labels.begin() + static_cast<std::ptrdiff_t>(s.labels));
    t.say() << "pretraining on " << d.x_all.shape() << " images without labels; classifiers trained on the first "
            << s.labels << " labelled images; tested on " << d.test().images.shape() << "\n";
    std::vector<int> per_class(10, 0);
    for (int y : d.y_lab) ++per_class[static_cast<std::size_t>(y)];
    t.say() << "labels per class:";
    for (int c : per_class) t.say() << " " << c;
    t.say() << "\n";
    t.check(*std::min_element(per_class.begin(), per_class.end()) > 0, "every class has labelled examples");
    return d;
}

// Each layer in turn an autoencoder of the codes below it; `rng` also drew the stack's weights.
void step2_pretrain(tut::Tutorial& t, StackedClassifier& stack, const Tensor& x_all, const Settings& s, hg::Rng& rng) {
    t.step(2, "Greedy layer-wise pretraining");
    t.say() << stack << "\n"
            << "(cross-entropies below are nats per entry of the layer's input: per pixel for layer 1, per code unit above)\n";
    Tensor input = x_all;
    for (std::size_t l = 0; l < stack.layers.size(); ++l) {
        hg::Linear& enc = *stack.layers[l];
        // The layer's error before training, on the same sample the curve uses.
        const Tensor sample = input.slice_rows(0, std::min<std::size_t>(input.rows(), 5000));
        hg::Rng probe_rng(t.options().seed + l);
        hg::TiedLinear untrained(enc, probe_rng);
        const double before = hg::bce_with_logits(
            Var::constant(apply(sample, [&](const Var& v) { return untrained(hg::sigmoid(enc(v))); })),
            Var::constant(sample)).item();
        const double after = pretrain_layer(t, "pretraining layer " + std::to_string(l + 1), enc, input, s, rng).back();
        t.say() << "layer " << l + 1 << " (" << enc.in_features() << " -> " << enc.out_features()
                << "): reconstruction cross-entropy per entry " << tut::fixed(before, 4) << " -> " << tut::fixed(after, 4) << "\n";
        t.check(after < before, "layer " + std::to_string(l + 1) + " learned to reconstruct its input");
        // The next layer's input: this layer's codes of the clean data, fixed from now on.
        input = apply(input, [&](const Var& v) { return hg::sigmoid(enc(v)); });
    }
    tut::write_png_grid(t.out_dir() + "/filters_layer1.png", stack.layers[0]->weight().value().slice_rows(0, 100), 28, 28,
                        10, 0.0f, 0.0f);
    t.say() << "the first 100 filters of layer 1 (rows of W1): " << t.out_dir() << "/filters_layer1.png\n";
}

// What step 3's probe l reads: the pixels (l = 0) or layer l's codes.
std::string probe_name(std::size_t l) { return l == 0 ? "raw pixels" : "layer " + std::to_string(l) + " codes"; }

// A softmax regression on fixed features: the better it does, the more linearly the classes
// are laid out in them. Returns the test accuracy on pixels, then on each layer's codes.
std::vector<double> step3_probes(tut::Tutorial& t, StackedClassifier& stack, const Data& d, const Settings& s) {
    t.step(3, "Linear probes: raw pixels vs the codes of each layer");
    std::vector<Tensor> feats_lab = {d.x_lab}, feats_test = {d.test().images};
    for (const auto& layer : stack.layers) {
        auto up = [&](const Tensor& h) { return apply(h, [&](const Var& v) { return hg::sigmoid((*layer)(v)); }); };
        feats_lab.push_back(up(feats_lab.back()));
        feats_test.push_back(up(feats_test.back()));
    }
    std::vector<double> probes;
    t.say() << "softmax regression on " << s.labels << " labelled examples, " << s.probe_epochs << " epochs -> test accuracy:\n";
    for (std::size_t l = 0; l < feats_lab.size(); ++l) {
        probes.push_back(linear_probe(t, feats_lab[l], d.y_lab, feats_test[l], d.test().labels, s, t.options().seed));
        t.say() << "  " << std::left << std::setw(13) << probe_name(l) << std::right << " (" << feats_lab[l].cols()
                << " numbers): " << tut::fixed(probes.back(), 4) << "\n";
    }
    t.check(probes.back() > 0.4, "the top codes, learned without labels, separate the classes far above chance (0.1)");
    return probes;
}

// The mean of the last `n` entries of a curve: a reading less at the mercy of one epoch's dip.
double mean_of_last(const std::vector<double>& curve, std::size_t n) {
    n = std::min(n, curve.size());
    double sum = 0;
    for (std::size_t i = curve.size() - n; i < curve.size(); ++i) sum += curve[i];
    return sum / static_cast<double>(n);
}

// The claim that pretraining wins was measured at the default settings (quick and full);
// with settings of your own it is reported, not asserted.
std::pair<double, double> step4_finetune(tut::Tutorial& t, StackedClassifier& pretrained, const Data& d, const Settings& s,
                                         int epochs, const std::vector<double>& probes, bool default_setting) {
    t.step(4, "Fine-tuning the whole stack, from the pretrained weights and from random ones");
    const std::uint64_t seed = t.options().seed;
    hg::Rng rng_random(seed + 1000);
    StackedClassifier random(s.sizes, 10, rng_random);
    const std::vector<double> curve_pre = train_classifier(t, "fine-tuning (pretrained)", pretrained, pretrained.parameters(),
                                                           d.x_lab, d.y_lab, d.test().images, d.test().labels, epochs, s, seed);
    const std::vector<double> curve_rand = train_classifier(t, "fine-tuning (random init)", random, random.parameters(),
                                                            d.x_lab, d.y_lab, d.test().images, d.test().labels, epochs, s, seed);
    const double acc_pre = curve_pre.back(), acc_rand = curve_rand.back();
    const std::size_t last = std::min<std::size_t>(5, curve_pre.size());
    const double mean_pre = mean_of_last(curve_pre, last), mean_rand = mean_of_last(curve_rand, last);
    t.say() << "test accuracy after each epoch:\n  pretrained  " << tut::joined(curve_pre, 3) << "\n  random init "
            << tut::joined(curve_rand, 3) << "\n"
            << "after " << epochs << " epochs on " << s.labels << " labels: pretrained " << tut::fixed(acc_pre, 4)
            << ", random init " << tut::fixed(acc_rand, 4) << "; the mean of the last " << last << " epochs: "
            << tut::fixed(mean_pre, 4) << " and " << tut::fixed(mean_rand, 4) << "\n";
    t.check(acc_pre > probes.back(), "fine-tuning the stack beats a linear probe on its own frozen top codes");
    if (default_setting)
        t.check(acc_pre > acc_rand, "with few labels, the pretrained start beats a random one after the same epochs");
    else
        t.say() << "pretraining " << (acc_pre > acc_rand ? "helped" : "did not help") << " at these settings\n";
    // The same numbers against every probe, the strongest first: what fine-tuning adds over a
    // linear classifier on a frozen layer, and what a random start reaches against raw pixels.
    const std::size_t best = static_cast<std::size_t>(std::max_element(probes.begin(), probes.end()) - probes.begin());
    const auto points = [](double a, double b) { return tut::fixed(100 * (a - b), 2) + " points"; };
    t.say() << "the strongest linear probe is on the " << probe_name(best) << ": " << tut::fixed(probes[best], 4) << "; the "
            << "fine-tuned stack is " << (acc_pre > probes[best] ? "above it by " + points(acc_pre, probes[best])
                                                                 : "below it by " + points(probes[best], acc_pre))
            << "\nthe random start is " << (acc_rand > probes.front() ? "above" : "below") << " the linear probe on raw pixels ("
            << tut::fixed(probes.front(), 4) << ") by "
            << (acc_rand > probes.front() ? points(acc_rand, probes.front()) : points(probes.front(), acc_rand)) << "\n";
    tut::write_svg_curves(t.out_dir() + "/finetuning.svg", "test accuracy during fine-tuning", "epoch", "accuracy",
                          {{"pretrained", curve_pre}, {"random init", curve_rand}});
    return {acc_pre, acc_rand};
}

}  // namespace

int main(int argc, char** argv) {
    tut::Tutorial t("10_stacked", "Stacked autoencoders: greedy layer-wise pretraining, then fine-tuning");
    Settings s;
    t.setting("--labels", s.labels, {1000, 500}, "Labelled training images for the classifiers")
        ->check(tut::between(10, 60000));
    t.app().add_option("--noise", s.noise, "Masking noise of the pretraining (0: plain stacked autoencoder)")
        ->check(tut::between(0.0, 0.9));
    t.setting("--pretrain-epochs", s.pretrain_epochs, {5, 4}, "Epochs of pretraining per layer")
        ->check(tut::at_least(1));
    return t.run(argc, argv, [&] {
        const int epochs = t.epochs(30, 15);  // fine-tuning epochs
        s.unlabelled = t.pick<std::size_t>(60000, 3000);
        s.test = t.pick<std::size_t>(10000, 2000);
        const bool default_setting = t.options().epochs == 0 && t.app().count("--pretrain-epochs") == 0 &&
                                     t.app().count("--labels") == 0 && t.app().count("--noise") == 0;
        const Data d = step1_data(t, s);
        hg::Rng rng(t.options().seed);
        StackedClassifier pretrained(s.sizes, 10, rng);
        step2_pretrain(t, pretrained, d.x_all, s, rng);
        const std::vector<double> probes = step3_probes(t, pretrained, d, s);
        const auto [acc_pre, acc_rand] = step4_finetune(t, pretrained, d, s, epochs, probes, default_setting);
        t.result({{"probe_pixels", tut::fixed(probes.front(), 4)},
                  {"probe_layer1", tut::fixed(probes[1], 4)},
                  {"probe_codes", tut::fixed(probes.back(), 4)},
                  {"finetuned_pretrained", tut::fixed(acc_pre, 4)},
                  {"finetuned_random", tut::fixed(acc_rand, 4)},
                  {"labels", std::to_string(s.labels)},
                  {"epochs", std::to_string(epochs)}});
    });
}
