// Tutorial 03 — the movie recommender: a stacked autoencoder over each user's ratings.
//
// Three recipes (--mode course | zero-grad | corrected), their held-out error next to a
// baseline, top-N recommendations with titles, save / load, checkpoints and --resume.
// The models are models/course.hpp and models/recommender.hpp; the training loops are here, the
// course's step and the zero-grad lesson's measurements in tutorials/common/course_lesson.hpp.
// The program prints; tutorials/03_recommender.md explains (and holds the measured numbers).
#include <algorithm>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <numeric>

#include "autograd/ops.hpp"
#include "data/baselines.hpp"
#include "data/batching.hpp"
#include "data/ratings.hpp"
#include "models/course.hpp"
#include "models/recommender.hpp"
#include "nn/adam.hpp"
#include "nn/checkpoint.hpp"
#include "autograd/loss.hpp"
#include "nn/rmsprop.hpp"
#include "nn/safetensors.hpp"
#include "tensor/format.hpp"
#include "tutorials/common/course_lesson.hpp"
#include "tutorials/common/recommend.hpp"
#include "tutorials/common/tutorial.hpp"

using hg::Tensor;
using hg::Var;
using hg::data::RatingMatrix;
using hg::models::ResidualAutoencoder;
namespace tut = hg::tutorial;

namespace {

struct Data : tut::Ratings {  // name, split, movies (tutorials/common/recommend.hpp)
    RatingMatrix train, test;
    float lo = 1, hi = 5;     // the rating scale
    double baseline_rmse = 0;  // the per-item mean on the test ratings
};

std::vector<std::size_t> all_rows(std::size_t n) {
    std::vector<std::size_t> v(n);
    std::iota(v.begin(), v.end(), std::size_t{0});
    return v;
}

// Checkpoints (nn/checkpoint.hpp) every `every` epochs, so that a run that stops continues
// with --resume exactly as if it had not; `values` travel with it (losses, the best score).
struct Checkpointing {
    std::string path;
    int every = 10;
    bool resume = false;
    std::map<std::string, std::string> values;

