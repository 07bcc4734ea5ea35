// Tutorial 17 — the sequence autoencoder (models/sequence_autoencoder.hpp, nn/lstm.hpp): backpropagation
// through time by hand, checked against autograd and central differences; the model on waves and on
// MovieLens users' ratings in time order, against each step's mean; its codes in 2-D; truncated BPTT,
// measured. The program prints; tutorials/17_sequence_autoencoder.md explains.
#include <algorithm>
#include <cmath>
#include <memory>
#include <numeric>
#include <string>
#include <utility>
#include <vector>

#include "autograd/gradcheck.hpp"
#include "autograd/loss.hpp"
#include "autograd/ops.hpp"
#include "data/builtin.hpp"
#include "data/histories.hpp"
#include "data/movies.hpp"
#include "models/sequence_autoencoder.hpp"
#include "nn/adam.hpp"
#include "nn/clip_grad.hpp"
#include "nn/lstm.hpp"
#include "tensor/matmul.hpp"
#include "tutorials/common/codes.hpp"
#include "tutorials/common/epochs.hpp"
#include "tutorials/common/picture.hpp"
#include "tutorials/common/recommend.hpp"
#include "tutorials/common/tutorial.hpp"

using hg::Tensor;
using hg::Var;
using hg::models::SequenceAutoencoder;
using hg::models::SequenceShape;
namespace tut = hg::tutorial;

