// Tutorial 14 — AutoRec, item-based: an autoencoder over each movie's ratings.
// I-AutoRec (Sedhain et al. 2015; models/autorec.hpp), full-batch Rprop; the penalty, the epochs
// and three changes (residuals on a bias baseline, masking noise, a blend with user-based
// AutoRec) chosen on a validation split; then u1.test once, and recommendations. The program
// prints; tutorials/14_autorec.md explains (each change and why, and the measured numbers).
#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <functional>
#include <sstream>
#include <string>
#include <vector>

#include "autograd/ops.hpp"
#include "data/baselines.hpp"
#include "data/ratings.hpp"
#include "models/autorec.hpp"
#include "autograd/loss.hpp"
#include "nn/rprop.hpp"
#include "tutorials/common/picture.hpp"
#include "tutorials/common/recommend.hpp"
#include "tutorials/common/tutorial.hpp"

using hg::Tensor;
using hg::Var;
using hg::data::Rating;
using hg::models::AutoRec;
using Inputs = hg::models::AutoRecInputs;
namespace tut = hg::tutorial;

namespace {

struct Recipe {
    std::size_t hidden = 500;
    float lambda = 1;
    bool residual = false;  // learn r − b(u, i) (step 4)
    float noise = 0;        // masking noise on the input (step 5a)
};

// Trains one model for `epochs` full-batch steps (one Rprop step over the whole matrix per
// epoch) and calls every_epoch(e, model) after each; appends each step's duration to seconds.
void train(tut::Tutorial& t, AutoRec& model, const Inputs& in, const Recipe& r, int epochs,
           const std::function<void(int, AutoRec&)>& every_epoch, std::vector<double>& seconds) {
    hg::Rprop opt(model.parameters(), hg::models::autorec_rprop());
    const Var input = Var::constant(in.ratings), target = Var::constant(in.target);
    for (int e = 1; e <= epochs; ++e) {
        const double start = t.seconds();
        opt.zero_grad();
        Var loss = hg::models::autorec_loss(model, input, target, in.observed, r.lambda);
        loss.backward();
        opt.step();
        seconds.push_back(t.seconds() - start);
        every_epoch(e, model);
    }
}

// "10,100,200" -> {10, 100, 200}; anything but non-negative numbers is an error naming the flag.
// A run on the fit ratings: validation RMSE and predictions at each checkpoint (for step 5b's blend).
struct ValRun {
    std::vector<double> curve;                     // [checkpoint]
    std::vector<std::vector<float>> predictions;  // [checkpoint][validation rating]
    std::size_t best_at() const { return static_cast<std::size_t>(std::min_element(curve.begin(), curve.end()) - curve.begin()); }
    double best() const { return curve[best_at()]; }
};

// What steps 4 to 6 share: the data, the validation split and the training runs' timings.
struct Lab {
    tut::Tutorial& t;
    std::size_t n_users, n_items;
    float lo, hi;
    hg::data::Split fit_val;      // 10% of the TRAINING ratings held out for validation
    std::vector<int> checkpoints;  // the epochs at which the validation ratings are scored
    std::vector<double> step_seconds;
    const std::vector<Rating>& val() const { return fit_val.test.ratings; }
    double val_rmse_of(const std::vector<float>& p) const {
        double se = 0;
        for (std::size_t k = 0; k < val().size(); ++k) se += (p[k] - val()[k].rating) * (p[k] - val()[k].rating);
        return std::sqrt(se / static_cast<double>(val().size()));
    }
    Inputs fit(bool item_rows, bool residual) const { return Inputs::from(fit_val.train.ratings, n_users, n_items, item_rows, residual); }
    // Train on the fit part, scoring the validation ratings at every checkpoint.
    ValRun on_validation(const Recipe& r, const Inputs& fit, const std::string& label) {
        hg::Rng rng(t.options().seed);
        AutoRec model(fit.ratings.shape()[1], r.hidden, r.noise, rng);
        ValRun run;
        tut::Progress progress(t, label + ", epoch", checkpoints.back());
        train(t, model, fit, r, checkpoints.back(), [&](int e, AutoRec& m) {
            if (run.curve.size() >= checkpoints.size() || checkpoints[run.curve.size()] != e) return;
            const Tensor table = hg::models::predict_table(m, fit, lo, hi);
            std::vector<float> p;
            for (const Rating& v : val()) p.push_back(fit.predict(table, v.user, v.item));
            run.curve.push_back(val_rmse_of(p));
            run.predictions.push_back(std::move(p));
            progress.update(e, "validation RMSE " + tut::fixed(run.curve.back(), 4));
        }, step_seconds);
        progress.finish();
        return run;
    }
};

std::string lambda_name(float l) { return tut::fixed(l, l < 1 ? 3 : 0); }

// Step 1: the items x users matrix.
Inputs load(tut::Tutorial& t, const tut::Ratings& d) {
    const Inputs all = Inputs::from(d.split.train.ratings, d.split.train.n_users(), d.split.train.n_items(), true, false);
    t.say() << "the items x users matrix: " << all.ratings.shape().str() << ", " << d.split.train.size() << " training ratings ("
            << tut::fixed(100 * d.split.train.density(), 1) << "% of it), " << d.split.test.size() << " test ratings\n";
    t.say() << "movie " << d.split.train.items.raw(0) << " (" << d.movies.title(d.split.train.items.raw(0)) << ") is rated by "
            << hg::sum(all.observed.slice_rows(0, 1)).item() << " of the " << d.split.train.n_users()
            << " users: " << all.ratings.slice_rows(0, 1) << "\n";
    t.check(d.split.train.size() > 0 && d.split.test.size() > 0, "both the training and the test ratings are there");
    t.check(static_cast<std::size_t>(hg::sum(all.observed).item()) == d.split.train.size(), "the mask marks exactly the training ratings");
    return all;
}

// Step 2: the per-item mean and μ + b_u + b_i on the test ratings, and the fallbacks.
std::pair<double, double> baselines(tut::Tutorial& t, const tut::Ratings& d, const Inputs& all, float lo, float hi) {
    t.step(2, "Baselines, and the fallback for what the network cannot know");
    const double baseline_rmse =
        hg::data::rmse(d.split.test.ratings, [&](std::uint32_t, std::uint32_t i) { return all.item_mean[i]; });
    t.say() << "predict each movie's mean training rating -> test RMSE " << tut::fixed(baseline_rmse, 4)
            << " (every RMSE here is in stars, the ratings' unit)\n";
    const hg::data::BiasModel bias = hg::data::BiasModel::fit(d.split.train.ratings, d.split.train.n_users(), d.split.train.n_items());
    const double bias_rmse = hg::data::rmse(d.split.test.ratings, [&](std::uint32_t u, std::uint32_t i) {
        return std::clamp(bias.predict(u, i), lo, hi);
    });
    t.say() << "predict the bias baseline μ + b_u + b_i (μ = " << tut::fixed(bias.mu, 3) << ") -> test RMSE "
            << tut::fixed(bias_rmse, 4) << " (step 4's residual models start from it)\n";
    std::size_t unknown_items = 0, unknown_users = 0;
    for (const Rating& r : d.split.test.ratings) {
        unknown_items += !all.item_known[r.item];
        unknown_users += all.item_known[r.item] && !all.user_known[r.user];
    }
    t.say() << "test ratings of movies with no training rating: " << unknown_items
            << " (predicted by the user's mean rating); of users with none: " << unknown_users
            << " (the movie's mean); of neither: the global mean " << tut::fixed(all.global_mean, 3) << "\n";
    return {baseline_rmse, bias_rmse};
}

// Step 3: one forward pass over every movie, and a few full-batch Rprop steps (λ = 1).
void model_and_loss(tut::Tutorial& t, const Inputs& all, std::size_t hidden, std::size_t n_ratings) {
    t.step(3, "The model and its loss");
    hg::Rng rng(t.options().seed);
    AutoRec model(all.ratings.shape()[1], hidden, 0.0f, rng);
    t.say() << model << "\n";
    const Var r = Var::constant(all.ratings);
    const Var rebuilt = model(r);
    t.say() << "one forward pass over every movie: " << all.ratings.shape().str() << " -> " << rebuilt.value().shape().str() << "\n";
    const double error = static_cast<double>(all.observed.numel()) * hg::masked_mse(rebuilt, r, all.observed).item();
    t.say() << "at the start: Σ observed squared error " << tut::fixed(error, 1) << " stars² (RMSE "
            << tut::fixed(std::sqrt(error / static_cast<double>(n_ratings)), 3) << "), ‖W‖² + ‖V‖² = "
            << tut::fixed(model.weight_norm2().item(), 2) << "\n";
    const Recipe recipe{hidden};  // λ = 1
    const double before = hg::models::autorec_loss(model, r, r, all.observed, 1).item();
    std::vector<double> unused;
    train(t, model, all, recipe, 3, [](int, AutoRec&) {}, unused);
    const double after = hg::models::autorec_loss(model, r, r, all.observed, 1).item();
    t.say() << "loss " << tut::fixed(before, 1) << " -> " << tut::fixed(after, 1) << " after 3 Rprop steps\n";
    t.check(after < before, "full-batch Rprop steps lower the loss");
}

struct Chosen {
    Recipe recipe;
    ValRun run;              // the chosen I-AutoRec's validation run
    double paper_best = 0;   // the paper's model (rating target) at its best λ
    int epochs_item = 0, epochs_user = 0;
    float weight = 1;        // of I-AutoRec in the blend w·I + (1 − w)·U
    double val_rmse = 0;     // of the whole recipe
};

// Step 4: both targets, every λ; the best on the validation ratings.
Chosen choose_target_and_lambda(Lab& lab, const std::vector<float>& lambdas, std::size_t hidden) {
    tut::Tutorial& t = lab.t;
    t.step(4, "Choose λ, the epochs and the target (ratings or residuals) on a validation split");
    // The same fit ratings two ways: the paper's I-AutoRec (target r) and the residual one
    // (target r − b(u, i), the baseline fitted on the fit ratings only).
    const Inputs fit_plain = lab.fit(true, false), fit_resid = lab.fit(true, true);
    t.say() << "fit on " << lab.fit_val.train.size() << " ratings, validate on " << lab.val().size() << "\n";
    struct Row { std::string name; Recipe recipe; ValRun run; };
    std::vector<Row> sweep;
    for (const bool residual : {false, true})
        for (const float l : lambdas) {
            const Recipe r{hidden, l, residual, 0.0f};
            const std::string name = std::string(residual ? "residual" : "rating") + ", λ = " + lambda_name(l);
            sweep.push_back({name, r, lab.on_validation(r, residual ? fit_resid : fit_plain, name)});
        }
    std::size_t best = 0, best_plain = 0;
    for (std::size_t k = 0; k < sweep.size(); ++k) {
        if (sweep[k].run.best() < sweep[best].run.best()) best = k;
        if (!sweep[k].recipe.residual && sweep[k].run.best() < sweep[best_plain].run.best()) best_plain = k;
    }
    Chosen c{sweep[best].recipe, sweep[best].run, sweep[best_plain].run.best()};
    const double val_baseline = hg::data::rmse(lab.val(), [&](std::uint32_t, std::uint32_t i) { return fit_plain.item_mean[i]; });
    const hg::data::BiasModel fit_bias = hg::data::BiasModel::fit(lab.fit_val.train.ratings, lab.n_users, lab.n_items);
    const double val_bias = hg::data::rmse(lab.val(), [&](std::uint32_t u, std::uint32_t i) {
        return std::clamp(fit_bias.predict(u, i), lab.lo, lab.hi);
    });
    t.say() << "validation RMSE, each run's best (the per-item mean: " << tut::fixed(val_baseline, 4)
            << "; the bias baseline: " << tut::fixed(val_bias, 4) << "; every curve in validation.svg):\n";
    for (std::size_t k = 0; k < sweep.size(); ++k)
        t.say() << tut::right(sweep[k].name, 20) << tut::right(tut::fixed(sweep[k].run.best(), 4), 9) << " after "
                << lab.checkpoints[sweep[k].run.best_at()] << " epochs" << (k == best ? "  <- chosen" : "") << "\n";
    t.say() << "chosen: " << (c.recipe.residual ? "the residual target" : "the rating target (the paper's)") << ", λ = "
            << c.recipe.lambda << ", " << lab.checkpoints[c.run.best_at()] << " epochs (validation RMSE "
            << tut::fixed(c.run.best(), 4) << "; the paper's model at its best λ: " << tut::fixed(c.paper_best, 4) << ")\n";
    std::vector<tut::Curve> plot;
    for (const Row& row : sweep) plot.push_back({row.name, row.run.curve, {lab.checkpoints.begin(), lab.checkpoints.end()}});
    tut::write_svg_curves(t.out_dir() + "/validation.svg", "I-AutoRec: validation RMSE", "epoch", "RMSE", plot);
    t.check(c.run.best() < val_baseline, "on the validation ratings the chosen model beats the per-item mean");
    return c;
}

// Step 5: (a) masking noise on the input, (b) a blend with U-AutoRec (one row per USER),
// each kept only if the validation ratings say so.
void noise_and_blend(Lab& lab, Chosen& f, const std::vector<float>& noises) {
    tut::Tutorial& t = lab.t;
    t.step(5, "Two more changes, each kept only if the validation ratings say so");
    const Inputs fit = lab.fit(true, f.recipe.residual);
    t.say() << "(a) masking noise on the input (" << (f.recipe.residual ? "residual" : "rating") << " target, λ = "
            << f.recipe.lambda << "):\n";
    t.say() << "  p = 0: best " << tut::fixed(f.run.best(), 4) << " after " << lab.checkpoints[f.run.best_at()] << " epochs\n";
    for (float p : noises) {
        if (p == 0) continue;  // the row above
        ValRun run = lab.on_validation(Recipe{f.recipe.hidden, f.recipe.lambda, f.recipe.residual, p}, fit,
                                       "noise p = " + tut::fixed(p, 2));
        t.say() << "  p = " << tut::fixed(p, 2) << ": best " << tut::fixed(run.best(), 4) << " after "
                << lab.checkpoints[run.best_at()] << " epochs\n";
        if (run.best() < f.run.best()) {
            f.run = std::move(run);
            f.recipe.noise = p;
        }
    }
    t.say() << "chosen: noise p = " << f.recipe.noise << " (validation RMSE " << tut::fixed(f.run.best(), 4) << ")\n";
    f.epochs_item = lab.checkpoints[f.run.best_at()];

    // (b) U-AutoRec with the recipe chosen so far; w = 1 is I-AutoRec alone.
    f.val_rmse = f.run.best();
    const ValRun u_run = lab.on_validation(f.recipe, lab.fit(false, f.recipe.residual), "U-AutoRec");
    f.epochs_user = lab.checkpoints[u_run.best_at()];
    const std::vector<float>& pi = f.run.predictions[f.run.best_at()];
    const std::vector<float>& pu = u_run.predictions[u_run.best_at()];
    t.say() << "(b) U-AutoRec alone: validation RMSE " << tut::fixed(u_run.best(), 4) << " at " << f.epochs_user
            << " epochs. The blend w·I + (1 − w)·U, w = 0, 0.1, ..., 1:";
    for (int k = 0; k <= 10; ++k) {
        const float w = 0.1f * static_cast<float>(k);
        std::vector<float> p(lab.val().size());
        for (std::size_t j = 0; j < p.size(); ++j) p[j] = w * pi[j] + (1 - w) * pu[j];
        const double rmse = lab.val_rmse_of(p);
        t.say() << " " << tut::fixed(rmse, 4);
        if (rmse < f.val_rmse) f.val_rmse = rmse, f.weight = w;
    }
    t.say() << "\n";
    t.say() << "chosen: " << (f.recipe.residual ? "residual" : "rating") << " target, λ = " << f.recipe.lambda
            << ", noise p = " << f.recipe.noise << ", I-AutoRec " << f.epochs_item << " epochs";
    if (f.weight < 1) t.say() << ", U-AutoRec " << f.epochs_user << " epochs, blend weight w = " << tut::fixed(f.weight, 1);
    t.say() << ": validation RMSE " << tut::fixed(f.val_rmse, 4) << " (the paper's model: " << tut::fixed(f.paper_best, 4)
            << "; it was one of the candidates, so the chosen recipe is never worse on these ratings)\n";
}

// Step 6: the chosen recipe on all of u1.base; its predictions (movies x users).
Tensor retrain(Lab& lab, const Chosen& f, const Inputs& in, int epochs, const std::string& label) {
    hg::Rng rng(lab.t.options().seed);
    AutoRec model(in.ratings.shape()[1], f.recipe.hidden, f.recipe.noise, rng);
    tut::Progress progress(lab.t, label + ", epoch", epochs);
    train(lab.t, model, in, f.recipe, epochs, [&](int e, AutoRec&) { if (e % 10 == 0 || e == epochs) progress.update(e, ""); },
          lab.step_seconds);
    progress.finish();
    return hg::models::predict_table(model, in, lab.lo, lab.hi);
}

}  // namespace