    // Before any training: refuse a checkpoint to resume of another mode or seed.
    void check_settings(const std::string& mode, std::uint64_t seed) {
        values = {{"mode", mode}, {"seed", std::to_string(seed)}};  // saved with every checkpoint
        if (resume && hg::checkpoint_exists(path)) hg::check_checkpoint_settings(path, hg::checkpoint_info(path).second, values);
    }
    // The epoch to continue after: the checkpoint's, if resuming this phase; else 0. A
    // checkpoint past this run's last epoch is refused.
    int resume_epoch(tut::Tutorial& t, hg::Checkpoint& ckpt, const std::string& phase, int epochs) {
        if (!resume || !hg::checkpoint_exists(path)) return 0;
        const auto [saved_epoch, saved] = hg::checkpoint_info(path);
        if (hg::checkpoint_text(path, saved, "phase") != phase) return 0;
        if (saved_epoch > static_cast<std::size_t>(epochs))
            throw hg::ValueError("checkpoint '" + path + "' is after epoch " + std::to_string(saved_epoch) +
                                 ", past this run's last epoch " + std::to_string(epochs) + ": give --epochs " +
                                 std::to_string(saved_epoch) + " or more to continue it, or delete it to start again");
        const int epoch = static_cast<int>(ckpt.load(path, &values));
        t.say() << "resumed from " << path << " after epoch " << epoch << "\n";
        return epoch;
    }
    void after_epoch(hg::Checkpoint& ckpt, int epoch, const std::string& phase) {
        if (every <= 0 || epoch % every != 0) return;
        values["phase"] = phase;
        ckpt.save(path, static_cast<std::size_t>(epoch), values);
    }
};

// The course's loop: one user per step, RMSprop; with zero_grad = false the gradients
// accumulate over every step, as in the course's code. Returns the course's train loss of
// each epoch (the mean over users of the RMSE on their rated movies); epoch_seconds: the median epoch.
std::vector<double> train_course(tut::Tutorial& t, hg::Sequential& model, const RatingMatrix& train, int epochs,
                                 bool zero_grad, Checkpointing& cp, double& epoch_seconds) {
    hg::RMSprop opt(model.parameters(), hg::models::course_rmsprop());
    std::vector<double> losses, seconds;
    tut::Progress progress(t, "epoch", epochs);
    hg::Checkpoint ckpt(model, opt);
    const int first = cp.resume_epoch(t, ckpt, "course", epochs) + 1;
    if (first > 1) losses = hg::checkpoint_numbers(cp.path, cp.values, "losses", first - 1);  // the epochs before it
    for (int e = first; e <= epochs; ++e) {
        const double start = t.seconds();
        losses.push_back(tut::course_epoch(model, opt, train, {.zero_grad = zero_grad}));
        seconds.push_back(t.seconds() - start);
        progress.update(e, "train loss " + tut::fixed(losses.back(), 4));
        cp.values["losses"] += (e > 1 ? " " : "") + hg::format_number(losses.back(), 17);  // every digit
        cp.after_epoch(ckpt, e, "course");
    }
    progress.finish();
    std::sort(seconds.begin(), seconds.end());
    epoch_seconds = seconds.empty() ? 0.0 : seconds[seconds.size() / 2];
    return losses;
}

// Mini-batches of users, Adam, masked MSE on the residuals (mean over rated movies).
// Calls after_epoch(e) after every epoch; stops when it returns false.
void train_corrected(tut::Tutorial& t, ResidualAutoencoder& model, const RatingMatrix& train, int epochs,
                     const std::function<bool(int)>& after_epoch, Checkpointing& cp, const std::string& phase) {
    const hg::models::RecommenderSettings s;
    hg::Adam opt(model.parameters(), hg::AdamOptions(s.lr));
    hg::Rng rng(t.options().seed);
    hg::data::BatchSampler batches(train.n_users(), s.batch, rng);
    hg::Checkpoint ckpt(model, opt);
    ckpt.rng("batches", rng);
    for (int e = cp.resume_epoch(t, ckpt, phase, epochs) + 1; e <= epochs; ++e) {
        model.train();
        for (const std::vector<std::size_t>& users : batches.epoch()) {
            const Tensor rated = train.observed_rows(users);
            if (hg::sum(rated).item() == 0) continue;
            const Var residual = Var::constant(model.residuals(train, users));
            opt.zero_grad();
            Var loss = hg::masked_mse(model(residual), residual, rated, hg::MaskedMseOptions().mean_corrector(true));
            loss.backward();
            opt.step();
        }
        model.eval();
        const bool go_on = after_epoch(e);
        cp.after_epoch(ckpt, e, phase);
        if (!go_on) break;
    }
    model.eval();
}

// Step 1: the users x movies matrix, and the baseline to beat (each movie's mean rating).
Data load(tut::Tutorial& t, std::int64_t user, const std::string& fold) {
    t.step(1, "The users x movies ratings");
    Data d;
    static_cast<tut::Ratings&>(d) = tut::load_ratings(t, fold);
    tut::require_user(d, user);  // before the training, not after
    d.train = RatingMatrix::from(d.split.train);
    d.test = RatingMatrix::from(d.split.test);
    d.lo = d.split.train.scale.min;
    d.hi = d.split.train.scale.max;
    t.say() << d.train.n_users() << " users x " << d.train.n_items() << " movies; " << d.train.nnz() << " training ratings ("
            << tut::fixed(100 * d.train.density(), 1) << "% of the matrix), " << d.test.nnz() << " test ratings\n";
    t.say() << "user 1's row of the matrix: " << d.train.dense_rows({0}) << "\n";
    t.check(d.train.nnz() > 0 && d.test.nnz() > 0, "both the training and the test ratings are there");
    const std::vector<float> item_mean = hg::data::item_means(d.split.train.ratings, d.train.n_items());
    d.baseline_rmse = hg::data::rmse(d.split.test.ratings, [&](std::uint32_t, std::uint32_t i) { return item_mean[i]; });
    t.say() << "baseline: predict each movie's mean rating -> test RMSE " << tut::fixed(d.baseline_rmse, 4) << "\n";
    return d;
}

// Step 2: one epoch of the course's recipe with accumulated and with zeroed gradients. With
// explain (--mode zero-grad): why zeroing breaks it, measured, and a grid of short runs that
// changes one choice at a time; returns the grid's result keys.
tut::ResultKeys zero_grad_lesson(tut::Tutorial& t, const Data& d, bool explain) {
    t.step(2, "The course's recipe, and the lesson hidden in it");
    const tut::CourseRuns runs{d.train, d.split.test.ratings, t.options().seed};
    const float wd = hg::models::course_rmsprop().weight_decay();
    const double accumulated = tut::course_run(runs, {.zero_grad = false}, wd, 1).back();
    const double zeroed = tut::course_run(runs, {.zero_grad = true}, wd, 1).back();
    t.say() << "one epoch, test RMSE: gradients accumulated (the course's code) " << tut::fixed(accumulated, 3)
            << " stars; zeroed before each step " << tut::fixed(zeroed, 3) << " stars\n";
    t.check(zeroed > 2.0 * accumulated, "zeroing the gradients collapses the course's model towards predicting 0");
    if (!explain) {
        t.say() << "(--mode zero-grad explains why, with measurements and a grid of short runs)\n";
        return {};
    }
    tut::explain_decay_only(t, runs);
    const tut::GridResult grid = tut::zero_grad_grid(t, runs, d.baseline_rmse, t.pick(5, 2));
    t.say() << "\nSo the course's recipe works because two of its mistakes cancel. (a) Its code never zeroes the gradients:\n"
               "each step follows the sum of every gradient so far, a momentum that never forgets, which alone learns badly\n"
               "(row 8). (b) Its weight decay of 0.5, with zeroed gradients, erases every movie a user did not rate, and\n"
               "with RMSprop even a decay of 0.0001 hurts (rows 4-6). Together, the sum keeps every gradient away from 0\n"
               "and the decay holds the growing sum back. Take away: zero the gradients before every step. With RMSprop or\n"
               "Adam, a decay added to the gradient erases every weight the loss does not reach whatever its size, and with\n"
               "sparse inputs that is most of them: use no decay, or a decoupled one that shrinks by lr*wd per step (AdamW,\n"
               "Loshchilov & Hutter 2019). The corrected recipe (the default --mode) zeroes its gradients and has no decay.\n";
    return grid.keys();
}

struct Trained {
    Tensor pred;  // every user's predicted ratings (n_users x n_items)
    int epochs = 0;
    double train_loss = 0, val_rmse = 0, epoch_seconds = 0;
};

// Step 3, course and zero-grad: the course's model for 200 epochs (or loaded).
Trained course_recipe(tut::Tutorial& t, const Data& d, const std::string& mode, const std::string& load_path,
                      const std::string& model_file, Checkpointing& cp) {
    Trained r;
    hg::Rng rng(t.options().seed);
    auto model = hg::models::course_model(d.train.n_items(), rng);
    t.say() << *model << "\n";
    if (!load_path.empty()) {
        hg::load(*model, load_path);
        t.say() << "loaded " << load_path << " (no training)\n";
    } else {
        r.epochs = t.epochs(200, 3);
        const std::vector<double> losses = train_course(t, *model, d.train, r.epochs, mode == "zero-grad", cp, r.epoch_seconds);
        r.train_loss = losses.back();
        t.say() << "train loss after epoch 1: " << tut::fixed(losses.front(), 4) << ", after epoch " << r.epochs << ": "
                << tut::fixed(r.train_loss, 4) << "  (median " << tut::fixed(r.epoch_seconds, 3) << " s per epoch)\n";
        hg::save(*model, model_file);
    }
    r.pred = tut::course_predictions(*model, d.train);
    return r;
}

// Step 3, corrected: (a) the number of epochs by early stopping on a validation split of the
// TRAINING ratings, (b) retrain on all of them for that many epochs (or load).
Trained corrected_recipe(tut::Tutorial& t, const Data& d, const std::string& load_path, const std::string& model_file,
                         Checkpointing& cp) {
    const hg::models::RecommenderSettings s;
    const std::size_t n_users = d.train.n_users(), n_items = d.train.n_items();
    auto make = [&] {
        hg::Rng r(t.options().seed);
        return std::make_shared<ResidualAutoencoder>(n_users, n_items, s, r);
    };
    Trained r;
    auto model = make();
    t.say() << *model << "\n";
    if (!load_path.empty()) {
        hg::load(*model, load_path);
        model->eval();  // a module starts in training mode: dropout off to predict
        t.say() << "loaded " << load_path << " (no training)\n";
        r.pred = model->predict(d.train, all_rows(n_users));
        return r;
    }
    const hg::data::Split fit_val = hg::data::random_split(d.split.train, 0.1, t.options().seed);
    const RatingMatrix fit = RatingMatrix::from(fit_val.train);
    model->set_baseline(hg::data::BiasModel::fit(fit_val.train.ratings, n_users, n_items));
    const int max_epochs = t.epochs(s.max_epochs, 12);
    double best = 1e9;
    int best_epoch = 0, ran = 0;
    // Resuming: the checkpoint carries (a)'s best so far; one of (b) means (a) is done.
    std::map<std::string, std::string> saved;
    if (cp.resume && hg::checkpoint_exists(cp.path)) saved = hg::checkpoint_info(cp.path).second;
    if (saved.count("best")) {
        best = hg::checkpoint_number(cp.path, saved, "best");
        best_epoch = hg::checkpoint_count(cp.path, saved, "best_epoch");
    }
    t.say() << "(a) early stopping on a validation split (" << fit_val.test.size() << " of the " << d.split.train.size()
            << " training ratings):\n";
    tut::Progress progress(t, "epoch", max_epochs);
    const double start = t.seconds();
    train_corrected(t, *model, fit, saved["phase"] == "b" ? 0 : max_epochs, [&](int e) {
        ran = e;
        const double v = tut::score(fit_val.test.ratings, model->predict(fit, all_rows(n_users)), true, d.lo, d.hi).rmse;
        if (v < best) best = v, best_epoch = e;
        cp.values["best"] = hg::format_number(best, 17);
        cp.values["best_epoch"] = std::to_string(best_epoch);
        progress.update(e, "validation RMSE " + tut::fixed(v, 4) + " (best " + tut::fixed(best, 4) + " at " +
                               std::to_string(best_epoch) + ")");
        return e - best_epoch < s.patience;
    }, cp, "a");
    progress.finish();
    r.epoch_seconds = (t.seconds() - start) / std::max(ran, 1);
    t.say() << "best validation RMSE " << tut::fixed(best, 4) << " after " << best_epoch << " epochs\n";
    r.val_rmse = best;
    r.epochs = best_epoch;
    model = make();
    model->set_baseline(hg::data::BiasModel::fit(d.split.train.ratings, n_users, n_items));
    t.say() << "(b) retrain on all " << d.split.train.size() << " training ratings for " << r.epochs << " epochs\n";
    train_corrected(t, *model, d.train, r.epochs, [](int) { return true; }, cp, "b");
    hg::save(*model, model_file);
    r.pred = model->predict(d.train, all_rows(n_users));
    return r;
}

// Step 4: the course's metric (per test user, the RMSE over their test ratings, averaged
// over users) and the usual one (the RMSE over all test ratings).
tut::Scores held_out(tut::Tutorial& t, const Data& d, const Trained& r, const std::string& mode, bool loaded) {
    t.step(4, "Held-out error on the test ratings");
    const bool clip = mode == "corrected";  // the course reports raw outputs; the corrected recipe clips to 1..5
    const tut::Scores sc = tut::score(d.split.test.ratings, r.pred, clip, d.lo, d.hi);
    t.say() << "course metric (each test user's RMSE over their own test ratings, averaged over users) "
            << tut::fixed(sc.course_metric, 4) << " stars\nglobal test RMSE (over all " << d.test.nnz() << " test ratings) "
            << tut::fixed(sc.rmse, 4) << " stars; per-item-mean baseline " << tut::fixed(d.baseline_rmse, 4) << " stars\n";
    if (loaded)
        t.say() << "(a loaded model: no claim about how it was trained)\n";
    else if (mode == "zero-grad")
        t.check(sc.rmse > 2.5, "with zeroed gradients the model collapses (predicts ~0, RMSE far above the baseline)");
    else if (mode == "corrected" || r.epochs >= 100)
        t.check(sc.rmse < d.baseline_rmse, "the autoencoder beats the per-item-mean baseline");
    else
        t.say() << "(a short course run; the course's model needs ~100+ epochs to beat the baseline)\n";
    return sc;
}

}  // namespace