namespace {

const std::vector<std::string> kBands = {"slow sine", "middle sine", "fast sine"};  // the waves' colours
constexpr std::size_t kWindow = 10;  // ratings per MovieLens window
struct Lab {
    int epochs, rating_epochs;
    std::size_t batch, truncate;  // truncate: step 5's cut, every k encoder steps
    float lr;
    bool default_setting;  // the bounds below are claims about the default recipe only
};

Tensor sigmoid_of(const Tensor& a) { return hg::map(a, [](float v) { return 1.0f / (1.0f + std::exp(-v)); }); }
Tensor tanh_of(const Tensor& a) { return hg::map(a, [](float v) { return std::tanh(v); }); }

// Step 1, BPTT by hand: the gradient of L = ½ Σ_t ‖h_t − y_t‖² with respect to the four gates'
// weights and biases (input, forget, cell, output: w[k] is (hidden x (in + hidden))), by the chain
// rule run backwards through the unrolled steps. cut > 0: the gradient carried from step t back
// to step t − 1 is dropped wherever t is a multiple of cut (truncated BPTT).
std::vector<Tensor> bptt_by_hand(const std::vector<Tensor>& xs, const std::vector<Tensor>& ys,
                                 const std::vector<Tensor>& w, const std::vector<Tensor>& b, std::size_t cut) {
    const std::size_t n = xs[0].rows(), in = xs[0].cols(), hidden = b[0].numel(), steps = xs.size();
    struct Saved { Tensor z, gate[4], c_prev, tanh_c, h; };
    std::vector<Saved> s(steps);
    Tensor h = Tensor::zeros({n, hidden}), c = Tensor::zeros({n, hidden});
    for (std::size_t t = 0; t < steps; ++t) {  // forward, keeping what backward reads
        s[t].z = Tensor::concat({xs[t], h}, 1);
        for (std::size_t k = 0; k < 4; ++k)  // the cell's candidate g (k = 2) is a tanh, the gates sigmoids
            s[t].gate[k] = (k == 2 ? tanh_of : sigmoid_of)(hg::matmul(s[t].z, w[k], false, true) + b[k]);
        s[t].c_prev = c;
        c = s[t].gate[1] * c + s[t].gate[0] * s[t].gate[2];
        s[t].tanh_c = tanh_of(c);
        h = s[t].h = s[t].gate[3] * s[t].tanh_c;
    }
    std::vector<Tensor> grads;  // dW_input, db_input, dW_forget, ...
    for (std::size_t k = 0; k < 4; ++k)
        grads.push_back(Tensor::zeros(w[k].shape())), grads.push_back(Tensor::zeros({hidden}));
    Tensor dh_next = Tensor::zeros({n, hidden}), dc_next = Tensor::zeros({n, hidden});
    for (std::size_t t = steps; t-- > 0;) {
        const Tensor &i = s[t].gate[0], &f = s[t].gate[1], &g = s[t].gate[2], &o = s[t].gate[3];
        const Tensor dh = (s[t].h - ys[t]) + dh_next;  // this step's loss, and every later step's
        const Tensor dc = dc_next + dh * o * (1.0f - s[t].tanh_c * s[t].tanh_c);
        const Tensor da[4] = {dc * g * i * (1.0f - i), dc * s[t].c_prev * f * (1.0f - f),  // the pre-activations
                              dc * i * (1.0f - g * g), dh * s[t].tanh_c * o * (1.0f - o)};
        dh_next = Tensor::zeros({n, hidden}), dc_next = dc * f;
        for (std::size_t k = 0; k < 4; ++k) {
            grads[2 * k] += hg::matmul(da[k], s[t].z, true, false);  // dW_k += da_kᵀ z_t
            grads[2 * k + 1] += hg::sum(da[k], 0);
            // z_t = [x_t, h_{t−1}]: h_{t−1} gets da_k times W_k's last `hidden` columns
            dh_next += hg::matmul(da[k], w[k].transpose().slice_rows(in, in + hidden), false, true);
        }
        if (cut > 0 && t % cut == 0) dh_next.fill(0), dc_next.fill(0);  // truncated BPTT: the cut
    }
    return grads;
}

// The same loss through autograd: nn/lstm.hpp's steps, the state detached at the cuts.
Var unrolled_loss(const std::vector<Tensor>& xs, const std::vector<Tensor>& ys, const std::vector<Var>& p,
                  std::size_t cut) {
    const Tensor zero = Tensor::zeros({xs[0].rows(), p[1].shape()[0]});
    hg::LstmState state{Var::constant(zero), Var::constant(zero)};
    std::vector<Var> inputs, targets;
    for (std::size_t t = 0; t < xs.size(); ++t)
        inputs.push_back(Var::constant(xs[t])), targets.push_back(Var::constant(ys[t]));
    const std::vector<Var> hs = hg::lstm_unroll(inputs, state, {p[0], p[1], p[2], p[3], p[4], p[5], p[6], p[7]}, cut);
    return 0.5f * hg::sum(hg::square(hg::concat(hs, 1) - hg::concat(targets, 1)));
}

void bptt(tut::Tutorial& t) {
    t.step(1, "Backpropagation through time, by hand: 6 steps of an LSTM with 2 inputs and 3 units");
    hg::Rng rng(t.options().seed);
    const std::size_t n = 2, in = 2, hidden = 3, steps = 6, cut = 3;
    std::vector<Tensor> xs, ys, w, b, params;
    for (std::size_t s = 0; s < steps; ++s)
        xs.push_back(Tensor::normal({n, in}, 0, 1, rng)), ys.push_back(Tensor::normal({n, hidden}, 0, 0.5f, rng));
    for (std::size_t k = 0; k < 4; ++k)
        params.push_back(w.emplace_back(Tensor::normal({hidden, in + hidden}, 0, 0.6f, rng))),
            params.push_back(b.emplace_back(Tensor::normal({hidden}, 0, 0.3f, rng)));
    auto by_autograd = [&](std::size_t k) {
        std::vector<Var> p;
        for (const Tensor& v : params) p.push_back(Var::parameter(v));
        unrolled_loss(xs, ys, p, k).backward();
        std::vector<Tensor> g;
        for (const Var& v : p) g.push_back(v.grad());
        return g;
    };
    auto worst = [](const std::vector<Tensor>& a, const std::vector<Tensor>& b) {  // the largest |difference|
        float d = 0;
        for (std::size_t i = 0; i < a.size(); ++i) d = std::max(d, hg::max_abs_diff(a[i], b[i]));
        return d;
    };
    const std::vector<Tensor> hand = bptt_by_hand(xs, ys, w, b, 0), hand_cut = bptt_by_hand(xs, ys, w, b, cut);
    const float full_gap = worst(hand, by_autograd(0)), cut_gap = worst(hand_cut, by_autograd(cut));
    const hg::GradCheckResult numeric =
        hg::gradcheck([&](const std::vector<Var>& p) { return unrolled_loss(xs, ys, p, 0); }, params);
    t.say() << "largest |hand − autograd| over the 8 weights and biases: " << tut::scientific(full_gap, 2)
            << "\nautograd against central differences: the worst element uses " << tut::fixed(numeric.worst_ratio, 3)
            << " of the tolerance\ncut every " << cut << " steps: |hand − autograd with detach()| "
            << tut::scientific(cut_gap, 2) << "; the cut changes the gradient by up to "
            << tut::fixed(worst(hand, hand_cut), 4) << "\n";
    t.check(full_gap < 1e-4f, "the hand-derived BPTT equals autograd (to 1e-4)");
    t.check(numeric.ok, "autograd's gradient of the unrolled LSTM matches central differences");
    t.check(cut_gap < 1e-4f && worst(hand, hand_cut) > 1e-3f,
            "detach() every 3 steps is the hand-derived truncated BPTT, and differs from the full gradient");
}

// ---- Training and measuring, shared by the waves and the ratings ----

struct Fit {
    double test_mse = 0, epoch_seconds = 0;
    Tensor rebuilt;  // the held-out sequences, reconstructed
};

struct Run {  // one data set, its model and what was measured
    std::string name, dataset;  // "waves" or "ratings"; for the ratings "ml-100k" or "synthetic"
    Tensor x, x_test;
    std::vector<int> test_group;  // the colours of the code plot
    SequenceShape shape;
    int epochs = 0;
    std::unique_ptr<SequenceAutoencoder> model;
    double baseline = 0, ratio = 0;  // the step means' MSE; the neighbours' ratio (see neighbours())
    Fit fit;
};

// The model's output, and its codes, without building a graph.
Tensor reconstruct(SequenceAutoencoder& m, const Tensor& x) { hg::NoGradGuard g; return m(Var::constant(x)).value(); }
Tensor encode(SequenceAutoencoder& m, const Tensor& x) { hg::NoGradGuard g; return m.encode(Var::constant(x)).value(); }
double mse_of(const Tensor& a, const Tensor& b) { return hg::mean(hg::square(a - b)).item(); }

Fit train(tut::Tutorial& t, const std::string& label, SequenceAutoencoder& model, const Run& r, const Lab& lab) {
    hg::Adam opt(model.parameters(), hg::AdamOptions(lab.lr));
    tut::EpochLoop loop(t, label, r.x, lab.batch, r.epochs, t.options().seed);
    Fit fit;
    while (loop.next_epoch()) {
        for (const tut::Batch& b : loop.batches()) {
            Var loss = hg::mse(model(b.x), b.x);
            opt.zero_grad();
            loss.backward();
            hg::clip_grad_norm(model.parameters(), 1.0f);
            opt.step();
            loop.add(loss);
        }
        fit.rebuilt = reconstruct(model, r.x_test);
        fit.test_mse = mse_of(fit.rebuilt, r.x_test);
        loop.report("train MSE " + tut::fixed(loop.mean_loss(), 4) + "  test MSE " + tut::fixed(fit.test_mse, 4));
    }
    fit.epoch_seconds = loop.median_epoch_seconds();
    return fit;
}

// Builds r's model, trains it, and compares it with predicting each step's mean training value.
void train_model(tut::Tutorial& t, Run& r, const Lab& lab) {
    r.baseline = mse_of(Tensor::zeros(r.x_test.shape()) + hg::mean(r.x, 0), r.x_test);
    hg::Rng init(t.options().seed);
    r.model = std::make_unique<SequenceAutoencoder>(r.shape, init);
    t.say() << *r.model << "\nAdam (lr " << lab.lr << "), batch " << lab.batch << ", " << r.epochs
            << " epochs, the gradient's norm clipped at 1\n";
    r.fit = train(t, r.name, *r.model, r, lab);
    t.say() << "held-out MSE " << tut::fixed(r.fit.test_mse, 4) << "; the baseline (each step's mean) "
            << tut::fixed(r.baseline, 4) << ": a ratio of " << tut::fixed(r.fit.test_mse / r.baseline, 3) << "\n";
    if (lab.default_setting)  // --quick trains for seconds: a looser bound, that still fails if nothing is learnt
        t.check(r.fit.test_mse <= t.pick(0.5, 0.8) * r.baseline, "the autoencoder reaches at most " +
                std::string(t.pick("half", "0.8 (--quick; the full run: half)")) + " of the baseline's MSE");
}

// The held-out codes in their plane of largest variance (a scatter plot), and how alike
// sequences with neighbouring codes are, against pairs taken without looking (codes.hpp).
double neighbours(tut::Tutorial& t, SequenceAutoencoder& model, const Run& r, const std::vector<std::string>& groups,
                  const std::string& file) {
    const tut::CodeLook look = tut::look_at_codes(encode(model, r.x_test), r.x_test, r.test_group);
    tut::write_svg_scatter(t.out_dir() + "/" + file, "held-out codes, first two eigenvectors", look.plane, groups);
    t.say() << file << ": the plane holds " << tut::fixed(100 * look.plane_share, 1) << "% of the codes' variance\n"
            << "sequences with the nearest codes differ by MSE " << tut::fixed(look.neighbour_mse, 4)
            << ", pairs taken without looking by " << tut::fixed(look.random_mse, 4) << ": ratio "
            << tut::fixed(look.ratio(), 3) << "\n";
    return look.ratio();
}

// Step 2: waves, the model trained, three reconstructions drawn.
Run wave_model(tut::Tutorial& t, const Lab& lab, std::size_t sequences) {
    t.step(2, "Waves: sums of a sine and a saw-tooth, random phase and frequency, 32 steps");
    Run r;
    r.name = "waves", r.dataset = "synthetic", r.epochs = lab.epochs;
    r.shape = {.features = 1, .steps = 32, .code = 16, .hidden = 64};
    hg::Rng rng(t.options().seed);
    r.x = hg::data::waves(sequences, 32, rng).x;
    hg::data::Waves held_out = hg::data::waves(t.pick<std::size_t>(1000, 300), 32, rng);
    r.x_test = std::move(held_out.x), r.test_group = std::move(held_out.band);
    t.say() << r.x.rows() << " training and " << r.x_test.rows() << " held-out waves (data/builtin.hpp)\n";
    train_model(t, r, lab);
    std::vector<tut::Curve> shown;
    for (std::size_t k = 0; k < 6; ++k) {  // three held-out waves and their reconstructions, 3 units apart
        const Tensor& from = k % 2 == 0 ? r.x_test : r.fit.rebuilt;
        shown.push_back({(k % 2 == 0 ? "input " : "rebuilt ") + std::to_string(k / 2 + 1), {}});
        for (std::size_t s = 0; s < 32; ++s) shown.back().y.push_back(from[k / 2 * 32 + s] + 3.0 * (k / 2));
    }
    tut::write_svg_curves(t.out_dir() + "/waves.svg", "held-out waves, rebuilt", "step", "value", shown);
    return r;
}

// Step 3: the waves' codes, against those of the same encoder untrained.
void wave_codes(tut::Tutorial& t, Run& r) {
    t.step(3, "The waves' codes: a plane, and neighbours");
    r.ratio = neighbours(t, *r.model, r, kBands, "codes_waves.svg");
    hg::Rng init(t.options().seed);
    SequenceAutoencoder untrained(r.shape, init);  // as step 2's model was before training
    const double before = neighbours(t, untrained, r, kBands, "codes_untrained.svg");
    t.check(r.ratio < 0.5 && r.ratio < 0.8 * before, "waves whose codes are neighbours look alike: ratio under 0.5, "
            "and under 0.8 x the untrained encoder's");
}

// Step 4: MovieLens users' rating windows, the model trained, a window shown, the codes.
Run rating_model(tut::Tutorial& t, const Lab& lab, std::size_t max_windows) {
    t.step(4, "MovieLens: each user's ratings in time order, " + std::to_string(kWindow) + " ratings per window");
    const tut::Ratings d = tut::load_ratings(t);
    Run r;
    r.name = "ratings", r.dataset = d.name, r.shape = {.features = 20, .steps = kWindow, .code = 64, .hidden = 128};
    r.epochs = lab.rating_epochs;
    std::vector<hg::data::Rating> all = d.split.train.ratings;  // u1.base + u1.test: all of u.data
    all.insert(all.end(), d.split.test.ratings.begin(), d.split.test.ratings.end());
    const auto histories = hg::data::user_histories(all, d.split.train.n_users());
    const Tensor mix = hg::data::genre_mix(d.movies, d.split.train.items);
    const auto [fit, held_out] = hg::data::split_users(histories.size(), 0.2, t.options().seed);
    r.x = hg::data::rating_windows(histories, fit, mix, kWindow, max_windows);
    r.x_test = hg::data::rating_windows(histories, held_out, mix, kWindow, max_windows);
    for (std::size_t i = 0; i < r.x_test.rows(); ++i) {  // colour by the window's mean rating
        double stars = 0;
        for (std::size_t s = 0; s < kWindow; ++s) stars += (3 + 2 * r.x_test[(i * kWindow + s) * 20]) / kWindow;
        r.test_group.push_back(stars < 3.3 ? 0 : stars < 4 ? 1 : 2);
    }
    t.say() << r.x.rows() << " training windows, " << r.x_test.rows() << " from held-out users; a step is 20 numbers:"
            << " (stars − 3)/2, and the movie's 19 genres with 1/k on each of its k\n";
    train_model(t, r, lab);
    const std::vector<std::string>& names = hg::data::movielens_100k_genres();
    for (const Tensor* seq : {&r.x_test, &r.fit.rebuilt}) {  // the first held-out window: stars and top genre
        t.say() << (seq == &r.x_test ? "  input: " : "rebuilt: ");
        for (const float* step = seq->data(); step < seq->data() + kWindow * 20; step += 20)
            t.say() << tut::fixed(3 + 2 * step[0], 1) << "★ "
                    << names[std::max_element(step + 1, step + 20) - step - 1].substr(0, 5) << " ";
        t.say() << "\n";
    }
    r.ratio = neighbours(t, *r.model, r, {"mean < 3.3 stars", "3.3 to 4", "4 and up"}, "codes_movielens.svg");
    t.check(r.ratio < t.pick(0.7, 0.9), "windows whose codes are neighbours look alike: ratio under " +
            std::string(t.pick("0.7", "0.9 (--quick: a looser bound)")));
    return r;
}

// Step 5, for one data set: the model trained again with the encoder's state detached
// every k steps; the held-out error at each step, against the full BPTT's.
double truncated(tut::Tutorial& t, const Run& r, const Lab& lab) {
    hg::Rng init(t.options().seed);
    SequenceAutoencoder model(r.shape, init);
    model.truncate_every = lab.truncate;
    const Fit cut = train(t, r.name + ", cut", model, r, lab);
    auto per_step = [&](const Tensor& rebuilt) {
        const Tensor column = hg::mean(hg::square(rebuilt - r.x_test), 0);
        std::vector<double> e(r.shape.steps, 0.0);
        for (std::size_t j = 0; j < column.numel(); ++j) e[j / r.shape.features] += column[j] / r.shape.features;
        return e;
    };
    const std::vector<double> full = per_step(r.fit.rebuilt), cut_off = per_step(cut.rebuilt);
    const std::size_t early = (r.shape.steps - 1) / lab.truncate * lab.truncate;  // the steps before the last cut
    auto mean_early = [&](const std::vector<double>& e) { return std::reduce(e.begin(), e.begin() + early) / early; };
    t.say() << r.name << ": held-out MSE " << tut::fixed(cut.test_mse, 4) << " cut, " << tut::fixed(r.fit.test_mse, 4)
            << " full; over the first " << early << " steps " << tut::fixed(mean_early(cut_off), 4) << " cut, "
            << tut::fixed(mean_early(full), 4) << " full\n";
    tut::write_svg_curves(t.out_dir() + "/truncation_" + r.name + ".svg", r.name + ": held-out MSE at each step",
                          "step", "MSE", {{"full BPTT", full}, {"cut every " + std::to_string(lab.truncate), cut_off}});
    return mean_early(cut_off) / mean_early(full);
}

}  // namespace