int main(int argc, char** argv) {
    tut::Tutorial t("14_autorec", "AutoRec: an item-based autoencoder recommender (Sedhain et al. 2015)");
    tut::RecommendSettings who;
    std::size_t hidden = 500;
    std::string lambdas_flag, noises_flag;
    who.add_flags(t);
    t.app().add_option("--hidden", hidden, "Hidden units (the paper: 500)")->check(tut::at_least(1));
    t.app().add_option("--lambdas", lambdas_flag, "The weight penalties to try on the validation split, e.g. 100,200,500")
        ->check(tut::list_between(0, INFINITY));
    t.app().add_option("--noise", noises_flag, "The masking-noise levels to try on the validation split, e.g. 0.1,0.25 (0 = none)")
        ->check(tut::list_between(0, 0.95));
    return t.run(argc, argv, [&] {
        const std::vector<float> lambdas = lambdas_flag.empty() ? t.pick<std::vector<float>>({100, 200, 500}, {20, 200})
                                                                : tut::parse_list(lambdas_flag);
        const std::vector<float> noises = noises_flag.empty() ? std::vector<float>{0.1f} : tut::parse_list(noises_flag);

        t.step(1, "Each movie is a vector of its users' ratings");
        const tut::Ratings d = tut::load_ratings(t, who.fold);
        tut::require_user(d, who.user);  // before the training, not after
        const std::size_t n_users = d.split.train.n_users(), n_items = d.split.train.n_items();
        const float lo = d.split.train.scale.min, hi = d.split.train.scale.max;
        const Inputs all = load(t, d);
        const auto [baseline_rmse, bias_rmse] = baselines(t, d, all, lo, hi);
        model_and_loss(t, all, hidden, d.split.train.size());

        Lab lab{t, n_users, n_items, lo, hi, hg::data::random_split(d.split.train, 0.1, t.options().seed), {}, {}};
        // --epochs: the longest run; scored every 5 epochs and at the end. --quick trains eight
        // models (four in step 4, two in step 5, up to two in step 6) of at most 15 full-batch epochs each.
        const int max_epochs = t.epochs(100, 15);
        for (int e = 5; e < max_epochs + 5; e += 5) lab.checkpoints.push_back(std::min(e, max_epochs));
        Chosen f = choose_target_and_lambda(lab, lambdas, hidden);
        noise_and_blend(lab, f, noises);

        t.step(6, "Retrain on all training ratings; score u1.test once");
        const Inputs all_items = Inputs::from(d.split.train.ratings, n_users, n_items, true, f.recipe.residual);
        Tensor pred = retrain(lab, f, all_items, f.epochs_item, "I-AutoRec");
        const double test_item = all_items.rmse(d.split.test.ratings, pred);
        if (f.weight < 1) {
            const Inputs all_users = Inputs::from(d.split.train.ratings, n_users, n_items, false, f.recipe.residual);
            pred = f.weight * pred + (1 - f.weight) * retrain(lab, f, all_users, f.epochs_user, "U-AutoRec");
        }
        const double test_rmse = all_items.rmse(d.split.test.ratings, pred);
        t.say() << "global test RMSE " << tut::fixed(test_rmse, 4)
                << (f.weight < 1 ? " (I-AutoRec alone: " + tut::fixed(test_item, 4) + ")" : "") << "; baselines: the per-item mean " << tut::fixed(baseline_rmse, 4) << ", μ + b_u + b_i "
                << tut::fixed(bias_rmse, 4) << "\n";
        if (d.name == "ml-100k" && who.fold == "u1")
            t.say() << "reference points on u1.test: the paper's model in PyTorch 0.902 ± 0.004; GC-MC 0.910; IGMC 0.905; "
                       "GLocal-K 0.8889\n";
        t.check(test_rmse < baseline_rmse, "the chosen recipe beats the per-item-mean baseline on the test ratings");

        t.step(7, "Recommendations");
        tut::recommend(t, d, who, [&](std::size_t u, std::size_t i) { return all_items.predict(pred, u, i); });
        std::sort(lab.step_seconds.begin(), lab.step_seconds.end());
        const double epoch_seconds = lab.step_seconds[lab.step_seconds.size() / 2];
        t.say() << "median full-batch training epoch: " << tut::fixed(epoch_seconds, 4) << " s (" << lab.step_seconds.size()
                << " epochs in all)\npictures in " << t.out_dir() << "\n";
        t.result({{"dataset", d.name}, {"test_rmse", tut::fixed(test_rmse, 4)}, {"test_rmse_item", tut::fixed(test_item, 4)},
                  {"baseline_rmse", tut::fixed(baseline_rmse, 4)}, {"bias_rmse", tut::fixed(bias_rmse, 4)},
                  {"val_rmse", tut::fixed(f.val_rmse, 4)}, {"val_rmse_paper", tut::fixed(f.paper_best, 4)},
                  {"residual", f.recipe.residual ? "1" : "0"}, {"lambda", lambda_name(f.recipe.lambda)},
                  {"noise", tut::fixed(f.recipe.noise, 2)}, {"epochs", std::to_string(f.epochs_item)},
                  {"epochs_user", std::to_string(f.weight < 1 ? f.epochs_user : 0)}, {"blend_weight", tut::fixed(f.weight, 1)},
                  {"hidden", std::to_string(f.recipe.hidden)}, {"epoch_seconds", tut::fixed(epoch_seconds, 4)}});
    });
}
