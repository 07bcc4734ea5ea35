#include "tutorials/common/course_lesson.hpp"

#include <algorithm>
#include <cmath>
#include <memory>
#include <numeric>
#include <sstream>
#include <utility>

#include "autograd/loss.hpp"
#include "autograd/ops.hpp"
#include "autograd/var.hpp"
#include "models/course.hpp"
#include "tutorials/common/recommend.hpp"

namespace hg::tutorial {

double course_step(Sequential& model, RMSprop& opt, const data::RatingMatrix& train, std::size_t u,
                   const CourseLoop& loop) {
    const Var input = Var::constant(train.dense_rows({u}));
    if (loop.zero_grad) opt.zero_grad();  // the course's code never does this
    Var loss = masked_mse(model(input), input, ne(input.value(), 0.0f), MaskedMseOptions().mean_corrector(loop.per_rated));
    loss.backward();
    opt.step();
    const double rated = static_cast<double>(train.by_user().row(u).size());
    return std::sqrt(loss.item() * (loop.per_rated ? 1.0 : static_cast<double>(train.n_items()) / rated));
}

double course_epoch(Sequential& model, RMSprop& opt, const data::RatingMatrix& train, const CourseLoop& loop) {
    double sum = 0;
    std::size_t users = 0;
    for (std::size_t u = 0; u < train.n_users(); ++u) {
        if (train.by_user().row(u).size() == 0) continue;  // a user with no ratings teaches nothing
        sum += course_step(model, opt, train, u, loop);
        ++users;
    }
    return sum / static_cast<double>(std::max<std::size_t>(users, 1));
}

Tensor course_predictions(Sequential& model, const data::RatingMatrix& input) {
    NoGradGuard no_grad;
    std::vector<std::size_t> users(input.n_users());
    std::iota(users.begin(), users.end(), std::size_t{0});
    return model(Var::constant(input.dense_rows(users))).value();
}

std::vector<double> course_run(const CourseRuns& runs, const CourseLoop& loop, float weight_decay, int epochs) {
    Rng rng(runs.seed);
    auto model = models::course_model(runs.train.n_items(), rng);
    RMSprop opt(model->parameters(), models::course_rmsprop().weight_decay(weight_decay));
    std::vector<double> rmse;
    for (int e = 0; e < epochs; ++e) {
        course_epoch(*model, opt, runs.train, loop);
        rmse.push_back(score(runs.test, course_predictions(*model, runs.train), /*clip=*/false, 0, 0).rmse);  // raw, as the course
    }
    return rmse;
}

namespace {

double median(std::vector<double> v) {
    if (v.empty()) return 0;
    std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(v.size() / 2), v.end());
    return v[v.size() / 2];
}

// Every parameter entry of `model`, in order, through f(value, gradient).
template <class F>
void each_entry(Sequential& model, F f) {
    for (Var& p : model.parameters())
        for (std::size_t k = 0; k < p.value().numel(); ++k) f(p.value()[k], p.grad()[k]);
}

// What RMSprop does to the parameters that get no gradient from the loss in a step (only the
// decay moves them): fresh course models trained with gradients zeroed before each step.
struct DecayOnly {
    double fraction = 0;            // of all parameters, averaged over one epoch's steps (decay a)
    double first_step = 0;          // their median change in the first step, in units of lr (decay a)
    double kept_a = 0, kept_b = 0;  // after `steps` steps, the median |w| / |w at the start| of the weights
                                    // that got no gradient from the loss in any of them (decays a, b)
    double never_reached = 0;       // the fraction of parameters no step of the epoch gave a loss gradient (a)
    double accumulated = 0;         // with gradients accumulated (the course, decay a): the fraction of
                                    // parameters whose gradient is still 0 after one epoch
};

DecayOnly measure_decay_only(const CourseRuns& runs, float decay_a, float decay_b, int steps) {
    auto make = [&](float decay) {
        Rng rng(runs.seed);
        auto model = models::course_model(runs.train.n_items(), rng);
        auto opt = std::make_unique<RMSprop>(model->parameters(), models::course_rmsprop().weight_decay(decay));
        return std::make_pair(model, std::move(opt));
    };
    auto [a, opt_a] = make(decay_a);
    auto [b, opt_b] = make(decay_b);
    std::vector<float> start;  // every parameter at the start (the same in a and b)
    each_entry(*a, [&](float w, float) { start.push_back(w); });
    const double n = static_cast<double>(start.size());
    // Which parameters no step so far gave a loss gradient: in a (the whole epoch), in b (the first `steps`).
    std::vector<bool> untouched_a(start.size(), true), untouched_b(start.size(), true);
    auto kept = [&](Sequential& model) {  // the median |w| / |w at the start| of those untouched in both
        std::vector<double> ratios;
        std::size_t k = 0;
        each_entry(model, [&](float w, float) {
            if (untouched_a[k] && untouched_b[k] && start[k] != 0.0f) ratios.push_back(std::abs(w / start[k]));
            ++k;
        });
        return median(ratios);
    };
    DecayOnly m;
    std::vector<double> first_step;
    int step = 0;
    for (std::size_t u = 0; u < runs.train.n_users(); ++u) {
        if (runs.train.by_user().row(u).size() == 0) continue;
        ++step;
        course_step(*a, *opt_a, runs.train, u, CourseLoop{});
        std::size_t k = 0, zero = 0;
        each_entry(*a, [&](float w, float g) {
            zero += g == 0.0f;
            untouched_a[k] = untouched_a[k] && g == 0.0f;
            if (step == 1 && g == 0.0f) first_step.push_back(std::abs(w - start[k]) / opt_a->lr());
            ++k;
        });
        m.fraction += static_cast<double>(zero) / n;
        if (step > steps) continue;
        course_step(*b, *opt_b, runs.train, u, CourseLoop{});
        k = 0;
        each_entry(*b, [&](float, float g) { untouched_b[k] = untouched_b[k] && g == 0.0f; ++k; });
        if (step == steps) m.kept_a = kept(*a), m.kept_b = kept(*b);
    }
    m.fraction /= std::max(step, 1);
    m.first_step = median(first_step);
    m.never_reached = static_cast<double>(std::count(untouched_a.begin(), untouched_a.end(), true)) / n;
    auto [c, opt_c] = make(decay_a);
    course_epoch(*c, *opt_c, runs.train, CourseLoop{.zero_grad = false});
    std::size_t zero = 0;
    each_entry(*c, [&](float, float g) { zero += g == 0.0f; });
    m.accumulated = static_cast<double>(zero) / n;
    return m;
}

// One row of the grid: the recipe, and the test RMSE after each epoch.
struct GridRow {
    CourseLoop loop;
    float weight_decay = 0;
    std::vector<double> rmse = {};  // filled by run_grid
    double last() const { return rmse.back(); }
};

// Runs every row for `epochs` (course_run) and prints a table of them, one row a line.
void run_grid(Tutorial& t, const CourseRuns& runs, std::vector<GridRow>& rows, int epochs) {
    t.say() << "     gradients    loss divided by   weight decay   test RMSE after epoch 1.." << epochs << "\n";
    int number = 0;
    for (GridRow& row : rows) {
        row.rmse = course_run(runs, row.loop, row.weight_decay, epochs);
        std::ostringstream decay;
        decay << row.weight_decay;
        t.say() << "  " << ++number << "  " << (row.loop.zero_grad ? "zeroed     " : "accumulated") << "  "
                << (row.loop.per_rated ? "rated movies" : "all movies  ") << "      " << right(decay.str(), 6) << "         "
                << joined(row.rmse, 3) << "\n";
    }
}

}  // namespace

