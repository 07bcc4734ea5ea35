// The course's recommender loop for tutorial 03 (one user per step, RMSprop, gradients zeroed
// or, as in the course's code, accumulated) and the machinery of its zero-grad lesson: short
// runs of the course's model under variations of the recipe, a measurement of what RMSprop's
// weight decay does to the weights the loss does not reach, and the grid of short runs.
//
//   tut::CourseRuns runs{d.train, d.split.test.ratings, seed};
//   std::vector<double> rmse = tut::course_run(runs, {.zero_grad = true}, 0.5f, 5);  // test RMSE per epoch
//   tut::explain_decay_only(t, runs);                                    // prints, with checks
//   tut::GridResult g = tut::zero_grad_grid(t, runs, baseline_rmse, 5);  // 5 epochs a row
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "data/rating_set.hpp"
#include "data/ratings.hpp"
#include "nn/rmsprop.hpp"
#include "nn/sequential.hpp"
#include "tensor/tensor.hpp"
#include "tutorials/common/tutorial.hpp"

namespace hg::tutorial {

// How the course's loop is run.
struct CourseLoop {
    bool zero_grad = true;   // false: gradients accumulate over every step (the course's code)
    bool per_rated = false;  // true: the loss is divided by the user's rated movies, not by all movies
};

// One step of the course's loop on user u: their row of ratings in, the squared error on the
// movies they rated, divided by all movies as the course does (loop.per_rated: by the rated
// ones); the gradients are zeroed first only when loop.zero_grad (the course's code never
// zeroes them). Returns the user's RMSE on their rated movies.
double course_step(Sequential& model, RMSprop& opt, const data::RatingMatrix& train, std::size_t u,
                   const CourseLoop& loop);

// What the runs share: the ratings, and the seed every model starts from.
struct CourseRuns {
    const data::RatingMatrix& train;
    const std::vector<data::Rating>& test;
    std::uint64_t seed;
};

// One epoch: every user with a rating, in order, one step each. Returns the course's train
// loss, the mean over those users of their RMSE on their rated movies.
double course_epoch(Sequential& model, RMSprop& opt, const data::RatingMatrix& train, const CourseLoop& loop);

// The model's predictions for every user, (n_users x n_items), from their rows of `input`.
Tensor course_predictions(Sequential& model, const data::RatingMatrix& input);

// A fresh course model trained for `epochs` with RMSprop as the course sets it but with
// this weight decay; returns the test RMSE (raw predictions) after each epoch.
std::vector<double> course_run(const CourseRuns& runs, const CourseLoop& loop, float weight_decay, int epochs);

// The lesson of --mode zero-grad, each part printed with its checks. Why zeroing the
// gradients collapses the course's recipe, measured on fresh models: the share of parameters
// the loss does not reach in a step, how fast RMSprop's weight decay erases them at the
// course's decay and at a tiny one, and how accumulated gradients shield them.
void explain_decay_only(Tutorial& t, const CourseRuns& runs);

// A grid of short runs (`epochs` each) of the course's model and RMSprop, one choice changed
// at a time: zeroed or accumulated gradients, weight decay 0.5 / 0.01 / 0.001 / 0.0001 / 0,
// the loss divided by all movies or by the rated ones. Prints the test RMSE after each epoch
// and a check for each row's claim; baseline: the per-item mean's test RMSE.
using ResultKeys = std::vector<std::pair<std::string, std::string>>;  // for Tutorial::result
struct GridResult {
    double zeroed_wd = 0, zeroed_nowd = 0, accumulated_wd = 0, accumulated_nowd = 0;  // test RMSE at the end
    // For the result line: zeroed_wd_rmse=..., zeroed_nowd_rmse=..., accumulated_wd_rmse=..., accumulated_nowd_rmse=...
    ResultKeys keys() const;
};
GridResult zero_grad_grid(Tutorial& t, const CourseRuns& runs, double baseline, int epochs);

}  // namespace hg::tutorial
