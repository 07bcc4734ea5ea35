// Tutorial 03 — the movie recommender: a stacked autoencoder over each user's ratings.
//
// Every user is a vector of ratings of every movie (0 = not rated). An autoencoder
// squeezes it through a small code and rebuilds it; the rebuilt vector has a number for
// EVERY movie, including the ones the user has not seen — those numbers are the
// recommendations. The error only counts movies the user rated (a masked loss).
//
// Three recipes (--mode):
//   course     the course's model, faithfully: n-20-10-20-n, sigmoid hidden layers, linear
//              output, RMSprop(lr 0.01, alpha 0.99, eps 1e-8, weight_decay 0.5), one user per
//              step, 200 epochs — and, as in the course's code, gradients are never zeroed.
//   zero-grad  the same, with the gradients zeroed before every step as they "should" be:
//              it collapses (step 2 explains why).
//   corrected  (default) a recipe that trains correctly and predicts better (step 3).
//
// Then: held-out error (the course's metric and the global RMSE over every test rating,
// next to the per-item-mean baseline), top-N recommendations with titles, and the model
// saved as safetensors (--load it to recommend without training). Long runs save a
// checkpoint every --checkpoint-every epochs; --resume continues a run that stopped.
//
// Data: MovieLens ml-100k's u1.base/u1.test when found (--data DIR, $HG_DATA, ./data —
// `./lab fetch movielens 100k`), otherwise (or with --data builtin) the built-in synthetic
// MovieLens-shaped set.
#include <algorithm>
#include <csignal>
#include <cmath>
#include <filesystem>
#include <cstdio>
#include <iostream>
#include <map>
#include <memory>
#include <numeric>
#include <optional>
#include <sstream>

#include "data/baselines.hpp"
#include "data/batching.hpp"
#include "data/ratings.hpp"
#include "nn/nn.hpp"
#include "tutorials/common/course_model.hpp"
#include "tutorials/common/recommend.hpp"
#include "tutorials/common/tutorial.hpp"

using hg::Tensor;
using hg::Var;
using hg::data::Rating;
using hg::data::RatingMatrix;
namespace tut = hg::tutorial;

namespace {

// ---------------------------------------------------------------------------------------
// The models.

// The course's stacked autoencoder, n-20-10-20-n with sigmoid hidden layers and a linear
// output, is tut::course_model (tutorials/common/course_model.hpp): the benchmarks time it too.

// The corrected recipe's model. It predicts rating(u, i) = baseline(u, i) + residual(u, i):
// the baseline mu + b_u + b_i (each user's and movie's offset from the mean, fitted once,
// saved with the model as buffers) explains the easy part; the autoencoder learns what is
// left — the user's taste — from the residuals of the movies the user rated.
//   input dropout -> Linear(n, hidden) -> sigmoid -> Linear(hidden, n)
// Input dropout hides a random 70% of a user's known ratings during training while the
// loss still counts all of them: the network learns to predict ratings it cannot see,
// which is exactly its job at recommendation time (a denoising autoencoder).
class ResidualAutoencoder : public hg::Module {
public:
    ResidualAutoencoder(std::size_t n_users, std::size_t n_items, std::size_t hidden, float dropout, hg::Rng& rng)
        : Module("ResidualAutoencoder") {
        mu = register_buffer("mu", Tensor({1}));
        user_bias = register_buffer("user_bias", Tensor({n_users}));
        item_bias = register_buffer("item_bias", Tensor({n_items}));
        net = register_module("net", hg::sequential({std::make_shared<hg::Dropout>(dropout, rng),
                                                     std::make_shared<hg::Linear>(n_items, hidden, rng),
                                                     std::make_shared<hg::Sigmoid>(),
                                                     std::make_shared<hg::Linear>(hidden, n_items, rng)}));
    }
    void set_baseline(const hg::data::BiasModel& b) {
        mu.value()[0] = b.mu;
        std::copy(b.user_bias.begin(), b.user_bias.end(), user_bias.value().data());
        std::copy(b.item_bias.begin(), b.item_bias.end(), item_bias.value().data());
    }
    // The baseline of a batch of users, (users x n_items).
    Tensor baseline(const std::vector<std::size_t>& users) const {
        const std::size_t n = item_bias.value().numel();
        Tensor b(hg::Shape{users.size(), n});
        for (std::size_t r = 0; r < users.size(); ++r)
            for (std::size_t i = 0; i < n; ++i)
                b[r * n + i] = mu.value()[0] + user_bias.value()[users[r]] + item_bias.value()[i];
        return b;
    }
    Var forward(const Var& residuals) override { return (*net)(residuals); }

