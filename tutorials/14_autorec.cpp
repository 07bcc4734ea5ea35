// Tutorial 14 — AutoRec, item-based: an autoencoder over each movie's ratings.
//
// Sedhain, Menon, Sanner & Xie (2015), "AutoRec: Autoencoders Meet Collaborative
// Filtering", WWW'15 Companion, pp. 111-112. Tutorial 03 fed the autoencoder one USER at a
// time (a vector over movies); item-based AutoRec (I-AutoRec) turns the matrix around and
// feeds it one MOVIE at a time: r_i ∈ R^n_users holds the ratings movie i received, 0 where
// a user has not rated it. The paper found this way round clearly better (a movie has more
// ratings than a user has, so its vector is a better-estimated thing to reconstruct).
//
//   h(r) = V·σ(W·r + b) + c          W (500 x n_users), V (n_users x 500); here 943→500→943
//
//   min  Σ_i Σ_{u rated i} (r_ui − h(r_i)_u)²  +  λ/2·(‖W‖² + ‖V‖²)
//
// Only observed ratings count in the error (the sum, not a mean, as in the paper), and the
// weights (not the biases) are penalised. The prediction of user u's rating of movie i is
// h(r_i)_u, clipped to the rating scale [1, 5]. The paper trained full-batch with resilient
// propagation (Rprop, nn/rprop.hpp) or L-BFGS; this tutorial uses Rprop: every epoch is ONE
// step over the whole matrix (1682 x 943 on ml-100k).
//
// Movies or users with no training rating have no vector to learn from: a movie nobody
// rated gets the user's mean training rating, a user who rated nothing gets the movie's
// mean, and both unknown get the global mean (the fallback, step 2).
//
// Everything is chosen on a VALIDATION split carved from the training ratings (10% of
// u1.base), never on u1.test; then the chosen recipe is retrained on all of u1.base and
// scored once on u1.test. On top of the paper's model, three changes are tried, and each is
// kept only if the validation ratings say so:
//
//  1. Residuals on a bias baseline (step 4). b(u, i) = μ + b_u + b_i (Koren 2008, data/
//     baselines.hpp) already explains much of a rating: the overall level, the generous
//     user, the good movie. The network keeps the raw ratings as its INPUT (0 still means
//     "not rated", distinct from every rating) but learns to output the RESIDUAL
//     r_ui − b(u, i); the prediction is b(u, i) + h(r_i)_u. The network's capacity goes to
//     what the baseline leaves: taste. (Feeding residuals in as well was worse when this
//     tutorial was developed — a residual input makes "not rated" look like "rated exactly
//     as expected".)
//  2. Masking noise on the input (step 5a; a denoising autoencoder, Vincent et al. 2008):
//     each step hides a random 10% of the input ratings while the error still counts them,
//     so the network practises predicting ratings it cannot see — its job at test time.
//  3. A blend with user-based AutoRec (step 5b; U-AutoRec, the same paper's other way
//     round): the two models err differently, and w·I + (1 − w)·U with one weight w chosen
//     on validation beats either alone.
// (An ensemble of seeds, which an earlier version of this tutorial used, gained less than
// 0.001 validation RMSE once 1 and 2 were in, so it was dropped to keep the run short.)
//
// Reference points on ml-100k's u1 split (global RMSE on u1.test): the paper's model in
// PyTorch here, 0.902 ± 0.004; GC-MC 0.910 (van den Berg, Kipf & Welling 2017, "Graph
// Convolutional Matrix Completion"); IGMC 0.905 (Zhang & Chen 2020, "Inductive Matrix
// Completion Based on Graph Neural Networks"); GLocal-K 0.8889 (Han, Long, Tang, Wang, Yoo &
// Poon 2021, "GLocal-K: Global and Local Kernels for Recommender Systems" — an item-based
// autoencoder with kernelised weights and a global convolution kernel).
//
// Data: MovieLens ml-100k's u1.base/u1.test when found (--data DIR, $HG_DATA, ./data —
// `./lab fetch movielens 100k`), otherwise (or with --data builtin) the built-in synthetic
// MovieLens-shaped set.
#include <algorithm>
#include <cmath>
#include <functional>
#include <memory>
#include <numeric>
#include <sstream>
#include <string>
#include <vector>

