#include "nn/optimizer.hpp"

#include <algorithm>
#include <bit>
#include <cstdint>
#include <cmath>
#include <cstdio>

#include "tensor/error.hpp"

namespace hg {

namespace {
std::string num(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%g", v);
    return buf;
}
std::string param_label(const Var& p, std::size_t i) {
    return p.name().empty() ? "parameter " + std::to_string(i) : "parameter '" + p.name() + "'";
}
}  // namespace

Optimizer::Optimizer(std::vector<Var> params, float lr, std::string name)
    : params_(std::move(params)), lr_(lr), name_(std::move(name)) {
    if (params_.empty())
        throw ValueError(name_ + ": got an empty parameter list (did the model register its parameters?)");
    for (std::size_t i = 0; i < params_.size(); ++i) {
        if (!params_[i].requires_grad() || !params_[i].inputs().empty())
            throw ValueError(name_ + ": " + param_label(params_[i], i) +
                             " is not a trainable leaf (make it with Var::parameter)");
        for (std::size_t j = 0; j < i; ++j)
            if (params_[j].node() == params_[i].node())
                throw ValueError(name_ + ": " + param_label(params_[i], i) +
                                 " appears twice in the parameter list; it would be updated twice per step");
    }
    require(lr >= 0.0f, "lr", lr, "must be >= 0");
}

void Optimizer::require(bool ok, const char* what, double value, const char* must) const {
    if (!ok) throw ValueError(name_ + ": " + what + " = " + num(value) + " " + must);
}

void Optimizer::set_lr(float lr) {
    require(lr >= 0.0f, "lr", lr, "must be >= 0");
    lr_ = lr;
}

void Optimizer::zero_grad() {
    for (Var& p : params_) p.zero_grad();
}

void Optimizer::step() {
    ++steps_;
    for (std::size_t i = 0; i < params_.size(); ++i) {
        Var& p = params_[i];
        if (!p.has_grad()) continue;  // never reached by backward(): nothing to do (as PyTorch)
        update(i, p.value().data(), p.grad().data(), p.value().numel());
        check_finite(i);
    }
}

void Optimizer::check_finite(std::size_t i) const {
    const Tensor& v = params_[i].value();
    const float* p = v.data();
    const std::size_t n = v.numel();
    // A float is ±inf or NaN exactly when its 8 exponent bits are all ones. Testing the bits
    // (instead of calling isfinite) gives one branch-free pass the compiler vectorises.
    std::uint32_t bad = 0;
    for (std::size_t k = 0; k < n; ++k) bad |= (std::bit_cast<std::uint32_t>(p[k]) & 0x7f800000u) == 0x7f800000u;
    if (!bad) return;
    const std::size_t k = static_cast<std::size_t>(std::find_if(p, p + n, [](float x) { return !std::isfinite(x); }) - p);
    throw NumericError(name_ + " step " + std::to_string(steps_) + ": " + param_label(params_[i], i) + " " +
                       v.shape().str() + " became " + num(p[k]) + " at flat index " + std::to_string(k) +
                       " (its gradient there was " + num(params_[i].grad()[k]) +
                       "); lower the learning rate, clip the gradients, or look for a log/division of 0 in the loss");
}

}  // namespace hg