    Var mu, user_bias, item_bias;
    std::shared_ptr<hg::Sequential> net;
};

// ---------------------------------------------------------------------------------------
// Data and evaluation.

struct Data : tut::Ratings {  // name, split, movies (tutorials/common/recommend.hpp)
    RatingMatrix train, test;
};

std::vector<std::size_t> all_rows(std::size_t n) {
    std::vector<std::size_t> v(n);
    std::iota(v.begin(), v.end(), std::size_t{0});
    return v;
}

// A model's predictions for a batch of users: (users x n_items), from their training rows.
using Predictor = std::function<Tensor(const std::vector<std::size_t>& users)>;

// Predictions for every user and movie, (n_users x n_items), without building a graph.
Tensor predict_all(const Predictor& predict, std::size_t n_users) {
    hg::NoGradGuard no_grad;
    return predict(all_rows(n_users));
}

struct Scores {
    double course_metric = 0;  // mean over test users of sqrt(SE_u / n_u)
    double rmse = 0;           // over every test rating
};

// Both measures of error on `ratings`, from the full prediction matrix.
Scores score(const std::vector<Rating>& ratings, const Tensor& pred, bool clip, float lo, float hi) {
    const std::size_t n_items = pred.shape()[1];
    std::vector<double> se(pred.shape()[0], 0.0);
    std::vector<std::size_t> count(pred.shape()[0], 0);
    double total = 0;
    for (const Rating& r : ratings) {
        float p = pred[r.user * n_items + r.item];
        if (clip) p = std::clamp(p, lo, hi);
        const double e = (static_cast<double>(p) - r.rating) * (static_cast<double>(p) - r.rating);
        se[r.user] += e;
        ++count[r.user];
        total += e;
    }
    Scores s;
    std::size_t users = 0;
    for (std::size_t u = 0; u < se.size(); ++u)
        if (count[u]) {
            s.course_metric += std::sqrt(se[u] / static_cast<double>(count[u]));
            ++users;
        }
    s.course_metric /= static_cast<double>(std::max<std::size_t>(users, 1));
    s.rmse = std::sqrt(total / static_cast<double>(std::max<std::size_t>(ratings.size(), 1)));
    return s;
}

// ---------------------------------------------------------------------------------------
// Training.

// Periodic checkpoints (nn/checkpoint.hpp): model, optimiser, epoch and random streams,
// written crash-safely every `every` epochs, so that a run that stops (killed, power cut)
// continues with --resume exactly as if it had not. `values` travel with the checkpoint
// (the loop's own state: losses so far, the best validation score). --interrupt-after N
// kills this process after N epochs, for the test that resuming changes nothing.
struct Checkpointing {
    std::string path;
    int every = 0, interrupt_after = 0, trained = 0;
    bool resume = false;
    std::map<std::string, std::string> values;

