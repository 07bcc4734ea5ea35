// Anomaly mode — find the first NaN or Inf of a training run, and the op that made it.
//
// A diverging run (a learning rate far too high, a log of 0, a division by a tiny number)
// fills the model with NaN; without help, it prints "loss nan" for the rest of the run.
// In anomaly mode every op checks its output as it is computed, and backward() checks
// every gradient a backward rule adds, so training stops at the FIRST bad number:
//
//   hg::set_anomaly_mode(true);          // or run with HG_ANOMALY=1 (tutorials: --anomaly)
//   hg::Var y = hg::log(x);              // x holds a 0 at index 3:
//   // NumericError: anomaly: op 'log' produced -inf at flat index 3 of its output (2x2)
//   //   in training step 1; its inputs: 'x' (2x2). Look for a log/sqrt/division of 0 ...
//
// The check is one pass over each new tensor. When the mode is off (the default) it costs
// one branch per op. Tests run with it on (tests/main.cpp).
//
// "Training step" is the step in progress as counted by the optimisers: each
// Optimizer::step() (nn/optimizer.hpp) records the number of the next one, and its own
// check of the updated parameters uses the same numbering.
#pragma once

#include <atomic>
#include <cstddef>
#include <stdexcept>
#include <string>
#include <vector>

#include "autograd/var.hpp"
#include "tensor/tensor.hpp"

namespace hg {

// Training produced NaN or Inf (anomaly mode, an optimiser's check, gradient clipping).
struct NumericError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

namespace detail {
extern std::atomic<bool> g_anomaly_mode;  // starts as HG_ANOMALY=1 says
}

// Anomaly mode on/off, for the whole process.
void set_anomaly_mode(bool on);
inline bool anomaly_mode() { return detail::g_anomaly_mode.load(std::memory_order_relaxed); }

// Turns anomaly mode on (or off) for a scope, and restores the previous setting.
class AnomalyModeGuard {
public:
    explicit AnomalyModeGuard(bool on = true);
    ~AnomalyModeGuard();
    AnomalyModeGuard(const AnomalyModeGuard&) = delete;
    AnomalyModeGuard& operator=(const AnomalyModeGuard&) = delete;

private:
    bool previous_;
};

// The training step in progress (1 before any optimiser step); set by Optimizer::step().
void set_training_step(std::size_t step);
std::size_t training_step();

// The flat index of the first NaN or ±Inf in t, or t.numel() when every element is finite.
std::size_t first_non_finite(const Tensor& t);

// The checks anomaly mode makes (called by make_op and backward()); throw NumericError.
void check_op_output(const char* op, const Tensor& value, const VarList& inputs);
void check_backward(const Var& node);  // the gradients node's backward rule gave its inputs
void check_seed(const Var& root, const Tensor& seed);

}  // namespace hg
