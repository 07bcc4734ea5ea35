// Tutorial 18 — GLocal-K: an item-based autoencoder whose weights are switched on and off by a
// local kernel, and whose input is smoothed by a global kernel (Han et al. 2021;
// models/kernel_recommender.hpp). Pre-training and fine-tuning with full-batch L-BFGS
// (nn/lbfgs.hpp), as in the paper; the iteration counts and a blend with tutorial 14's models
// chosen on a validation split; then the test ratings once, and recommendations. The program
// prints; tutorials/18_kernel_recommender.md explains (the maths, what was tried, the numbers).
#include <algorithm>
#include <cmath>
#include <functional>
#include <string>
#include <vector>

#include "autograd/ops.hpp"
#include "data/baselines.hpp"
#include "models/autorec.hpp"
#include "models/kernel_recommender.hpp"
#include "nn/lbfgs.hpp"
#include "nn/rprop.hpp"
#include "tutorials/common/recommend.hpp"
#include "tutorials/common/tutorial.hpp"

using hg::Tensor;
using hg::Var;
using hg::data::Rating;
using hg::models::KernelRecommender;
using Inputs = hg::models::AutoRecInputs;
namespace tut = hg::tutorial;

namespace {

// What the runs share: the data's shape and scale, the validation split, the timings.
struct Lab {
    tut::Tutorial& t;
    std::size_t n_users, n_items;
    float lo, hi;
    hg::data::Split fit_val;  // 10% of the training ratings held out for validation (as tutorial 14)
    int every = 10;           // score the validation ratings every this many iterations
    std::vector<double> pre_seconds, fine_seconds;  // one L-BFGS iteration each
    const std::vector<Rating>& val() const { return fit_val.test.ratings; }
    double val_rmse_of(const std::vector<float>& p) const {
        double se = 0;
        for (std::size_t k = 0; k < p.size(); ++k) se += (p[k] - val()[k].rating) * (p[k] - val()[k].rating);
        return std::sqrt(se / static_cast<double>(p.size()));
    }
    std::vector<float> on_val(const Inputs& in, const Tensor& table) const {
        std::vector<float> p;
        for (const Rating& r : val()) p.push_back(in.predict(table, r.user, r.item));
        return p;
    }
};

// A stage's validation run: the RMSE every lab.every iterations; the best count and its
// predictions on the validation ratings.
struct Curve {
    std::vector<double> rmse;
    int best_iterations = 0;
    std::vector<float> best_predictions;
    double best() const { return *std::min_element(rmse.begin(), rmse.end()); }
};

// `iterations` L-BFGS iterations of the model's current stage on `in`; each(it) after each.
void lbfgs(Lab& lab, KernelRecommender& model, const Inputs& in, int iterations, const std::function<void(int)>& each,
           std::vector<double>& seconds) {
    hg::Lbfgs opt(model.parameters());
    const Var input = Var::constant(in.ratings), target = Var::constant(in.target);
    for (int it = 1; it <= iterations; ++it) {
        const double start = lab.t.seconds();
        opt.step([&] { return hg::models::kernel_recommender_loss(model, input, target, in.observed); });
        seconds.push_back(lab.t.seconds() - start);
        each(it);
    }
}

std::vector<Tensor> snapshot(const KernelRecommender& model) {
    std::vector<Tensor> values;
    for (const Var& v : model.parameters()) values.push_back(v.value());
    return values;
}
void restore(KernelRecommender& model, const std::vector<Tensor>& values) {
    std::vector<Var> params = model.parameters();
    for (std::size_t k = 0; k < params.size(); ++k) params[k].mutable_value() = values[k];
}

// Train a stage on the fit ratings for up to `most` iterations, keep the parameters of the
// best validation checkpoint (they are put back at the end).
Curve stage_on_validation(Lab& lab, KernelRecommender& model, const Inputs& fit, int most, const std::string& label,
                          std::vector<double>& seconds) {
    Curve c;
    std::vector<Tensor> best;
    tut::Progress progress(lab.t, label + ", iteration", most);
    lbfgs(lab, model, fit, most, [&](int it) {
        if (it % lab.every != 0 && it != most) return;
        const std::vector<float> p = lab.on_val(fit, hg::models::predict_table(model, fit, lab.lo, lab.hi));
        c.rmse.push_back(lab.val_rmse_of(p));
        if (c.rmse.back() <= c.best()) c.best_iterations = it, c.best_predictions = p, best = snapshot(model);
        progress.update(it, "validation RMSE " + tut::fixed(c.rmse.back(), 4));
    }, seconds);
    progress.finish();
    restore(model, best);
    return c;
}

// The fraction of a layer's kernel entries that are exactly 0 (weights switched off).
std::string kernel_zeros(const KernelRecommender& model) {
    std::string s;
    for (const auto& layer : model.layers) {
        const Tensor k = layer->kernel().value();
        std::size_t zeros = 0;
        for (std::size_t i = 0; i < k.numel(); ++i) zeros += k[i] == 0.0f;
        s += (s.empty() ? "" : ", ") + tut::fixed(100.0 * static_cast<double>(zeros) / static_cast<double>(k.numel()), 1) + "%";
    }
    return s;
}

struct Chosen {
    int pre = 0, fine = 0, item_epochs = 0, user_epochs = 0;
    std::string start = "none";  // fine-tuning's start: none (pre-training only), paper, identity
    double val_pre = 0, val_fine = 0, val_item = 0, val_user = 0, val_bias = 0, val_blend = 0;
    std::vector<double> weights;  // GLocal-K, I-AutoRec, U-AutoRec, the bias baseline
    std::string val_glocal_each;  // with --seeds N > 1: GLocal-K's validation RMSE from each start, a/b/...
};

// Tutorial 14's recipe (residuals on the bias baseline, λ = 200, masking noise 0.1, 500 units,
// full-batch Rprop), item- or user-based, from `seed`; each(e, table) every 5 epochs and after the last.
void autorec(const Lab& lab, const Inputs& in, int epochs, std::uint64_t seed,
             const std::function<void(int, const Tensor&)>& each) {
    hg::Rng rng(seed);
    hg::models::AutoRec model(in.ratings.shape()[1], 500, 0.1f, rng);
    hg::Rprop opt(model.parameters(), hg::models::autorec_rprop());
    const Var input = Var::constant(in.ratings), target = Var::constant(in.target);
    for (int e = 1; e <= epochs; ++e) {
        opt.zero_grad();
        hg::models::autorec_loss(model, input, target, in.observed, 200).backward();
        opt.step();
        if (e % 5 == 0 || e == epochs) each(e, hg::models::predict_table(model, in, lab.lo, lab.hi));
    }
}

// The best checkpoint of an AutoRec's validation run.
std::pair<int, std::vector<float>> best_autorec(Lab& lab, const Inputs& fit, int epochs, double& best_rmse) {
    std::pair<int, std::vector<float>> best{0, {}};
    best_rmse = INFINITY;
    autorec(lab, fit, epochs, lab.t.options().seed, [&](int e, const Tensor& table) {
        std::vector<float> p = lab.on_val(fit, table);
        const double r = lab.val_rmse_of(p);
        if (r < best_rmse) best_rmse = r, best = {e, std::move(p)};
    });
    return best;
}

// GLocal-K trained on `in` from `seed` with the chosen counts and start; its predictions.
Tensor glocal_table(Lab& lab, const hg::models::KernelRecommenderSettings& s, const Inputs& in, const Chosen& c,
                    std::uint64_t seed) {
    hg::Rng rng(seed);
    KernelRecommender model(lab.n_items, lab.n_users, s, rng);
    tut::Progress progress(lab.t, "GLocal-K (seed " + std::to_string(seed) + "), iteration", c.pre + c.fine);
    lbfgs(lab, model, in, c.pre, [&](int it) { if (it % 10 == 0) progress.update(it, "pre-training"); }, lab.pre_seconds);
    model.settings.identity_start = c.start == "identity";
    if (c.fine > 0) model.start_fine_tuning(in.ratings);
    lbfgs(lab, model, in, c.fine, [&](int it) { if (it % 10 == 0) progress.update(c.pre + it, "fine-tuning"); },
          lab.fine_seconds);
    progress.finish();
    return hg::models::predict_table(model, in, lab.lo, lab.hi);
}

// An AutoRec trained on `in` from `seed` for `epochs`; its predictions.
Tensor autorec_table(const Lab& lab, const Inputs& in, int epochs, std::uint64_t seed) {
    Tensor table;
    autorec(lab, in, epochs, seed, [&](int e, const Tensor& t) { if (e == epochs) table = t; });
    return table;
}

}  // namespace