int main(int argc, char** argv) {
    tut::Tutorial t("03_recommender", "The movie recommender: a stacked autoencoder on MovieLens");
    std::string mode = "corrected", save_path, load_path;
    tut::RecommendSettings who;
    Checkpointing cp;
    t.app().add_option("--mode", mode, "course | zero-grad | corrected")->check(CLI::IsMember({"course", "zero-grad", "corrected"}));
    who.add_flags(t);
    t.output_file("--save", save_path, "Where to save the trained model (default: <out>/<mode>-<data set>[-quick|-<N>epochs].safetensors)");
    t.input_file("--load", load_path, "Load a saved model instead of training");
    t.app().add_option("--checkpoint-every", cp.every, "Save a checkpoint every N epochs to <out>/<mode>.checkpoint.safetensors (0: never)")
        ->check(tut::at_least(0));
    t.app().add_flag("--resume", cp.resume, "Continue from the checkpoint of an earlier run of this mode, if there is one");
    return t.run(argc, argv, [&] {
        cp.path = t.out_dir() + "/" + mode + ".checkpoint.safetensors";
        cp.check_settings(mode, t.options().seed);
        const Data d = load(t, who.user, who.fold);
        const bool loaded = !load_path.empty();
        const auto grid = loaded ? tut::ResultKeys{} : zero_grad_lesson(t, d, mode == "zero-grad");  // the lesson's keys

        t.step(3, mode == "corrected" ? "Train the corrected recipe" : "Train the course's model (" + mode + ")");
        // <out>/<mode>-<data set>[-quick | -<N>epochs].safetensors: a quick, short or synthetic run never replaces a full one's
        const int epochs = t.options().epochs;
        const std::string setting = t.options().quick ? "-quick" : epochs ? "-" + std::to_string(epochs) + "epochs" : "";
        const std::string model_file = save_path.empty() ? t.out_dir() + "/" + mode + "-" + d.name + setting + ".safetensors" : save_path;
        const Trained r = mode == "corrected" ? corrected_recipe(t, d, load_path, model_file, cp)
                                              : course_recipe(t, d, mode, load_path, model_file, cp);
        if (!loaded) t.say() << "saved the model to " << model_file << " (recommend from it with --load)\n";
        const tut::Scores sc = held_out(t, d, r, mode, loaded);

        t.step(5, "Recommendations");
        const std::size_t n_items = d.train.n_items();
        tut::recommend(t, d, who, [&](std::size_t u, std::size_t i) { return r.pred[u * n_items + i]; });

        std::vector<std::pair<std::string, std::string>> result{
            {"dataset", d.name}, {"mode", mode}, {"course_metric", tut::fixed(sc.course_metric, 4)},
            {"test_rmse", tut::fixed(sc.rmse, 4)}, {"baseline_rmse", tut::fixed(d.baseline_rmse, 4)}};
        result.insert(result.end(), grid.begin(), grid.end());
        if (loaded) {
            result.emplace_back("loaded", std::filesystem::path(load_path).filename().string());
        } else {
            result.emplace_back(mode == "corrected" ? "val_rmse" : "train_loss",
                                tut::fixed(mode == "corrected" ? r.val_rmse : r.train_loss, 4));
            result.emplace_back("epochs", std::to_string(r.epochs));
            result.emplace_back("epoch_seconds", tut::fixed(r.epoch_seconds, 4));
        }
        t.result(result);
    });
}
