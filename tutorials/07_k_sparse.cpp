// Tutorial 07 — k-sparse autoencoders (Makhzani & Frey 2014): keep the k largest hidden units
// of a linear encoder, zero the rest, decode with the encoder's weights transposed. The model,
// its backward rule and the measured sweep over k are in 07_k_sparse.md beside this file.
#include <algorithm>
#include <cmath>
#include <iostream>
#include <memory>
#include <numeric>
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

// The k-sparse autoencoder: a linear encoder, a top-k selection, a tied decoder.
class KSparseAutoencoder : public hg::Module {
public:
    KSparseAutoencoder(std::size_t pixels, std::size_t hidden, std::size_t k, hg::Rng& rng)
        : Module("KSparseAutoencoder"), k(k) {
        encoder = register_module("encoder", std::make_shared<hg::Linear>(pixels, hidden, rng));
        decoder = register_module("decoder", std::make_shared<hg::TiedLinear>(*encoder, rng));
    }
    // z_Γ: the k largest pre-activations of each row, the rest set to 0.
    Var encode(const Var& x) { return hg::topk_mask((*encoder)(x), k); }
    Var forward(const Var& x) override { return (*decoder)(encode(x)); }
    std::string describe() const override { return "k=" + std::to_string(k); }

    std::size_t k;  // the sparsity level in use (lowered during training by the schedule)
    std::shared_ptr<hg::Linear> encoder;
    std::shared_ptr<hg::TiedLinear> decoder;
};

struct Settings {
    std::size_t hidden = 0, train_images = 0;  // flags whose defaults depend on --quick (main)
    std::size_t batch = 64;
    float lr = 1e-3f;
};

// The paper's schedule: k falls linearly from k_start to the target over the first half of
// the epochs, then stays at the target.
std::size_t scheduled_k(std::size_t target, std::size_t k_start, int epoch, int epochs) {
    const double half = std::max(1.0, epochs / 2.0);
    const double f = std::min(1.0, (epoch - 1) / half);  // epoch counts from 1
    const double k = static_cast<double>(k_start) + f * (static_cast<double>(target) - static_cast<double>(k_start));
    return std::max(target, static_cast<std::size_t>(std::lround(k)));
}

// Train with Adam on the mean squared error (mean over pixels and images).
std::vector<double> train(tut::Tutorial& t, KSparseAutoencoder& model, const Tensor& images, std::size_t target_k,
                          bool schedule, const Settings& s, int epochs, std::uint64_t seed) {
    hg::Adam opt(model.parameters(), hg::AdamOptions(s.lr));
    const std::size_t k_start = schedule ? std::max(target_k, std::min<std::size_t>(s.hidden, 100)) : target_k;
    std::vector<double> losses;
    tut::EpochLoop loop(t, "  k=" + std::to_string(target_k), images, s.batch, epochs, seed);
    while (loop.next_epoch()) {
        model.k = scheduled_k(target_k, k_start, loop.epoch(), epochs);
        for (const tut::Batch& b : loop.batches()) {
            Var loss = hg::mse(model(b.x), b.x);
            opt.zero_grad();
            loss.backward();
            opt.step();
            loop.add(loss);
        }
        losses.push_back(loop.mean_loss());
        loop.report("k " + std::to_string(model.k) + "  train MSE per pixel " + tut::fixed(losses.back(), 5));
    }
    model.k = target_k;
    return losses;
}

// The codes z_Γ of a set of images, in batches, without a graph.
Tensor codes_of(KSparseAutoencoder& model, const Tensor& images) {
    hg::NoGradGuard no_grad;
    std::vector<Tensor> parts;
    for (std::size_t i = 0; i < images.rows(); i += 500)
        parts.push_back(model.encode(Var::constant(images.slice_rows(i, std::min(images.rows(), i + 500)))).value());
    return Tensor::concat_rows(parts);
}

Tensor reconstruct(KSparseAutoencoder& model, const Tensor& images) {
    hg::NoGradGuard no_grad;
    return model(Var::constant(images)).value();
}