#include "data/baselines.hpp"
#include "data/ratings.hpp"
#include "nn/nn.hpp"
#include "tutorials/common/picture.hpp"
#include "tutorials/common/recommend.hpp"
#include "tutorials/common/tutorial.hpp"

using hg::Tensor;
using hg::Var;
using hg::data::Rating;
using hg::data::RatingMatrix;
namespace tut = hg::tutorial;

namespace {

// ---------------------------------------------------------------------------------------
// The model: one movie's ratings in (or one user's, for U-AutoRec), the same ratings rebuilt.

class AutoRec : public hg::Module {
public:
    // n_in: the length of a row (n_users for I-AutoRec, n_items for U-AutoRec).
    // noise: the masking noise of step 5 (0 = none). It only acts in training mode.
    AutoRec(std::size_t n_in, std::size_t hidden, float noise, hg::Rng& rng) : Module("AutoRec") {
        encoder = register_module("encoder", std::make_shared<hg::Linear>(n_in, hidden, rng));  // W, b
        decoder = register_module("decoder", std::make_shared<hg::Linear>(hidden, n_in, rng));  // V, c
        // Made last, so that a model with and without noise start from the same weights.
        noise_layer = register_module("noise", std::make_shared<hg::MaskingNoise>(noise, rng));
    }
    // h(r) = V·σ(W·r̃ + b) + c for a batch of rows; r̃ = r with some ratings hidden
    // (training with noise > 0), else r itself.
    Var forward(const Var& r) override { return (*decoder)(hg::sigmoid((*encoder)((*noise_layer)(r)))); }
    // ‖W‖² + ‖V‖²: the weights only, as in the paper.
    Var weight_norm2() const {
        return hg::sum(hg::square(encoder->weight())) + hg::sum(hg::square(decoder->weight()));
    }

    std::shared_ptr<hg::Linear> encoder, decoder;
    std::shared_ptr<hg::MaskingNoise> noise_layer;
};

// The paper's objective: squared error summed over the observed entries, plus
// λ/2·(‖W‖² + ‖V‖²). masked_mse is Σ m(p − t)² / n over all n entries of the matrix (one
// fused op); times n it is the paper's sum. The error compares the output with the CLEAN
// target, also where the noise hid the input.
Var autorec_loss(AutoRec& model, const Var& input, const Var& target, const Tensor& observed, float lambda) {
    const float n = static_cast<float>(observed.numel());
    return n * hg::masked_mse(model(input), target, observed) + (0.5f * lambda) * model.weight_norm2();
}

// ---------------------------------------------------------------------------------------
// Data, fallbacks and scores.

using Data = tut::Ratings;  // name, split, movies (tutorials/common/recommend.hpp)

// What a network is trained on, from one set of ratings: the input matrix (one row per
// movie for I-AutoRec, one per user for U-AutoRec), the mask of its observed entries, the
// target (the ratings, or their residuals on the bias baseline), and the fallback
// predictions for what no network can know.
struct Inputs {
    bool item_rows = true;              // rows are movies (I-AutoRec) or users (U-AutoRec)
    bool residual = false;              // the target is r − b(u, i), not r
    Tensor ratings, observed;           // the input and its mask (rows x cols)
    Tensor baseline, target;            // b(u, i) (0 when not residual) and (r − baseline)·mask
    std::vector<float> item_mean;       // per movie (the global mean when it has no rating)
    std::vector<float> user_mean;       // per user  (the global mean when they have none)
    std::vector<bool> item_known, user_known;
    float global_mean = 0;