void explain_decay_only(Tutorial& t, const CourseRuns& runs) {
    double squares = 0;  // predicting 0 for every rating scores the ratings' root mean square
    for (const data::Rating& r : runs.test) squares += static_cast<double>(r.rating) * r.rating;
    t.say() << "(predicting 0 for every movie scores " << fixed(std::sqrt(squares / static_cast<double>(runs.test.size())), 3)
            << " stars)\n";
    const float course_wd = models::course_rmsprop().weight_decay(), lr = models::course_rmsprop().lr();
    const float tiny = 1e-4f;
    const int steps = 10;
    const DecayOnly m = measure_decay_only(runs, course_wd, tiny, steps);
    auto pct = [](double f) { return fixed(100 * f, 1) + "%"; };
    t.say() << "\nWhy. (1) One user's step reaches few weights. Their input is 0 for the movies they did not rate, and\n"
               "the loss leaves those movies' outputs out, so those movies' input weights, output weights and output\n"
               "biases get no gradient from the loss.\n"
            << "  measured: " << pct(m.fraction) << " of the parameters in an average step (users rated "
            << pct(runs.train.density()) << " of the movies)\n";
    t.check(m.fraction > 0.8, "in a step most parameters get no gradient from the loss");
    t.say() << "(2) For those, RMSprop's gradient is g = wd*w alone, and it steps by lr*g/sqrt(v) with v the running mean\n"
               "of g^2: wd cancels (all but RMSprop's eps), so they are erased as fast at any decay.\n"
            << "  measured: their first step is " << fixed(m.first_step, 1)
            << " x lr (v starts at 0, which throws them across 0); after " << steps << " steps the\n  median one keeps "
            << scientific(m.kept_a, 1) << " of its size at wd " << course_wd << " and " << scientific(m.kept_b, 1)
            << " at wd " << tiny << " (plain SGD would keep " << pct(std::pow(1 - lr * course_wd, steps)) << " and "
            << fixed(100 * std::pow(1 - lr * tiny, steps), 3) << "%)\n";
    t.check(m.kept_a < 1e-3 && m.kept_b < 1e-3,
            "within " + std::to_string(steps) + " steps, wd 0.5 and wd 0.0001 alike erase the weights the loss did not reach");
    t.say() << "A movie is rated by 1 user in " << fixed(1 / runs.train.density(), 0)
            << " on average: between two of its raters the model forgets it. A larger\n"
               "loss gradient cannot help the weights it does not reach; a smaller decay only slows the erasing where a\n"
               "recent loss gradient still fills v.\n"
               "(3) The course's code never zeroes the gradients: each step follows the sum of every gradient so far,\n"
               "so the decay never acts alone on a weight whose movie anyone has rated.\n"
            << "  measured: after one epoch " << pct(m.accumulated)
            << " of the parameters still have a zero gradient: the " << pct(m.never_reached)
            << " that no step of an epoch\n  reaches (the movies nobody rated)\n";
    t.check(m.accumulated < 0.1, "with accumulated gradients almost every parameter keeps a gradient from the loss");

}