// How much a filter looks like a whole image: its best cosine similarity with any of the
// given images, max_n (x_n·w) / (‖x_n‖ ‖w‖). A filter shaped like a garment scores higher
// than one that draws a part, an edge or a fine pattern (which matches no image well).
std::vector<double> best_image_match(const Tensor& W, const std::vector<std::size_t>& units, const Tensor& images) {
    const Tensor dots = hg::matmul(images, W, false, true);               // (n x H): x_n · w_j
    const Tensor image_norms = hg::sqrt(hg::sum(hg::square(images), 1));  // (n)
    const Tensor filter_norms = hg::sqrt(hg::sum(hg::square(W), 1));       // (H)
    const std::size_t H = W.rows();
    std::vector<double> best;
    for (std::size_t j : units) {
        double b = -1;
        for (std::size_t n = 0; n < images.rows(); ++n)
            b = std::max(b, static_cast<double>(dots[n * H + j]) / (image_norms[n] * filter_norms[j] + 1e-12));
        best.push_back(b);
    }
    return best;
}

double median(std::vector<double> v) {
    if (v.empty()) return 0;
    std::sort(v.begin(), v.end());
    const std::size_t m = v.size() / 2;
    return v.size() % 2 ? v[m] : 0.5 * (v[m - 1] + v[m]);
}

// What one trained model is measured by.
struct Trained {
    std::size_t k = 0;
    std::vector<double> losses;                      // training MSE of each epoch
    double test_mse = 0;                             // mean over test pixels of (x̂ − x)²
    std::size_t min_nonzeros = 0, max_nonzeros = 0;  // non-zeros per code, over the test set
    std::size_t dead = 0;                            // units in no test image's support
    double image_match = 0;                          // median over live units of the best cosine
    Tensor filters, reconstructions;                 // the 50 most used filters; 10 test reconstructions
};

Trained evaluate(KSparseAutoencoder& model, const Tensor& x_test) {
    Trained r;
    r.k = model.k;
    const Tensor codes = codes_of(model, x_test);
    const Tensor recon = reconstruct(model, x_test);
    r.test_mse = hg::mean(hg::square(recon - x_test)).item();
    r.reconstructions = recon.slice_rows(0, 10);
    const Tensor used = hg::ne(codes, 0.0f);  // (N x H): 1 where unit j is in example n's support
    const Tensor per_code = hg::sum(used, 1), per_unit = hg::sum(used, 0);
    r.min_nonzeros = static_cast<std::size_t>(-hg::max(-per_code).item());
    r.max_nonzeros = static_cast<std::size_t>(hg::max(per_code).item());
    std::vector<std::size_t> live;
    for (std::size_t j = 0; j < per_unit.numel(); ++j)
        if (per_unit[j] > 0.0f) live.push_back(j);
    r.dead = per_unit.numel() - live.size();
    const Tensor& W = model.encoder->weight().value();  // (H x 784): row j is unit j's filter
    r.image_match = median(best_image_match(W, live, x_test));
    std::sort(live.begin(), live.end(), [&](std::size_t a, std::size_t b) { return per_unit[a] > per_unit[b]; });
    live.resize(std::min<std::size_t>(live.size(), 50));
    r.filters = W.gather_rows(live);
    return r;
}

Trained train_and_evaluate(tut::Tutorial& t, const Tensor& x_train, const Tensor& x_test, std::size_t k,
                           bool schedule, const Settings& s, int epochs) {
    hg::Rng rng(t.options().seed);  // every model starts from the same weights
    KSparseAutoencoder model(x_train.cols(), s.hidden, k, rng);
    const std::vector<double> losses = train(t, model, x_train, k, schedule, s, epochs, t.options().seed + 1);
    Trained r = evaluate(model, x_test);
    r.losses = losses;
    return r;
}

// The sweep's sparsity levels: sorted, each once, none above the number of hidden units.
std::vector<std::size_t> sweep_levels(std::vector<std::size_t> ks, std::size_t hidden) {
    std::sort(ks.begin(), ks.end());
    ks.erase(std::unique(ks.begin(), ks.end()), ks.end());
    if (ks.back() > hidden)
        throw hg::ValueError("--k " + std::to_string(ks.back()) + " is larger than --hidden " + std::to_string(hidden) +
                             ": a code cannot keep more units than it has");
    return ks;
}

