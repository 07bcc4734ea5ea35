#include "autograd/anomaly.hpp"

#include <bit>
#include <cstdint>
#include <cstdlib>
#include <cstring>

#include "autograd/var.hpp"
#include "tensor/format.hpp"

namespace hg {

namespace {
bool env_says_on() {
    const char* v = std::getenv("HG_ANOMALY");
    return v && *v && std::strcmp(v, "0") != 0;
}
std::atomic<std::size_t> g_step{1};

std::string quoted_label(const Var& v) { return "'" + v.label() + "' " + v.shape().str(); }

const char* const kHint =
    ". Look for a log/sqrt/division of 0 or of a negative number, an exp of a large number, or a learning "
    "rate that is too high (lower it, or clip the gradients)";
}  // namespace

namespace detail {
std::atomic<bool> g_anomaly_mode{env_says_on()};
}

void set_anomaly_mode(bool on) { detail::g_anomaly_mode.store(on, std::memory_order_relaxed); }

AnomalyModeGuard::AnomalyModeGuard(bool on) : previous_(anomaly_mode()) { set_anomaly_mode(on); }
AnomalyModeGuard::~AnomalyModeGuard() { set_anomaly_mode(previous_); }

void set_training_step(std::size_t step) { g_step.store(step, std::memory_order_relaxed); }
std::size_t training_step() { return g_step.load(std::memory_order_relaxed); }

std::size_t first_non_finite(const Tensor& t) {
    const float* p = t.data();
    const std::size_t n = t.numel();
    // A float is ±inf or NaN exactly when its 8 exponent bits are all ones; testing the bits
    // gives one branch-free pass that vectorises, and the index is searched only on failure.
    std::uint32_t bad = 0;
    for (std::size_t k = 0; k < n; ++k) bad |= (std::bit_cast<std::uint32_t>(p[k]) & 0x7f800000u) == 0x7f800000u;
    if (!bad) return n;
    std::size_t k = 0;
    while ((std::bit_cast<std::uint32_t>(p[k]) & 0x7f800000u) != 0x7f800000u) ++k;
    return k;
}

void check_op_output(const char* op, const Tensor& value, const VarList& inputs) {
    const std::size_t k = first_non_finite(value);
    if (k == value.numel()) return;
    std::string msg = "anomaly: op '" + std::string(op) + "' produced " + format_number(value[k]) + " at flat index " +
                      std::to_string(k) + " of its output " + value.shape().str() + " in training step " +
                      std::to_string(training_step());
    if (!inputs.empty()) {
        msg += "; its inputs: ";
        for (std::size_t i = 0; i < inputs.size(); ++i) {
            const std::size_t bad = first_non_finite(inputs[i].value());
            msg += (i ? ", " : "") + quoted_label(inputs[i]) +
                   (bad < inputs[i].value().numel() ? " (already non-finite at " + std::to_string(bad) + ")" : "");
        }
    }
    throw NumericError(msg + kHint);
}

void check_backward(const Var& node) {
    for (const Var& in : node.inputs()) {
        if (!in.has_grad()) continue;
        const Tensor& g = in.grad();
        const std::size_t k = first_non_finite(g);
        if (k == g.numel()) continue;
        throw NumericError("anomaly: the backward rule of op '" + node.op() + "'" +
                           (node.name().empty() ? "" : " (node '" + node.name() + "')") + " gave its input " +
                           quoted_label(in) + " a gradient of " + format_number(g[k]) + " at flat index " + std::to_string(k) +
                           " in training step " + std::to_string(training_step()) +
                           " (the forward values were finite)" + kHint);
    }
}

void check_seed(const Var& root, const Tensor& seed) {
    const std::size_t k = first_non_finite(seed);
    if (k < seed.numel())
        throw NumericError("anomaly: backward from " + quoted_label(root) + " was seeded with " + format_number(seed[k]) +
                           " at flat index " + std::to_string(k) + " in training step " +
                           std::to_string(training_step()));
    const std::size_t v = first_non_finite(root.value());
    if (v < root.value().numel())
        throw NumericError("anomaly: backward from " + quoted_label(root) + " whose value is " +
                           format_number(root.value()[v]) + " at flat index " + std::to_string(v) + " in training step " +
                           std::to_string(training_step()) + kHint);
}

}  // namespace hg
