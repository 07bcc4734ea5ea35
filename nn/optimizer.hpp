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
// The same pass checks every new value: a NaN or Inf stops training with a message naming
// the step, the parameter and the first bad index.
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "autograd/anomaly.hpp"  // hg::NumericError: training produced NaN or Inf
#include "autograd/var.hpp"

namespace hg {

// What an optimiser has learnt besides the parameters (Optimizer::state()).
struct OptimizerState {
    std::vector<std::pair<std::string, Tensor>> tensors;  // per-parameter buffers: "0.exp_avg", ...
    std::map<std::string, std::string> values;            // "optimizer", "steps", "lr", "0.step", ...
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

    // The rule's state for checkpoints (nn/checkpoint.hpp), like Module::state() for a
    // model: its per-parameter buffers (momentum, running averages) and counters, keyed by
    // the parameter's index ("0.exp_avg", "0.step"), with its name, step count and lr.
    OptimizerState state() const;
    // Restore a state() of the same optimiser over parameters of the same shapes. All is
    // checked first (ValueError naming the problem); then everything changes, or nothing.
    void load_state(const OptimizerState& state);

protected:
    Optimizer(std::vector<Var> params, float lr, std::string name);
    // Apply the rule to parameter i: p[0..n) from its gradient g[0..n), in one pass that
    // also ORs non_finite() of every new p[k] together; returns that (true: a NaN or Inf
    // appeared, and step() throws NumericError).
    virtual bool update(std::size_t i, float* p, const float* g, std::size_t n) = 0;
    // A float is ±inf or NaN exactly when its 8 exponent bits are all ones. Testing the
    // bits (instead of calling isfinite) keeps an update loop branch-free and vectorised.
    static bool non_finite(float x) { return (std::bit_cast<std::uint32_t>(x) & 0x7f800000u) == 0x7f800000u; }
    // The per-parameter state of the rule, by name, for state()/load_state(): each rule
    // lists its buffers (empty until its first step) and counters for parameter i.
    struct StateRefs {
        std::vector<std::pair<const char*, std::vector<float>*>> buffers;
        std::vector<std::pair<const char*, std::uint64_t*>> counters;
    };
    virtual void state_refs(std::size_t /*i*/, StateRefs& /*out*/) {}
    // Throw ValueError "<name>: <what> = <value> <must ...>" unless ok.
    void require(bool ok, const char* what, double value, const char* must) const;

    std::vector<Var> params_;
    float lr_;

private:
    [[noreturn]] void report_non_finite(std::size_t i) const;

    std::string name_;
    std::size_t steps_ = 0;
};

}  // namespace hg