// One test image through an untrained model: exactly k survive, and one backward pass gives
// the encoder's bias a gradient only at the k kept units.
void step2_model(tut::Tutorial& t, const hg::data::ImageSet& test, const Settings& s, std::size_t k) {
    t.step(2, "The model: linear encoder, keep the k largest, tied decoder");
    hg::Rng rng(t.options().seed);
    KSparseAutoencoder demo(test.images.cols(), s.hidden, k, rng);
    t.say() << demo << "\n";
    const Var x1 = Var::constant(test.images.slice_rows(0, 1));
    const Tensor z_full = (*demo.encoder)(x1).value();
    const Var code = demo.encode(x1);
    std::vector<std::size_t> support;
    float largest_pruned = -1e30f;
    for (std::size_t j = 0; j < s.hidden; ++j) {
        if (code.value()[j] != 0.0f) support.push_back(j);
        else largest_pruned = std::max(largest_pruned, z_full[j]);
    }
    t.say() << "image 0 (" << test.class_names[static_cast<std::size_t>(test.labels[0])] << "): pre-activation z "
            << z_full.shape() << ", of which k = " << demo.k << " survive:\n ";
    for (std::size_t j : support) t.say() << " z[" << j << "]=" << tut::fixed(code.value()[j], 3);
    t.say() << "\n  (the largest value set to 0 is " << tut::fixed(largest_pruned, 3) << ")\n";
    Var loss = hg::mse(demo(x1), x1);
    loss.backward();
    std::size_t bias_with_grad = 0, outside = 0;
    const Tensor& db = demo.encoder->bias().grad();
    for (std::size_t j = 0; j < s.hidden; ++j)
        if (db[j] != 0.0f) {
            ++bias_with_grad;
            if (std::find(support.begin(), support.end(), j) == support.end()) ++outside;
        }
    t.say() << "after backward, " << bias_with_grad << " of the " << s.hidden << " encoder biases have a gradient\n";
    t.check(outside == 0 && bias_with_grad > 0, "gradients reach only the k units in the support");
}

// As in the paper, k starts at 100 (or H) and falls linearly to its target over the first
// half of the epochs: early on every unit wins often enough to learn something.
std::vector<Trained> step3_sweep(tut::Tutorial& t, const tut::FashionMnist& data, const std::vector<std::size_t>& ks,
                                 const Settings& s, int epochs) {
    t.step(3, "A sweep over k, " + std::to_string(epochs) + " epochs each");
    std::vector<Trained> sweep;
    for (std::size_t k : ks) {
        const Trained& r = sweep.emplace_back(train_and_evaluate(t, data.train.images, data.test.images, k, true, s, epochs));
        t.say() << "  k = " << k << ": test MSE per pixel " << tut::fixed(r.test_mse, 5) << ", " << r.dead
                << " dead units (in no test image's code)\n";
    }
    return sweep;
}

void step4_error_against_k(tut::Tutorial& t, const std::vector<Trained>& sweep, const Tensor& x_test, const Settings& s) {
    t.step(4, "Reconstruction error against k");
    t.say() << "     k   test MSE   non-zeros per code   dead units   filter-image match\n"
            << "        (per pixel)  (fewest..most)\n";
    std::vector<double> k_axis, errors;
    std::vector<tut::Curve> curves;
    std::vector<Tensor> recon_rows{x_test.slice_rows(0, 10)};
    for (const Trained& r : sweep) {
        t.say() << tut::right(std::to_string(r.k), 6) << tut::right(tut::fixed(r.test_mse, 5), 11)
                << tut::right(std::to_string(r.min_nonzeros) + ".." + std::to_string(r.max_nonzeros), 21)
                << tut::right(std::to_string(r.dead), 13) << tut::right(tut::fixed(r.image_match, 3), 21) << "\n";
        k_axis.push_back(static_cast<double>(r.k));
        errors.push_back(r.test_mse);
        curves.push_back({"k = " + std::to_string(r.k), r.losses});
        recon_rows.push_back(r.reconstructions);
    }
    tut::write_svg_curves(t.out_dir() + "/error_vs_k.svg", "k-sparse autoencoder: test error against k", "k",
                          "test MSE per pixel", {{"H = " + std::to_string(s.hidden) + " units", errors, k_axis}});
    tut::write_svg_curves(t.out_dir() + "/training_loss.svg", "training MSE per pixel, each epoch", "epoch", "train MSE per pixel", curves, true);
    tut::write_png_grid(t.out_dir() + "/reconstructions.png", Tensor::concat_rows(recon_rows), 28, 28, 10);
    t.say() << "(non-zeros counted in each of the " << x_test.rows() << " test codes: keeping the k largest "
            << "leaves k by construction)\n";
    bool falls = true;
    for (std::size_t i = 1; i < sweep.size(); ++i) falls = falls && sweep[i].test_mse < sweep[i - 1].test_mse;
    t.check(falls, "the test error falls at every step up in k (more units per image, less error)");
}