int main(int argc, char** argv) {
    tut::Tutorial t("18_kernel_recommender", "GLocal-K: local and global kernels for an autoencoder recommender (Han et al. 2021)");
    tut::RecommendSettings who;
    hg::models::KernelRecommenderSettings s;
    int pre_most = 0, fine_most = 0, autorec_most = 0, seeds = 1;
    who.add_flags(t);
    t.setting("--hidden", s.hidden, {std::size_t{500}, std::size_t{40}}, "Units of each hidden kernel layer (the paper: 500)")
        ->check(tut::at_least(1));
    t.app().add_option("--lambda-2", s.lambda_2, "The weight penalty λ₂ (the paper: 20)")->check(tut::at_least(0));
    t.app().add_option("--lambda-s", s.lambda_s, "The kernel penalty λ_s (the paper: 0.006)")->check(tut::at_least(0));
    t.setting("--pre", pre_most, {200, 10}, "Pre-training: the most L-BFGS iterations to try on the validation split")
        ->check(tut::at_least(1));
    t.setting("--fine", fine_most, {200, 10}, "Fine-tuning: the most L-BFGS iterations to try on the validation split")
        ->check(tut::at_least(1));
    t.setting("--autorec-epochs", autorec_most, {100, 10}, "The most Rprop epochs of the AutoRec partners")->check(tut::at_least(1));
    t.app().add_option("--seeds", seeds, "Train each model from this many random starts (--seed, --seed + 1, ...) and average "
                       "their predictions; the counts are chosen with the first")->check(tut::at_least(1));
    return t.run(argc, argv, [&] {
        t.step(1, "Each movie is a vector of its users' ratings; a validation split");
        const tut::Ratings d = tut::load_ratings(t, who.fold);
        tut::require_user(d, who.user);  // before the training, not after
        const std::size_t n_users = d.split.train.n_users(), n_items = d.split.train.n_items();
        Lab lab{t, n_users, n_items, d.split.train.scale.min, d.split.train.scale.max,
                hg::data::random_split(d.split.train, 0.1, t.options().seed), t.pick(10, 5), {}, {}};
        const Inputs fit = Inputs::from(lab.fit_val.train.ratings, n_users, n_items, true, false);
        t.say() << "the items x users matrix: " << fit.ratings.shape().str() << "; fit on " << lab.fit_val.train.size()
                << " ratings, validate on " << lab.val().size() << ", test on " << d.split.test.size() << " (untouched until step 6)\n";
        t.check(lab.val().size() > 0 && d.split.test.size() > 0, "the validation and test ratings are there");

        t.step(2, "The model: three kernel layers, and the global kernel for fine-tuning");
        hg::Rng rng(t.options().seed);
        KernelRecommender model(n_items, n_users, s, rng);
        t.say() << model << "\n";
        t.say() << "kernel entries exactly 0 at the start, per layer: " << kernel_zeros(model)
                << " (the points start within 0.001 of each other, so K ≈ 1: a plain network)\n";

        t.step(3, "Pre-training: the local network alone, full-batch L-BFGS");
        Chosen c;
        const Curve pre = stage_on_validation(lab, model, fit, pre_most, "pre-training", lab.pre_seconds);
        c.pre = pre.best_iterations, c.val_pre = pre.best();
        t.say() << "validation RMSE every " << lab.every << " iterations:";
        for (double r : pre.rmse) t.say() << " " << tut::fixed(r, 4);
        t.say() << "\nchosen: " << c.pre << " iterations (validation RMSE " << tut::fixed(c.val_pre, 4)
                << "); kernel entries exactly 0 now: " << kernel_zeros(model) << "\n";

        t.step(4, "Fine-tuning through the global kernel, from two starts");
        const std::vector<Tensor> pre_trained = snapshot(model);
        std::vector<Tensor> chosen = pre_trained;
        c.val_fine = c.val_pre;
        std::vector<float> p_glocal = pre.best_predictions;
        for (const bool identity : {false, true}) {
            restore(model, pre_trained);
            model.settings.identity_start = identity;
            model.start_fine_tuning(fit.ratings);
            const Curve fine = stage_on_validation(lab, model, fit, fine_most, identity ? "identity start" : "paper's start",
                                                   lab.fine_seconds);
            t.say() << (identity ? "the identity start" : "the paper's start") << ", validation RMSE every " << lab.every << " iterations:";
            for (double r : fine.rmse) t.say() << " " << tut::fixed(r, 4);
            t.say() << "\n";
            if (fine.best() < c.val_fine)
                c.val_fine = fine.best(), c.fine = fine.best_iterations, c.start = identity ? "identity" : "paper",
                p_glocal = fine.best_predictions, chosen = snapshot(model);
        }
        restore(model, chosen);
        if (c.fine == 0) {
            t.say() << "chosen: no fine-tuning (neither start beat the pre-trained model's " << tut::fixed(c.val_pre, 4) << ")\n";
        } else {
            hg::NoGradGuard no_grad;
            const Tensor k = hg::models::global_kernel(model.local(Var::constant(fit.ratings)), model.g, s.dot_scale).value();
            t.say() << "chosen: the " << c.start << " start, " << c.fine << " iterations (validation RMSE " << tut::fixed(c.val_fine, 4)
                    << "); its global kernel: " << k.reshape({s.kernel_size, s.kernel_size}) << "\n";
        }

        t.step(5, "A blend with tutorial 14's models, its weights fitted on the validation ratings");
        const Inputs fit_item = Inputs::from(lab.fit_val.train.ratings, n_users, n_items, true, true);
        const Inputs fit_user = Inputs::from(lab.fit_val.train.ratings, n_users, n_items, false, true);
        auto [item_epochs, p_item] = best_autorec(lab, fit_item, autorec_most, c.val_item);
        auto [user_epochs, p_user] = best_autorec(lab, fit_user, autorec_most, c.val_user);
        c.item_epochs = item_epochs, c.user_epochs = user_epochs;
        if (seeds > 1) {
            // Every model again from seeds --seed, --seed + 1, ... at the chosen counts (the
            // first repeats the run above), its predictions averaged: step 6's ensemble, on the fit ratings.
            const std::uint64_t seed = t.options().seed;
            const Tensor glocal = tut::mean_over_seeds(seeds, seed, [&](std::uint64_t k) {
                const Tensor table = glocal_table(lab, s, fit, c, k);
                c.val_glocal_each += (k == seed ? "" : "/") + tut::fixed(lab.val_rmse_of(lab.on_val(fit, table)), 4);
                return table;
            });
            p_glocal = lab.on_val(fit, glocal);
            p_item = lab.on_val(fit_item, tut::mean_over_seeds(seeds, seed, [&](std::uint64_t k) {
                return autorec_table(lab, fit_item, c.item_epochs, k);
            }));
            p_user = lab.on_val(fit_user, tut::mean_over_seeds(seeds, seed, [&](std::uint64_t k) {
                return autorec_table(lab, fit_user, c.user_epochs, k);
            }));
            c.val_fine = lab.val_rmse_of(p_glocal), c.val_item = lab.val_rmse_of(p_item), c.val_user = lab.val_rmse_of(p_user);
            t.say() << "GLocal-K's validation RMSE from each of " << seeds << " seeds: " << c.val_glocal_each << "; averaged: "
                    << tut::fixed(c.val_fine, 4) << " (the AutoRecs averaged the same way)\n";
        }
        const hg::data::BiasModel fit_bias = hg::data::BiasModel::fit(lab.fit_val.train.ratings, n_users, n_items);
        std::vector<float> p_bias;
        for (const Rating& r : lab.val()) p_bias.push_back(std::clamp(fit_bias.predict(r.user, r.item), lab.lo, lab.hi));
        c.val_bias = lab.val_rmse_of(p_bias);
        const std::vector<std::vector<float>> parts = {p_glocal, p_item, p_user, p_bias};
        c.weights = tut::blend_weights(parts, lab.val());
        std::vector<float> blend(lab.val().size(), 0.0f);
        for (std::size_t k = 0; k < parts.size(); ++k)
            for (std::size_t j = 0; j < blend.size(); ++j) blend[j] += static_cast<float>(c.weights[k]) * parts[k][j];
        c.val_blend = lab.val_rmse_of(blend);
        const char* names[] = {"GLocal-K", "I-AutoRec", "U-AutoRec", "μ + b_u + b_i"};
        const double alone[] = {c.val_fine, c.val_item, c.val_user, c.val_bias};
        t.say() << "validation RMSE alone, and the blend weight:\n";
        for (std::size_t k = 0; k < parts.size(); ++k)
            t.say() << tut::right(names[k], 16) << tut::right(tut::fixed(alone[k], 4), 9) << tut::right(tut::fixed(c.weights[k], 3), 9) << "\n";
        t.say() << "the blend: validation RMSE " << tut::fixed(c.val_blend, 4) << " (I-AutoRec after " << c.item_epochs
                << " epochs, U-AutoRec after " << c.user_epochs << ")\n";
        t.check(c.val_blend <= c.val_fine + 1e-6, "the least-squares blend is no worse than GLocal-K alone on the ratings it was fitted to");

        t.step(6, "Retrain everything on all training ratings with the chosen counts; score the test ratings once");
        const std::vector<Rating>& train = d.split.train.ratings;
        const Inputs all = Inputs::from(train, n_users, n_items, true, false);
        const Inputs all_item = Inputs::from(train, n_users, n_items, true, true);
        const Inputs all_user = Inputs::from(train, n_users, n_items, false, true);
        const std::uint64_t seed = t.options().seed;
        const Tensor glocal = tut::mean_over_seeds(seeds, seed, [&](std::uint64_t k) { return glocal_table(lab, s, all, c, k); });
        const Tensor item = tut::mean_over_seeds(seeds, seed, [&](std::uint64_t k) { return autorec_table(lab, all_item, c.item_epochs, k); });
        const Tensor user = tut::mean_over_seeds(seeds, seed, [&](std::uint64_t k) { return autorec_table(lab, all_user, c.user_epochs, k); });
        const hg::data::BiasModel bias = hg::data::BiasModel::fit(train, n_users, n_items);
        auto blended = [&](std::uint32_t u, std::uint32_t i) {
            const float b = std::clamp(bias.predict(u, i), lab.lo, lab.hi);
            const double p = c.weights[0] * all.predict(glocal, u, i) + c.weights[1] * all_item.predict(item, u, i) +
                             c.weights[2] * all_user.predict(user, u, i) + c.weights[3] * b;
            return std::clamp(static_cast<float>(p), lab.lo, lab.hi);
        };
        const double test_glocal = all.rmse(d.split.test.ratings, glocal);
        const double test_rmse = hg::data::rmse(d.split.test.ratings, blended);
        const double test_bias = hg::data::rmse(d.split.test.ratings, [&](std::uint32_t u, std::uint32_t i) {
            return std::clamp(bias.predict(u, i), lab.lo, lab.hi);
        });
        const double test_mean = hg::data::rmse(d.split.test.ratings, [&](std::uint32_t, std::uint32_t i) { return all.item_mean[i]; });
        t.say() << "global test RMSE " << tut::fixed(test_rmse, 4) << " (GLocal-K alone: " << tut::fixed(test_glocal, 4)
                << "; μ + b_u + b_i: " << tut::fixed(test_bias, 4) << "; the per-item mean: " << tut::fixed(test_mean, 4) << ")\n";
        if (d.name == "ml-100k" && who.fold == "u1")
            t.say() << "published on u1.test, ratings only: GLocal-K 0.8889 (the best of its test curve), IGMC 0.905, GC-MC 0.910; "
                       "tutorial 14: 0.8929\n";
        t.check(test_rmse < test_mean, "the blend beats the per-item mean on the test ratings");

        t.step(7, "Recommendations");
        tut::recommend(t, d, who, [&](std::size_t u, std::size_t i) {
            return blended(static_cast<std::uint32_t>(u), static_cast<std::uint32_t>(i));
        });
        auto median = [](std::vector<double> v) { std::sort(v.begin(), v.end()); return v[v.size() / 2]; };
        const double pre_s = median(lab.pre_seconds), fine_s = median(lab.fine_seconds);
        t.say() << "median L-BFGS iteration: pre-training " << tut::fixed(pre_s, 3) << " s, fine-tuning " << tut::fixed(fine_s, 3)
                << " s (one or more loss evaluations each)\n";
        std::vector<std::pair<std::string, std::string>> result = {
                  {"dataset", d.name}, {"fold", who.fold}, {"test_rmse", tut::fixed(test_rmse, 4)},
                  {"test_rmse_glocal", tut::fixed(test_glocal, 4)}, {"bias_rmse", tut::fixed(test_bias, 4)},
                  {"val_rmse", tut::fixed(c.val_blend, 4)}, {"val_rmse_glocal", tut::fixed(c.val_fine, 4)},
                  {"val_rmse_pre", tut::fixed(c.val_pre, 4)}, {"val_rmse_item", tut::fixed(c.val_item, 4)},
                  {"val_rmse_user", tut::fixed(c.val_user, 4)}, {"pre_iterations", std::to_string(c.pre)},
                  {"fine_iterations", std::to_string(c.fine)}, {"fine_start", c.start}, {"item_epochs", std::to_string(c.item_epochs)},
                  {"user_epochs", std::to_string(c.user_epochs)}, {"w_glocal", tut::fixed(c.weights[0], 3)},
                  {"w_item", tut::fixed(c.weights[1], 3)}, {"w_user", tut::fixed(c.weights[2], 3)},
                  {"w_bias", tut::fixed(c.weights[3], 3)}, {"hidden", std::to_string(s.hidden)}, {"seeds", std::to_string(seeds)},
                  {"epoch_seconds", tut::fixed(pre_s, 4)}, {"fine_epoch_seconds", tut::fixed(fine_s, 4)}};
        if (seeds > 1) result.emplace_back("val_rmse_glocal_each", c.val_glocal_each);
        t.result(result);
    });
}