    static Inputs from(const std::vector<Rating>& ratings, std::size_t n_users, std::size_t n_items, bool item_rows,
                       bool residual) {
        const RatingMatrix m = RatingMatrix::from(ratings, n_users, n_items);
        Inputs in;
        in.item_rows = item_rows;
        in.residual = residual;
        std::vector<std::size_t> rows(item_rows ? n_items : n_users);
        std::iota(rows.begin(), rows.end(), std::size_t{0});
        in.ratings = item_rows ? m.dense_item_rows(rows) : m.dense_rows(rows);
        in.observed = item_rows ? m.observed_item_rows(rows) : m.observed_rows(rows);
        in.baseline = Tensor::zeros(in.ratings.shape());
        if (residual) {
            const hg::data::BiasModel bias = hg::data::BiasModel::fit(ratings, n_users, n_items);
            const std::size_t cols = in.ratings.shape()[1];
            for (std::size_t r = 0; r < rows.size(); ++r)
                for (std::size_t c = 0; c < cols; ++c)
                    in.baseline[r * cols + c] = item_rows ? bias.predict(static_cast<std::uint32_t>(c), static_cast<std::uint32_t>(r))
                                                          : bias.predict(static_cast<std::uint32_t>(r), static_cast<std::uint32_t>(c));
        }
        in.target = (in.ratings - in.baseline) * in.observed;
        in.global_mean = hg::data::global_mean(ratings);
        in.item_mean = hg::data::item_means(ratings, n_items);
        in.item_known.assign(n_items, false);
        in.user_known.assign(n_users, false);
        std::vector<double> user_sum(n_users, 0.0);
        std::vector<std::size_t> user_count(n_users, 0);
        for (const Rating& r : ratings) {
            in.item_known[r.item] = in.user_known[r.user] = true;
            user_sum[r.user] += r.rating;
            ++user_count[r.user];
        }
        in.user_mean.assign(n_users, in.global_mean);
        for (std::size_t u = 0; u < n_users; ++u)
            if (user_count[u]) in.user_mean[u] = static_cast<float>(user_sum[u] / static_cast<double>(user_count[u]));
        return in;
    }

    // The network's output turned into ratings: baseline + output, clipped to [lo, hi], as
    // a movies x users table whichever way round the network was.
    Tensor table(const Tensor& out, float lo, float hi) const {
        const Tensor t = hg::clamp(out + baseline, lo, hi);
        return item_rows ? t : t.transpose();
    }
    // The prediction for (user, item) from a movies x users table, or the fallback when the
    // movie or the user has no training rating.
    float predict(const Tensor& table, std::uint32_t user, std::uint32_t item) const {
        if (!item_known[item]) return user_known[user] ? user_mean[user] : global_mean;
        if (!user_known[user]) return item_mean[item];
        return table[item * table.shape()[1] + user];
    }
};

double rmse(const std::vector<Rating>& ratings, const Inputs& in, const Tensor& table) {
    return hg::data::rmse(ratings, [&](std::uint32_t u, std::uint32_t i) { return in.predict(table, u, i); });
}

// The network's predicted ratings for every (movie, user), without building a graph.
Tensor predict_all(AutoRec& model, const Inputs& in, float lo, float hi) {
    hg::NoGradGuard no_grad;
    model.eval();  // no noise
    const Tensor out = model(Var::constant(in.ratings)).value();
    model.train();
    return in.table(out, lo, hi);
}

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v.empty() ? 0.0 : v[v.size() / 2];
}

// ---------------------------------------------------------------------------------------
// Training: full batch, one Rprop step per epoch.

struct Recipe {
    std::size_t hidden = 500;
    float lambda = 1;
    bool residual = false;   // learn r − b(u, i) (step 4)
    float noise = 0;         // masking noise on the input (step 5a)
    float rprop_lr = 0.01f;  // Rprop's initial step size (PyTorch's default)
};

// Trains one model for `epochs` full-batch steps and calls every_epoch(e, model) after each
// (e.g. to score the validation ratings); returns the duration of each training step.
std::vector<double> train(tut::Tutorial& t, AutoRec& model, const Inputs& in, const Recipe& r, int epochs,
                          const std::function<void(int, AutoRec&)>& every_epoch) {
    hg::Rprop opt(model.parameters(), hg::RpropOptions(r.rprop_lr));
    const Var input = Var::constant(in.ratings), target = Var::constant(in.target);
    std::vector<double> seconds;
    for (int e = 1; e <= epochs; ++e) {
        const double start = t.seconds();
        opt.zero_grad();
        Var loss = autorec_loss(model, input, target, in.observed, r.lambda);
        loss.backward();
        opt.step();
        seconds.push_back(t.seconds() - start);
        every_epoch(e, model);
    }
    return seconds;
}