// A unit's filter is its row of W (the decoder draws it, the encoder matches it); the
// measure is each live filter's best cosine with any test image (1 = identical shape).
void step5_filters(tut::Tutorial& t, const std::vector<Trained>& sweep) {
    t.step(5, "Filters: whole garments at small k, finer patterns at larger k");
    for (const Trained& r : sweep)
        tut::write_png_grid(t.out_dir() + "/filters_k" + std::to_string(r.k) + ".png", r.filters, 28, 28, 10, 0.0f, 0.0f);
    const Trained &small = sweep.front(), &large = sweep.back();
    t.say() << "median best match of a filter with a test image: " << tut::fixed(small.image_match, 3) << " at k = "
            << small.k << ", " << tut::fixed(large.image_match, 3) << " at k = " << large.k << "\n";
    t.check(small.image_match > large.image_match,
            "the filters of the smallest k look more like whole images than those of the largest k");
}

Trained step6_without_schedule(tut::Tutorial& t, const tut::FashionMnist& data, const Trained& small, const Settings& s,
                               int epochs) {
    t.step(6, "Why k starts large: the same smallest k without the schedule");
    const Trained fixed_k = train_and_evaluate(t, data.train.images, data.test.images, small.k, false, s, epochs);
    t.say() << "k = " << small.k << " from the first step: " << fixed_k.dead << " dead units, test MSE per pixel "
            << tut::fixed(fixed_k.test_mse, 5) << "  (with the schedule: " << small.dead << " dead, "
            << tut::fixed(small.test_mse, 5) << ")\n";
    t.check(fixed_k.dead > small.dead, "without the schedule more units never win a code (dead units)");
    return fixed_k;
}

}  // namespace

int main(int argc, char** argv) {
    tut::Tutorial t("07_k_sparse", "k-sparse autoencoders: keep the k largest hidden units");
    Settings s;
    std::vector<std::size_t> ks;
    t.setting("--hidden", s.hidden, {400, 200}, "Hidden units H")->check(tut::at_least(1));
    t.app().add_option("--k", ks, "The sparsity levels of the sweep (default 5 10 20 40 80; quick 5 20 60)")
        ->check(tut::at_least(1));
    t.setting("--train-images", s.train_images, {20000, 3000}, "Training images");
    t.app().add_option("--lr", s.lr, "Adam's learning rate")->check(tut::above(0));
    return t.run(argc, argv, [&] {
        ks = sweep_levels(ks.empty() ? t.pick<std::vector<std::size_t>>({5, 10, 20, 40, 80}, {5, 20, 60}) : ks, s.hidden);
        const int epochs = t.epochs(10, 6);
        t.step(1, "Fashion-MNIST");
        const tut::FashionMnist data = tut::load_fashion_mnist(t, s.train_images, t.pick<std::size_t>(2000, 1000));
        t.say() << "classes:";
        for (const std::string& c : data.test.class_names) t.say() << " " << c << (c == data.test.class_names.back() ? "\n" : ",");
        step2_model(t, data.test, s, ks.front());
        const std::vector<Trained> sweep = step3_sweep(t, data, ks, s, epochs);
        step4_error_against_k(t, sweep, data.test.images, s);
        bool exact = true;  // the table's fewest..most column, for the result line
        for (const Trained& r : sweep) exact = exact && r.min_nonzeros == r.k && r.max_nonzeros == r.k;
        step5_filters(t, sweep);
        const Trained fixed_k = step6_without_schedule(t, data, sweep.front(), s, epochs);
        t.say() << "\npictures in " << t.out_dir() << "/ (07_k_sparse.md says what each shows)\n";
        std::string k_list, mse_list;
        for (const Trained& r : sweep) {
            k_list += (k_list.empty() ? "" : ",") + std::to_string(r.k);
            mse_list += (mse_list.empty() ? "" : ",") + tut::fixed(r.test_mse, 5);
        }
        t.result({{"hidden", std::to_string(s.hidden)},
                  {"k", k_list},
                  {"test_mse", mse_list},
                  {"exact_k", exact ? "yes" : "no"},
                  {"match_small_k", tut::fixed(sweep.front().image_match, 3)},
                  {"match_large_k", tut::fixed(sweep.back().image_match, 3)},
                  {"dead_small_k", std::to_string(sweep.front().dead)},
                  {"dead_no_schedule", std::to_string(fixed_k.dead)},
                  {"mse_no_schedule", tut::fixed(fixed_k.test_mse, 5)},
                  {"epochs", std::to_string(epochs)}});
    });
}