    // The epoch to continue after: the checkpoint's, if resuming this phase; else 0.
    int resume_epoch(tut::Tutorial& t, hg::Checkpoint& ckpt, const std::string& phase) {
        if (!resume || !hg::checkpoint_exists(path) || hg::checkpoint_info(path).second["phase"] != phase) return 0;
        const int epoch = static_cast<int>(ckpt.load(path, &values));
        t.say() << "resumed from " << path << " after epoch " << epoch << "\n";
        return epoch;
    }
    void after_epoch(hg::Checkpoint& ckpt, int epoch, const std::string& phase) {
        ++trained;
        if (every > 0 && epoch % every == 0) {
            values["phase"] = phase;
            ckpt.save(path, static_cast<std::size_t>(epoch), values);
        }
        if (interrupt_after > 0 && trained == interrupt_after) std::raise(SIGKILL);
    }
};
std::string exact(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.17g", v);
    return buf;
}

// The course's loop: one user per step, RMSprop with weight decay 0.5; with
// zero_grad = false the gradients accumulate over every step, as in the course's code.
// Records the course's train loss of each epoch (the mean over users of the RMSE on their
// rated movies) and each epoch's duration.
struct EpochLog {
    std::vector<double> losses, seconds;
    double median_seconds() const {
        std::vector<double> s = seconds;
        std::sort(s.begin(), s.end());
        return s.empty() ? 0.0 : s[s.size() / 2];
    }
};

EpochLog train_course(tut::Tutorial& t, hg::Sequential& model, const RatingMatrix& train, int epochs, bool zero_grad,
                      Checkpointing* cp = nullptr) {
    hg::RMSprop opt(model.parameters(), tut::course_rmsprop());
    const std::size_t n_items = train.n_items();
    EpochLog log;
    tut::Progress progress(t, "epoch", epochs);
    hg::Checkpoint ckpt(model, opt);
    const int first = cp ? cp->resume_epoch(t, ckpt, "course") + 1 : 1;
    if (first > 1) {  // the losses of the epochs before the checkpoint
        std::istringstream saved(cp->values["losses"]);
        for (double l; saved >> l;) log.losses.push_back(l);
    }
    for (int e = first; e <= epochs; ++e) {
        const double start = t.seconds();
        double sum = 0;
        std::size_t users = 0;
        for (std::size_t u = 0; u < train.n_users(); ++u) {
            const std::size_t rated = train.by_user().row(u).size();
            if (rated == 0) continue;  // a user with no ratings teaches nothing
            const Var input = Var::constant(train.dense_rows({u}));
            if (zero_grad) opt.zero_grad();
            // Σ over rated movies of (y − x)², divided by ALL n_items (nn.MSELoss on the row)
            Var loss = hg::masked_mse(model(input), input, hg::ne(input.value(), 0.0f));
            loss.backward();
            opt.step();
            sum += std::sqrt(loss.item() * static_cast<double>(n_items) / static_cast<double>(rated));
            ++users;
        }
        log.losses.push_back(sum / static_cast<double>(users));
        log.seconds.push_back(t.seconds() - start);
        progress.update(e, "train loss " + tut::fixed(log.losses.back(), 4));
        if (cp) {
            cp->values["losses"] += (e > 1 ? " " : "") + exact(log.losses.back());
            cp->after_epoch(ckpt, e, "course");
        }
    }
    progress.finish();
    return log;
}

struct CorrectedSettings {
    std::size_t hidden = 200;
    float dropout = 0.7f;
    float lr = 1e-3f;
    std::size_t batch = 32;
    int max_epochs = 60;
    int patience = 5;
};

// Mini-batches of users, Adam, masked MSE on the residuals (mean over rated movies).
// Calls after_epoch(e) after every epoch; stops when it returns false.
void train_corrected(ResidualAutoencoder& model, const RatingMatrix& train, const CorrectedSettings& s, int epochs,
                     std::uint64_t seed, const std::function<bool(int)>& after_epoch, tut::Tutorial& t,
                     Checkpointing* cp = nullptr, const std::string& phase = "") {
    hg::Adam opt(model.parameters(), hg::AdamOptions(s.lr));
    hg::Rng rng(seed);
    hg::data::BatchSampler batches(train.n_users(), s.batch, rng);
    hg::Checkpoint ckpt(model, opt);
    ckpt.rng("batches", rng);
    const int first = cp ? cp->resume_epoch(t, ckpt, phase) + 1 : 1;
    for (int e = first; e <= epochs; ++e) {
        model.train();
        for (const std::vector<std::size_t>& users : batches.epoch()) {
            const Tensor rated = train.observed_rows(users);
            if (hg::sum(rated).item() == 0) continue;
            const Var residual = Var::constant((train.dense_rows(users) - model.baseline(users)) * rated);
            opt.zero_grad();
            Var loss = hg::masked_mse(model(residual), residual, rated, hg::MaskedMseOptions().mean_corrector(true));
            loss.backward();
            opt.step();
        }
        model.eval();
        const bool go_on = after_epoch(e);
        if (cp) cp->after_epoch(ckpt, e, phase);
        if (!go_on) break;
    }
    model.eval();
}

}  // namespace

