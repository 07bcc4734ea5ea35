// hg::Optimizer — the base of every optimiser: it holds the parameters, clears their
// gradients and applies one update rule per step().
//
//   hg::Adam opt(model.parameters(), hg::AdamOptions(1e-3f));
//   for (...) {
//       hg::Var loss = hg::mse(model(x), x);
//       opt.zero_grad();      // gradients accumulate across backward() until cleared
//       loss.backward();
//       opt.step();           // p ← p − (the rule's step), for every parameter
//   }
//
// Each rule (sgd.hpp, rmsprop.hpp, adam.hpp, rprop.hpp) follows PyTorch's documented
// semantics, so results can be compared with PyTorch number for number. Its update is one
// fused pass per parameter over raw float arrays; its state (momentum, averages) lives
// per parameter and is allocated at the first step, so later steps allocate nothing.
// After each update the parameter is checked: a NaN or Inf stops training with a message
// naming the step and the parameter.
#pragma once

#include <cstddef>
#include <stdexcept>
#include <string>
#include <vector>

#include "autograd/var.hpp"

namespace hg {

// Training produced NaN or Inf.
struct NumericError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

class Optimizer {
public:
    virtual ~Optimizer() = default;
    Optimizer(const Optimizer&) = delete;
    Optimizer& operator=(const Optimizer&) = delete;

    void zero_grad();  // set every parameter's gradient to 0
    void step();       // one update of every parameter that has a gradient

    float lr() const { return lr_; }
    void set_lr(float lr);                           // e.g. by a schedule (StepLR)
    std::size_t step_count() const { return steps_; }  // step() calls so far
    const std::vector<Var>& parameters() const { return params_; }
    const std::string& name() const { return name_; }

protected:
    Optimizer(std::vector<Var> params, float lr, std::string name);
    // Apply the rule to parameter i: p[0..n) from its gradient g[0..n), in one pass.
    virtual void update(std::size_t i, float* p, const float* g, std::size_t n) = 0;
    // Throw ValueError "<name>: <what> = <value> <must ...>" unless ok.
    void require(bool ok, const char* what, double value, const char* must) const;

    std::vector<Var> params_;
    float lr_;

private:
    void check_finite(std::size_t i) const;

    std::string name_;
    std::size_t steps_ = 0;
};

}  // namespace hg
