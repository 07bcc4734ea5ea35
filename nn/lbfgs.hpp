// L-BFGS (Nocedal 1980; Liu & Nocedal 1989): a quasi-Newton method for full-batch training.
// It keeps the last `history` pairs (s, y) of parameter steps s = x₊ − x and gradient
// changes y = g₊ − g, and from them an approximation of the inverse Hessian H; each
// iteration moves along d = −H·g (the two-loop recursion, Nocedal & Wright 2006, Alg. 7.4)
// by the first step length t ∈ {1, ½, ¼, ...} that lowers the loss enough (Armijo:
// f(x + t·d) ≤ f(x) + 10⁻⁴·t·gᵀd). The first iteration, with no history, takes t = min(1, 1/‖g‖₁)
// along −g, as PyTorch's LBFGS does. A pair with sᵀy ≤ 10⁻¹⁰ (no positive curvature) is
// not kept. GLocal-K (models/kernel_recommender.hpp) was trained with it in its paper.
//
// The loss is re-evaluated during the line search, so step() takes a function that builds
// the loss from the current parameters (a "closure"); step() clears the gradients, calls
// it and runs backward() itself:
//
//   hg::Lbfgs opt(model.parameters(), hg::LbfgsOptions());
//   for (int e = 0; e < 100; ++e) opt.step([&] { return loss_of(model); });   // one iteration each
//
// Not an hg::Optimizer: those update each parameter from its own gradient, while L-BFGS
// treats all parameters as one vector.
#pragma once

#include <cstddef>
#include <deque>
#include <functional>
#include <vector>

#include "autograd/var.hpp"

namespace hg {

struct LbfgsOptions {
    std::size_t history = 10;   // pairs (s, y) kept
    int max_halvings = 20;      // of the line search's step before it gives up (no move)
};

class Lbfgs {
public:
    Lbfgs(std::vector<Var> params, const LbfgsOptions& options = {});
    // One iteration; returns the loss at the parameters it ends on. Parameters that get no
    // gradient from the loss are left alone.
    double step(const std::function<Var()>& loss);
    void reset() { s_.clear(), y_.clear(), rho_.clear(), g_.clear(); }  // forget the history
    std::size_t evaluations() const { return evaluations_; }             // of the loss, so far

private:
    double evaluate(const std::function<Var()>& loss, std::vector<double>& grad);
    std::vector<double> flat_values() const;
    void set_values(const std::vector<double>& x);

    std::vector<Var> params_;
    LbfgsOptions options_;
    std::deque<std::vector<double>> s_, y_;
    std::deque<double> rho_;
    std::vector<double> g_;  // the gradient at the current point (empty before the first step)
    double f_ = 0;
    std::size_t evaluations_ = 0;
};

}  // namespace hg