ResultKeys GridResult::keys() const {
    return {{"zeroed_wd_rmse", fixed(zeroed_wd, 4)}, {"zeroed_nowd_rmse", fixed(zeroed_nowd, 4)},
            {"accumulated_wd_rmse", fixed(accumulated_wd, 4)}, {"accumulated_nowd_rmse", fixed(accumulated_nowd, 4)}};
}

GridResult zero_grad_grid(Tutorial& t, const CourseRuns& runs, double baseline, int epochs) {
    const float course_wd = models::course_rmsprop().weight_decay();
    t.say() << "\nThe grid: the course's model and RMSprop, one choice changed at a time (" << epochs
            << " epochs each; test RMSE in stars):\n";
    std::vector<GridRow> rows{{{.zero_grad = true}, course_wd}, {{.zero_grad = true}, 0.0f},
                              {{.zero_grad = true, .per_rated = true}, course_wd}, {{.zero_grad = true}, 1e-2f},
                              {{.zero_grad = true}, 1e-3f}, {{.zero_grad = true}, 1e-4f},
                              {{.zero_grad = false}, course_wd}, {{.zero_grad = false}, 0.0f}};
    run_grid(t, runs, rows, epochs);
    auto learns = [&](const GridRow& r) { return r.last() < r.rmse.front() && r.last() < 1.25 * baseline; };
    const GridRow &zero_wd = rows[0], &zero_none = rows[1], &per_rated = rows[2], &wd2 = rows[3], &wd3 = rows[4],
                  &wd4 = rows[5], &acc_wd = rows[6], &acc_none = rows[7];
    t.check(zero_wd.last() > 2 * baseline, "zeroed, wd 0.5: collapses (ends above twice the baseline's RMSE)");
    t.check(learns(zero_none), "zeroed, no decay: learns (its RMSE falls and ends within 25% of the baseline's)");
    t.check(per_rated.last() > 2 * baseline,
            "zeroed, wd 0.5, the loss per rated movie (a gradient ~20x larger): collapses all the same");
    t.check(wd2.last() > wd3.last() && wd3.last() > wd4.last() && wd4.last() > zero_none.last(),
            "zeroed: every decay hurts, the more the larger it is (0.01, 0.001, 0.0001, none)");
    t.check(learns(acc_wd), "accumulated, wd 0.5 (the course's recipe): learns");
    t.check(acc_none.last() > 1.2 * acc_wd.last(), "accumulated, no decay: ends far worse (by 20%+) than with the decay");
    return {zero_wd.last(), zero_none.last(), acc_wd.last(), acc_none.last()};
}

}  // namespace hg::tutorial