std::vector<float> parse_floats(const std::string& text, const std::string& flag) {
    std::vector<float> v;
    std::stringstream ss(text);
    std::string item;
    while (std::getline(ss, item, ',')) {
        std::size_t used = 0;
        float x = 0;
        try {
            x = std::stof(item, &used);
        } catch (const std::exception&) {
            used = 0;
        }
        if (used != item.size() || !(x >= 0))
            throw hg::ValueError(flag + " '" + text + "': '" + item + "' is not a non-negative number (give e.g. 10,100,200)");
        v.push_back(x);
    }
    if (v.empty()) throw hg::ValueError(flag + " is empty (give e.g. 10,100,200)");
    return v;
}

}  // namespace

int main(int argc, char** argv) {
    tut::Tutorial t("14_autorec", "AutoRec: an item-based autoencoder recommender (Sedhain et al. 2015)");
    std::int64_t user = 1;
    std::size_t top = 10, min_ratings = 20, hidden = 500;
    std::string lambdas_flag, noises_flag;
    bool blend = true;
    t.app().add_option("--user", user, "Recommend for this user id");
    t.app().add_option("--top", top, "How many movies to recommend")->check(CLI::PositiveNumber);
    t.app().add_option("--min-ratings", min_ratings, "Recommend only movies with at least this many training ratings");
    t.app().add_option("--hidden", hidden, "Hidden units (the paper: 500)")->check(CLI::PositiveNumber);
    t.app().add_option("--lambdas", lambdas_flag, "The weight penalties to try on the validation split, e.g. 100,200,500");
    t.app().add_option("--noise", noises_flag, "The masking-noise levels to try on the validation split, e.g. 0.1,0.25 (0 = none)");
    t.app().add_flag("--blend,!--no-blend", blend, "Try the blend with user-based AutoRec (step 5b; default on)");
    return t.run(argc, argv, [&] {
        const bool quick = t.options().quick;
        // The weight penalties the validation sweeps try (step 4).
        const std::vector<float> lambdas =
            lambdas_flag.empty() ? (quick ? std::vector<float>{20, 200} : std::vector<float>{100, 200, 500})
                                 : parse_floats(lambdas_flag, "--lambdas");
        // The masking noise levels step 5 tries.
        const std::vector<float> noises = noises_flag.empty() ? std::vector<float>{0.1f}
                                                              : parse_floats(noises_flag, "--noise");

        t.step(1, "Each movie is a vector of its users' ratings");
        const Data d = tut::load_ratings(t);
        tut::require_user(d, user);  // before the training, not after
        const std::size_t n_users = d.split.train.n_users(), n_items = d.split.train.n_items();
        const float lo = d.split.train.scale.min, hi = d.split.train.scale.max;
        const Inputs all = Inputs::from(d.split.train.ratings, n_users, n_items, true, false);
        t.say() << "the items x users matrix: " << all.ratings.shape().str() << ", " << d.split.train.size()
                << " training ratings (" << tut::fixed(100 * d.split.train.density(), 1) << "% of it), "
                << d.split.test.size() << " test ratings\n";
        t.say() << "movie " << d.split.train.items.raw(0) << " (" << d.movies.title(d.split.train.items.raw(0)) << ") is rated by "
                << hg::sum(all.observed.slice_rows(0, 1)).item() << " of the " << n_users << " users: "
                << all.ratings.slice_rows(0, 1) << "\n";
        t.check(d.split.train.size() > 0 && d.split.test.size() > 0, "both the training and the test ratings are there");
        t.check(static_cast<std::size_t>(hg::sum(all.observed).item()) == d.split.train.size(),
                "the mask marks exactly the training ratings");

        t.step(2, "Baselines, and the fallback for what the network cannot know");
        const double baseline_rmse =
            hg::data::rmse(d.split.test.ratings, [&](std::uint32_t, std::uint32_t i) { return all.item_mean[i]; });
        t.say() << "predict each movie's mean training rating -> test RMSE " << tut::fixed(baseline_rmse, 4) << "\n";
        const hg::data::BiasModel bias = hg::data::BiasModel::fit(d.split.train.ratings, n_users, n_items);
        const double bias_rmse = hg::data::rmse(d.split.test.ratings, [&](std::uint32_t u, std::uint32_t i) {
            return std::clamp(bias.predict(u, i), lo, hi);
        });
        t.say() << "predict the bias baseline μ + b_u + b_i (μ = " << tut::fixed(bias.mu, 3)
                << ") -> test RMSE " << tut::fixed(bias_rmse, 4) << " (step 4's residual models start from it)\n";
        std::size_t unknown_items = 0, unknown_users = 0;
        for (const Rating& r : d.split.test.ratings) {
            unknown_items += !all.item_known[r.item];
            unknown_users += all.item_known[r.item] && !all.user_known[r.user];
        }
        t.say() << "test ratings of movies with no training rating: " << unknown_items
                << " (predicted by the user's mean rating); of users with none: " << unknown_users
                << " (the movie's mean); of neither: the global mean " << tut::fixed(all.global_mean, 3) << "\n";

        t.step(3, "The model and its loss");
        Recipe recipe;
        recipe.hidden = hidden;
        {
            hg::Rng rng(t.options().seed);
            AutoRec model(n_users, recipe.hidden, recipe.noise, rng);
            t.say() << model << "\n";
            const Var r = Var::constant(all.ratings);
            const Var rebuilt = model(r);
            t.say() << "one forward pass over every movie: " << all.ratings.shape().str() << " -> "
                    << rebuilt.value().shape().str() << "\n";
            const double error = static_cast<double>(all.observed.numel()) * hg::masked_mse(rebuilt, r, all.observed).item();
            const double penalty = model.weight_norm2().item();
            t.say() << "at the start: Σ observed squared error " << tut::fixed(error, 1) << " (RMSE "
                    << tut::fixed(std::sqrt(error / static_cast<double>(d.split.train.size())), 3)
                    << "), ‖W‖² + ‖V‖² = " << tut::fixed(penalty, 2) << "\n";
            // A few full-batch Rprop steps must lower the loss (λ = 1 here).
            recipe.lambda = 1;
            const double before = autorec_loss(model, r, r, all.observed, 1).item();
            train(t, model, all, recipe, 3, [](int, AutoRec&) {});
            const double after = autorec_loss(model, r, r, all.observed, 1).item();
            t.say() << "loss " << tut::fixed(before, 1) << " -> " << tut::fixed(after, 1) << " after 3 Rprop steps\n";
            t.check(after < before, "full-batch Rprop steps lower the loss");
        }

        t.step(4, "Choose λ, the epochs and the target (ratings or residuals) on a validation split");
        // 10% of the TRAINING ratings are held out; the models learn from the other 90%.
        const hg::data::Split fit_val = hg::data::random_split(d.split.train, 0.1, t.options().seed);
        const std::vector<Rating>& val = fit_val.test.ratings;
        // The same fit ratings three ways: the paper's I-AutoRec (target r), the residual
        // I-AutoRec (target r − b(u, i), the baseline fitted on the fit ratings only), and
        // the residual U-AutoRec of step 5b (one row per user).
        const Inputs fit_plain = Inputs::from(fit_val.train.ratings, n_users, n_items, true, false);
        const Inputs fit_resid = Inputs::from(fit_val.train.ratings, n_users, n_items, true, true);
        t.say() << "fit on " << fit_val.train.size() << " ratings, validate on " << val.size() << "\n";
        const int max_epochs = t.epochs(100, 40);  // --epochs: the longest run of the sweep
        const int every = 5;                        // score the validation ratings every 5 epochs
        std::vector<int> checkpoints;
        for (int e = every; e <= max_epochs; e += every) checkpoints.push_back(e);
        if (checkpoints.empty() || checkpoints.back() != max_epochs) checkpoints.push_back(max_epochs);

        // One run on the fit part: the validation RMSE at every checkpoint, and the validation
        // predictions (kept for the blend of step 5b).
        struct ValRun {
            std::vector<double> curve;                     // [checkpoint]
            std::vector<std::vector<float>> predictions;  // [checkpoint][validation rating]
            std::size_t best_at() const {
                return static_cast<std::size_t>(std::min_element(curve.begin(), curve.end()) - curve.begin());
            }
            double best() const { return curve[best_at()]; }
            int best_epoch(const std::vector<int>& cps) const { return cps[best_at()]; }
        };
        auto val_rmse_of = [&](const std::vector<float>& p) {
            double se = 0;
            for (std::size_t k = 0; k < val.size(); ++k) se += (p[k] - val[k].rating) * (p[k] - val[k].rating);
            return std::sqrt(se / static_cast<double>(val.size()));
        };
        std::vector<double> step_seconds;  // every training step of the run, for epoch_seconds
        auto run_on_validation = [&](const Recipe& r, const Inputs& fit, const std::string& label) {
            hg::Rng rng(t.options().seed);
            AutoRec model(fit.ratings.shape()[1], r.hidden, r.noise, rng);
            ValRun run;
            tut::Progress progress(t, label + ", epoch", max_epochs);
            const std::vector<double> s = train(t, model, fit, r, max_epochs, [&](int e, AutoRec& m) {
                if (run.curve.size() >= checkpoints.size() || checkpoints[run.curve.size()] != e) return;
                const Tensor table = predict_all(m, fit, lo, hi);
                std::vector<float> p;
                for (const Rating& v : val) p.push_back(fit.predict(table, v.user, v.item));
                run.curve.push_back(val_rmse_of(p));
                run.predictions.push_back(std::move(p));
                progress.update(e, "validation RMSE " + tut::fixed(run.curve.back(), 4));
            });
            progress.finish();
            step_seconds.insert(step_seconds.end(), s.begin(), s.end());
            return run;
        };
        auto lambda_name = [](float l) { return tut::fixed(l, l < 1 ? 3 : 0); };

        // Both targets, every λ: a table of validation curves.
        struct Row {
            std::string name;
            bool residual;
            float lambda;
            ValRun run;
        };
        std::vector<Row> sweep;
        for (const bool residual : {false, true})
            for (const float l : lambdas) {
                Recipe r = recipe;
                r.lambda = l;
                r.residual = residual;
                const std::string name = std::string(residual ? "residual" : "rating") + ", λ = " + lambda_name(l);
                sweep.push_back({name, residual, l, run_on_validation(r, residual ? fit_resid : fit_plain, name)});
            }
        std::size_t best = 0, best_plain = 0;
        for (std::size_t k = 0; k < sweep.size(); ++k) {
            if (sweep[k].run.best() < sweep[best].run.best()) best = k;
            if (!sweep[k].residual && sweep[k].run.best() < sweep[best_plain].run.best()) best_plain = k;
        }
        const double val_baseline =
            hg::data::rmse(val, [&](std::uint32_t, std::uint32_t i) { return fit_plain.item_mean[i]; });
        const hg::data::BiasModel fit_bias = hg::data::BiasModel::fit(fit_val.train.ratings, n_users, n_items);
        const double val_bias =
            hg::data::rmse(val, [&](std::uint32_t u, std::uint32_t i) { return std::clamp(fit_bias.predict(u, i), lo, hi); });
        {
            // The table: a few columns of the curves, and each row's best.
            std::vector<std::size_t> cols;
            const std::size_t n_cols = std::min<std::size_t>(5, checkpoints.size());
            for (std::size_t c = 1; c <= n_cols; ++c) cols.push_back(c * checkpoints.size() / n_cols - 1);
            std::ostream& os = t.say();
            os << "validation RMSE after N epochs (the per-item mean: " << tut::fixed(val_baseline, 4)
               << "; the bias baseline: " << tut::fixed(val_bias, 4) << "):\n"
               << tut::right("target, λ", 20);
            for (std::size_t c : cols) os << tut::right(std::to_string(checkpoints[c]), 9);
            os << tut::right("best", 9) << tut::right("at", 6) << "\n";
            for (std::size_t k = 0; k < sweep.size(); ++k) {
                os << tut::right(sweep[k].name, 20);
                for (std::size_t c : cols) os << tut::right(tut::fixed(sweep[k].run.curve[c], 4), 9);
                os << tut::right(tut::fixed(sweep[k].run.best(), 4), 9)
                   << tut::right(std::to_string(sweep[k].run.best_epoch(checkpoints)), 6) << (k == best ? "  <- chosen" : "")
                   << "\n";
            }
        }
        recipe.lambda = sweep[best].lambda;
        recipe.residual = sweep[best].residual;
        ValRun chosen = sweep[best].run;
        const double paper_best = sweep[best_plain].run.best();
        t.say() << "chosen: " << (recipe.residual ? "the residual target" : "the rating target (the paper's)") << ", λ = "
                << recipe.lambda << ", " << chosen.best_epoch(checkpoints) << " epochs (validation RMSE "
                << tut::fixed(chosen.best(), 4) << "; the paper's model at its best λ: " << tut::fixed(paper_best, 4) << ")\n";
        {
            std::vector<tut::Curve> plot;
            std::vector<double> xs(checkpoints.begin(), checkpoints.end());
            for (const Row& row : sweep) plot.push_back({row.name, row.run.curve, xs});
            tut::write_svg_curves(t.out_dir() + "/validation.svg", "I-AutoRec: validation RMSE", "epoch", "RMSE", plot);
        }
        t.check(chosen.best() < val_baseline, "on the validation ratings the chosen model beats the per-item mean");
        const Inputs& fit = recipe.residual ? fit_resid : fit_plain;

        t.step(5, "Two more changes, each kept only if the validation ratings say so");
        // (a) Masking noise (a denoising autoencoder, Vincent et al. 2008): each training step
        //     hides a random fraction p of the input ratings, while the error still counts all
        //     of them. The network must predict ratings it cannot see — its job at test time.
        t.say() << "(a) masking noise on the input (" << (recipe.residual ? "residual" : "rating") << " target, λ = "
                << recipe.lambda << "):\n";
        {
            std::ostream& os = t.say();
            os << tut::right("p", 6) << tut::right("best", 9) << tut::right("at", 6) << "\n"
               << tut::right("0", 6) << tut::right(tut::fixed(chosen.best(), 4), 9)
               << tut::right(std::to_string(chosen.best_epoch(checkpoints)), 6) << "\n";
        }
        float best_noise = 0;
        for (float p : noises) {
            if (p == 0) continue;  // the row above
            Recipe r = recipe;
            r.noise = p;
            ValRun run = run_on_validation(r, fit, "noise p = " + tut::fixed(p, 2));
            t.say() << tut::right(tut::fixed(p, 2), 6) << tut::right(tut::fixed(run.best(), 4), 9)
                    << tut::right(std::to_string(run.best_epoch(checkpoints)), 6) << "\n";
            if (run.best() < chosen.best()) {
                chosen = std::move(run);
                best_noise = p;
            }
        }
        recipe.noise = best_noise;
        t.say() << "chosen: noise p = " << recipe.noise << " (validation RMSE " << tut::fixed(chosen.best(), 4) << ")\n";
        const int epochs_item = chosen.best_epoch(checkpoints);

        // (b) A blend with user-based AutoRec (U-AutoRec: one row per USER, 1682→500→1682 on
        //     ml-100k), trained with the recipe chosen so far. Its errors differ from
        //     I-AutoRec's, so a weighted mean w·I + (1 − w)·U of their (clipped) predictions
        //     can beat both; w = 1 is I-AutoRec alone.
        double val_rmse = chosen.best();
        float weight = 1;
        int epochs_user = 0;
        if (blend) {
            const Inputs fit_users = Inputs::from(fit_val.train.ratings, n_users, n_items, false, recipe.residual);
            const ValRun u_run = run_on_validation(recipe, fit_users, "U-AutoRec");
            epochs_user = u_run.best_epoch(checkpoints);
            const std::vector<float>& pi = chosen.predictions[chosen.best_at()];
            const std::vector<float>& pu = u_run.predictions[u_run.best_at()];
            std::vector<std::pair<float, double>> rows;
            for (int k = 0; k <= 10; ++k) {
                const float w = 0.1f * static_cast<float>(k);
                std::vector<float> p(val.size());
                for (std::size_t j = 0; j < val.size(); ++j) p[j] = w * pi[j] + (1 - w) * pu[j];
                rows.emplace_back(w, val_rmse_of(p));
                if (rows.back().second < val_rmse) {
                    val_rmse = rows.back().second;
                    weight = w;
                }
            }
            std::ostream& os = t.say();
            os << "(b) U-AutoRec alone: validation RMSE " << tut::fixed(u_run.best(), 4) << " at " << epochs_user
               << " epochs. The blend w·I + (1 − w)·U:\n"
               << tut::right("w", 6) << tut::right("RMSE", 9) << "\n";
            for (const auto& [w, e] : rows)
                os << tut::right(tut::fixed(w, 1), 6) << tut::right(tut::fixed(e, 4), 9) << (w == weight ? "  <- chosen" : "")
                   << "\n";
        } else {
            t.say() << "(b) --no-blend: I-AutoRec alone (w = 1)\n";
        }
        t.say() << "chosen: " << (recipe.residual ? "residual" : "rating") << " target, λ = " << recipe.lambda
                << ", noise p = " << recipe.noise << ", I-AutoRec " << epochs_item << " epochs";
        if (weight < 1) t.say() << ", U-AutoRec " << epochs_user << " epochs, blend weight w = " << tut::fixed(weight, 1);
        t.say() << ": validation RMSE " << tut::fixed(val_rmse, 4) << " (the paper's model: " << tut::fixed(paper_best, 4)
                << ")\n";
        t.check(val_rmse <= paper_best, "the chosen recipe is no worse than the paper's model on the validation ratings");

        t.step(6, "Retrain on all training ratings; score u1.test once");
        auto train_final = [&](const Inputs& in, int epochs, const std::string& label) {
            hg::Rng rng(t.options().seed);
            AutoRec model(in.ratings.shape()[1], recipe.hidden, recipe.noise, rng);
            tut::Progress progress(t, label + ", epoch", epochs);
            const std::vector<double> s = train(t, model, in, recipe, epochs, [&](int e, AutoRec&) {
                if (e % 10 == 0 || e == epochs) progress.update(e, "");
            });
            progress.finish();
            step_seconds.insert(step_seconds.end(), s.begin(), s.end());
            return predict_all(model, in, lo, hi);
        };
        const Inputs all_items = Inputs::from(d.split.train.ratings, n_users, n_items, true, recipe.residual);
        Tensor pred = train_final(all_items, epochs_item, "I-AutoRec");
        const double test_item = rmse(d.split.test.ratings, all_items, pred);
        if (weight < 1) {
            const Inputs all_users = Inputs::from(d.split.train.ratings, n_users, n_items, false, recipe.residual);
            const Tensor pred_u = train_final(all_users, epochs_user, "U-AutoRec");
            pred = weight * pred + (1 - weight) * pred_u;
        }
        const double test_rmse = rmse(d.split.test.ratings, all_items, pred);
        t.say() << "global test RMSE " << tut::fixed(test_rmse, 4);
        if (weight < 1) t.say() << " (I-AutoRec alone: " << tut::fixed(test_item, 4) << ")";
        t.say() << "; baselines: the per-item mean " << tut::fixed(baseline_rmse, 4) << ", μ + b_u + b_i "
                << tut::fixed(bias_rmse, 4) << "\n";
        if (d.name == "ml-100k")
            t.say() << "reference points on u1.test: the paper's model in PyTorch 0.902 ± 0.004; GC-MC 0.910; IGMC 0.905; "
                       "GLocal-K 0.8889\n";
        t.check(test_rmse < baseline_rmse, "the chosen recipe beats the per-item-mean baseline on the test ratings");

        t.step(7, "Recommendations");
        tut::recommend(t, d, user, top, min_ratings,
                       [&](std::size_t u, std::size_t i) { return all_items.predict(pred, static_cast<std::uint32_t>(u), static_cast<std::uint32_t>(i)); });

        const double epoch_seconds = median(step_seconds);
        t.say() << "median full-batch training epoch: " << tut::fixed(epoch_seconds, 4) << " s (" << step_seconds.size()
                << " epochs in all)\n";
        t.say() << "pictures in " << t.out_dir() << "\n";
        t.result({{"dataset", d.name},
                  {"test_rmse", tut::fixed(test_rmse, 4)},
                  {"test_rmse_item", tut::fixed(test_item, 4)},
                  {"baseline_rmse", tut::fixed(baseline_rmse, 4)},
                  {"bias_rmse", tut::fixed(bias_rmse, 4)},
                  {"val_rmse", tut::fixed(val_rmse, 4)},
                  {"val_rmse_paper", tut::fixed(paper_best, 4)},
                  {"residual", recipe.residual ? "1" : "0"},
                  {"lambda", lambda_name(recipe.lambda)},
                  {"noise", tut::fixed(recipe.noise, 2)},
                  {"epochs", std::to_string(epochs_item)},
                  {"epochs_user", std::to_string(weight < 1 ? epochs_user : 0)},
                  {"blend_weight", tut::fixed(weight, 1)},
                  {"hidden", std::to_string(recipe.hidden)},
                  {"epoch_seconds", tut::fixed(epoch_seconds, 4)}});
    });
}