int main(int argc, char** argv) {
    tut::Tutorial t("03_recommender", "The movie recommender: a stacked autoencoder on MovieLens");
    std::string mode = "corrected";
    std::int64_t user = 1;
    std::size_t top = 10, min_ratings = 20;
    std::string save_path, load_path;
    t.app().add_option("--mode", mode, "course | zero-grad | corrected")
        ->check(CLI::IsMember({"course", "zero-grad", "corrected"}));
    t.app().add_option("--user", user, "Recommend for this user id");
    t.app().add_option("--top", top, "How many movies to recommend")->check(CLI::PositiveNumber);
    t.app().add_option("--min-ratings", min_ratings, "Recommend only movies with at least this many training ratings");
    t.app().add_option("--save", save_path, "Where to save the trained model (default: <out>/<mode>.safetensors)");
    t.app().add_option("--load", load_path, "Load a saved model instead of training");
    std::string predictions_path;
    t.app().add_option("--predictions", predictions_path,
                       "Also write every user's training row and the model's predictions to this .safetensors file "
                       "(input, predictions: users x movies; bench/pytorch/load_hourglass.py checks them in PyTorch)");
    Checkpointing cp;
    cp.every = 10;
    t.app().add_option("--checkpoint-every", cp.every, "Save a checkpoint every N epochs to <out>/<mode>.checkpoint.safetensors (0: never)")
        ->check(CLI::NonNegativeNumber);
    t.app().add_flag("--resume", cp.resume, "Continue from the checkpoint of an earlier run of this mode, if there is one");
    t.app().add_option("--interrupt-after", cp.interrupt_after, "Kill the run after N epochs of training (to test --resume)")
        ->check(CLI::NonNegativeNumber);
    return t.run(argc, argv, [&] {
        const bool course_like = mode != "corrected";

        t.step(1, "The users x movies ratings");
        Data d;
        static_cast<tut::Ratings&>(d) = tut::load_ratings(t);
        tut::require_user(d, user);  // before the training, not after
        d.train = RatingMatrix::from(d.split.train);
        d.test = RatingMatrix::from(d.split.test);
        const std::size_t n_users = d.train.n_users(), n_items = d.train.n_items();
        const float lo = d.split.train.scale.min, hi = d.split.train.scale.max;
        t.say() << n_users << " users x " << n_items << " movies; " << d.train.nnz() << " training ratings ("
                << tut::fixed(100 * d.train.density(), 1) << "% of the matrix), " << d.test.nnz() << " test ratings\n";
        t.say() << "user 1's row of the matrix: " << d.train.dense_rows({0}) << "\n";
        t.check(d.train.nnz() > 0 && d.test.nnz() > 0, "both the training and the test ratings are there");

        // The baseline to beat: each movie's mean training rating.
        const std::vector<float> item_mean = hg::data::item_means(d.split.train.ratings, n_items);
        const double baseline_rmse = hg::data::rmse(d.split.test.ratings, [&](std::uint32_t, std::uint32_t i) { return item_mean[i]; });
        t.say() << "baseline: predict each movie's mean rating -> test RMSE " << tut::fixed(baseline_rmse, 4) << "\n";

        if (load_path.empty()) t.step(2, "The course's recipe, and the lesson hidden in it");
        // RMSprop divides each step by a running RMS of the gradient, so every weight moves
        // by about lr per step whatever the gradient's size. With weight_decay = 0.5 the
        // gradient it sees is g + 0.5·w. One user's g is tiny (a masked MSE averaged over
        // every movie), so with g zeroed before each step, 0.5·w dominates: every weight and
        // bias is pulled to 0 by ~lr per step, and within an epoch the network predicts ~0
        // for everything (test RMSE ≈ 3.7, the root mean square of the ratings themselves).
        // The course's code never zeroes the gradients: g is then the SUM of all gradients
        // so far, it grows with every step and outweighs the decay — an unusual form of
        // momentum that the course's 0.9495 rests on.
        if (load_path.empty()) {
            hg::Rng rng(t.options().seed);
            auto accumulate = tut::course_model(n_items, rng);
            hg::Rng rng2(t.options().seed);
            auto zeroed = tut::course_model(n_items, rng2);
            const int demo = 1;
            t.say() << "one epoch with accumulated gradients (the course):\n";
            train_course(t, *accumulate, d.train, demo, false);
            t.say() << "one epoch with gradients zeroed before each step:\n";
            train_course(t, *zeroed, d.train, demo, true);
            auto input_rows = [&](hg::Sequential& m) {
                return [&](const std::vector<std::size_t>& users) { return m(Var::constant(d.train.dense_rows(users))).value(); };
            };
            const Tensor pa = predict_all(input_rows(*accumulate), n_users), pz = predict_all(input_rows(*zeroed), n_users);
            const Scores sa = score(d.split.test.ratings, pa, false, lo, hi), sz = score(d.split.test.ratings, pz, false, lo, hi);
            t.say() << "after one epoch: accumulated -> test RMSE " << tut::fixed(sa.rmse, 3) << " (mean prediction "
                    << tut::fixed(hg::mean(pa).item(), 2) << "); zeroed -> test RMSE " << tut::fixed(sz.rmse, 3)
                    << " (mean prediction " << tut::fixed(hg::mean(pz).item(), 2) << ")\n";
            t.check(sz.rmse > 2.0 * sa.rmse, "zeroing the gradients collapses the course's model towards predicting 0");
        }

        t.step(3, course_like ? "Train the course's model (" + mode + ")" : "Train the corrected recipe");
        const std::string out = t.out_dir();
        const std::string model_file = save_path.empty() ? out + "/" + mode + ".safetensors" : save_path;
        cp.path = out + "/" + mode + ".checkpoint.safetensors";
        int epochs = 0;
        double train_loss = 0, val_rmse = 0, epoch_seconds = 0;
        Tensor pred;
        hg::Rng rng(t.options().seed);
        if (course_like) {
            auto model = tut::course_model(n_items, rng);
            t.say() << *model << "\n";
            if (!load_path.empty()) {
                hg::load(*model, load_path);
                t.say() << "loaded " << load_path << " (no training)\n";
            } else {
                epochs = t.epochs(200, 3);
                const EpochLog log = train_course(t, *model, d.train, epochs, mode == "zero-grad", &cp);
                epoch_seconds = log.median_seconds();
                train_loss = log.losses.back();
                t.say() << "train loss after epoch 1: " << tut::fixed(log.losses.front(), 4) << ", after epoch " << epochs
                        << ": " << tut::fixed(train_loss, 4) << "  (median " << tut::fixed(epoch_seconds, 3)
                        << " s per epoch)\n";
                hg::save(*model, model_file);
            }
            pred = predict_all([&](const std::vector<std::size_t>& users) { return (*model)(Var::constant(d.train.dense_rows(users))).value(); },
                               n_users);
        } else {
            const CorrectedSettings s;
            auto make = [&](std::uint64_t seed) {
                hg::Rng r(seed);
                return std::make_shared<ResidualAutoencoder>(n_users, n_items, s.hidden, s.dropout, r);
            };
            auto model = make(t.options().seed);
            t.say() << *model << "\n";
            auto predictor = [&](ResidualAutoencoder& m, const RatingMatrix& input) {
                return [&m, &input](const std::vector<std::size_t>& users) {
                    const Tensor rated = input.observed_rows(users);
                    const Tensor base = m.baseline(users);
                    return base + m(Var::constant((input.dense_rows(users) - base) * rated)).value();
                };
            };
            if (!load_path.empty()) {
                hg::load(*model, load_path);
                model->eval();  // a module starts in training mode: dropout off to predict
                t.say() << "loaded " << load_path << " (no training)\n";
            } else {
                // (a) Choose the number of epochs on a validation split of the TRAINING
                //     ratings (10%): never on the test set.
                const hg::data::Split fit_val = hg::data::random_split(d.split.train, 0.1, t.options().seed);
                const RatingMatrix fit = RatingMatrix::from(fit_val.train);
                model->set_baseline(hg::data::BiasModel::fit(fit_val.train.ratings, n_users, n_items));
                const int max_epochs = t.epochs(s.max_epochs, 12);
                double best = 1e9;
                int best_epoch = 0;
                // Resuming: the checkpoint carries (a)'s best so far; one of (b) means (a) is done.
                std::map<std::string, std::string> saved;
                if (cp.resume && hg::checkpoint_exists(cp.path)) saved = hg::checkpoint_info(cp.path).second;
                if (saved.count("best")) {
                    best = std::stod(saved["best"]);
                    best_epoch = std::stoi(saved["best_epoch"]);
                }
                t.say() << "(a) early stopping on a validation split (" << fit_val.test.size() << " of the "
                        << d.split.train.size() << " training ratings):\n";
                tut::Progress progress(t, "epoch", max_epochs);
                const double start = t.seconds();
                int ran = 0;
                train_corrected(*model, fit, s, saved["phase"] == "b" ? 0 : max_epochs, t.options().seed, [&](int e) {
                    ran = e;
                    const Tensor p = predict_all(predictor(*model, fit), n_users);
                    const double v = score(fit_val.test.ratings, p, true, lo, hi).rmse;
                    if (v < best) {
                        best = v;
                        best_epoch = e;
                    }
                    cp.values["best"] = exact(best);
                    cp.values["best_epoch"] = std::to_string(best_epoch);
                    progress.update(e, "validation RMSE " + tut::fixed(v, 4) + " (best " + tut::fixed(best, 4) +
                                           " at " + std::to_string(best_epoch) + ")");
                    return e - best_epoch < s.patience;
                }, t, &cp, "a");
                progress.finish();
                epoch_seconds = (t.seconds() - start) / std::max(ran, 1);
                t.say() << "best validation RMSE " << tut::fixed(best, 4) << " after " << best_epoch << " epochs\n";
                val_rmse = best;
                // (b) Train again on ALL training ratings for that many epochs.
                epochs = best_epoch;
                model = make(t.options().seed);
                model->set_baseline(hg::data::BiasModel::fit(d.split.train.ratings, n_users, n_items));
                t.say() << "(b) retrain on all " << d.split.train.size() << " training ratings for " << epochs << " epochs\n";
                train_corrected(*model, d.train, s, epochs, t.options().seed, [](int) { return true; }, t, &cp, "b");
                hg::save(*model, model_file);
            }
            pred = predict_all(predictor(*model, d.train), n_users);
        }
        if (load_path.empty()) t.say() << "saved the model to " << model_file << " (recommend from it with --load)\n";
        if (!predictions_path.empty()) {
            hg::save_safetensors(predictions_path, {{"input", d.train.dense_rows(all_rows(n_users))}, {"predictions", pred}},
                                 {{"mode", mode}});
            t.say() << "wrote every user's training row and predictions to " << predictions_path << "\n";
        }

        t.step(4, "Held-out error on the test ratings");
        // The course's metric: for each test user, the RMSE over their test ratings (their
        // training row as input), averaged over users. The usual one: RMSE over all ratings.
        const bool clip = !course_like;  // the course reports raw outputs; the corrected recipe clips to 1..5
        const Scores sc = score(d.split.test.ratings, pred, clip, lo, hi);
        t.say() << "course metric " << tut::fixed(sc.course_metric, 4) << ", global test RMSE " << tut::fixed(sc.rmse, 4)
                << ", per-item-mean baseline " << tut::fixed(baseline_rmse, 4) << "\n";
        if (!load_path.empty())
            t.say() << "(a loaded model: no claim about how it was trained)\n";
        else if (mode == "zero-grad")
            t.check(sc.rmse > 2.5, "with zeroed gradients the model collapses (predicts ~0, RMSE far above the baseline)");
        else if (mode == "corrected" || epochs >= 100)
            t.check(sc.rmse < baseline_rmse, "the autoencoder beats the per-item-mean baseline");
        else
            t.say() << "(a short course run; the course's model needs ~100+ epochs to beat the baseline)\n";

        t.step(5, "Recommendations");
        tut::recommend(t, d, user, top, min_ratings, [&](std::size_t u, std::size_t i) { return pred[u * n_items + i]; });

        std::vector<std::pair<std::string, std::string>> result{{"dataset", d.name},
                                                                {"mode", mode},
                                                                {"course_metric", tut::fixed(sc.course_metric, 4)},
                                                                {"test_rmse", tut::fixed(sc.rmse, 4)},
                                                                {"baseline_rmse", tut::fixed(baseline_rmse, 4)}};
        if (load_path.empty()) {
            if (course_like) result.emplace_back("train_loss", tut::fixed(train_loss, 4));
            else result.emplace_back("val_rmse", tut::fixed(val_rmse, 4));
            result.emplace_back("epochs", std::to_string(epochs));
            result.emplace_back("epoch_seconds", tut::fixed(epoch_seconds, 4));
        } else {
            result.emplace_back("loaded", std::filesystem::path(load_path).filename().string());
        }
        t.result(result);
    });
}