int main(int argc, char** argv) {
    tut::Tutorial t("17_sequence_autoencoder", "The sequence autoencoder: LSTMs and backpropagation through time");
    std::size_t sequences = 0, windows = 0, truncate = 5;
    float lr = 3e-3f;
    t.setting("--sequences", sequences, {4000, 1000}, "Training waves")->check(tut::between(50, 100000));
    t.setting("--windows", windows, {100000, 1000}, "Rating windows per part, at most")->check(tut::between(50, 100000));
    t.app().add_option("--lr", lr, "Adam's learning rate (default 3e-3)")->check(tut::above(0));
    t.app().add_option("--truncate", truncate, "Step 5: cut every k steps (default 5)")->check(tut::between(1, 9));
    return t.run(argc, argv, [&] {
        bptt(t);
        const Lab lab{t.epochs(25, 6), t.epochs(25, 12), 32, truncate, lr,
                      t.default_setting({"--sequences", "--windows", "--lr", "--truncate"})};
        Run waves = wave_model(t, lab, sequences);
        wave_codes(t, waves);
        const Run ratings = rating_model(t, lab, windows);

        t.step(5, "Truncated backpropagation through time: the encoder's state detached every " +
                      std::to_string(truncate) + " steps");
        const double wave_cut = truncated(t, waves, lab), rating_cut = truncated(t, ratings, lab);
        if (t.options().quick) t.say() << "(--quick learns no step's detail, cut or not: the full run checks this)\n";
        else if (lab.default_setting)
            t.check(rating_cut > 1.5, "cut, the ratings' early steps are rebuilt worse: over 1.5 x full BPTT's error");

        t.step(6, "Summary");
        t.say_files({{"waves.svg", "three held-out waves and their reconstructions"},
                     {"codes_waves.svg", "the waves' codes on their first two eigenvectors, by the sine's frequency"},
                     {"codes_untrained.svg", "the same for the untrained encoder"},
                     {"codes_movielens.svg", "the held-out rating windows' codes, by their mean rating"},
                     {"truncation_waves.svg", "the held-out MSE at each step, full and truncated BPTT"},
                     {"truncation_ratings.svg", "the same for the rating windows"}});
        t.result({{"dataset", ratings.dataset}, {"recon_mse_synthetic", tut::fixed(waves.fit.test_mse, 4)},
                  {"mean_baseline_mse_synthetic", tut::fixed(waves.baseline, 4)},
                  {"recon_mse_movielens", tut::fixed(ratings.fit.test_mse, 4)},
                  {"mean_baseline_mse_movielens", tut::fixed(ratings.baseline, 4)},
                  {"neighbour_ratio_synthetic", tut::fixed(waves.ratio, 3)},
                  {"neighbour_ratio_movielens", tut::fixed(ratings.ratio, 3)},
                  {"truncated_early_ratio_synthetic", tut::fixed(wave_cut, 3)},
                  {"truncated_early_ratio_movielens", tut::fixed(rating_cut, 3)},
                  {"epochs", std::to_string(lab.epochs)}, {"rating_epochs", std::to_string(lab.rating_epochs)},
                  {"windows", std::to_string(ratings.x.rows())},
                  {"epoch_seconds", tut::fixed(waves.fit.epoch_seconds, 3)}});
    });
}
