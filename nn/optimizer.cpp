#include "nn/optimizer.hpp"

#include <algorithm>
#include <cstdint>
#include <cmath>
#include <cstdio>

#include "tensor/error.hpp"
#include "tensor/format.hpp"

namespace hg {

namespace {
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
    if (!ok) throw ValueError(name_ + ": " + what + " = " + format_number(value) + " " + must);
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
        if (update(i, p.mutable_value().data(), p.grad().data(), p.value().numel())) report_non_finite(i);
    }
    set_training_step(steps_ + 1);  // the step now in progress, for anomaly mode's messages
}

void Optimizer::report_non_finite(std::size_t i) const {
    const Tensor& v = params_[i].value();
    const float* p = v.data();
    const std::size_t n = v.numel();
    const std::size_t k = static_cast<std::size_t>(std::find_if(p, p + n, [](float x) { return !std::isfinite(x); }) - p);
    throw NumericError(name_ + " step " + std::to_string(steps_) + ": " + param_label(params_[i], i) + " " +
                       v.shape().str() + " became " + format_number(p[k]) + " at flat index " + std::to_string(k) +
                       " (its gradient there was " + format_number(params_[i].grad()[k]) +
                       "); lower the learning rate, clip the gradients, or look for a log/division of 0 in the loss");
}


// ---------------------------------------------------------------- state for checkpoints

OptimizerState Optimizer::state() const {
    OptimizerState s;
    char lr[32];
    std::snprintf(lr, sizeof lr, "%.9g", static_cast<double>(lr_));  // 9 digits: the float exactly
    s.values = {{"optimizer", name_}, {"steps", std::to_string(steps_)}, {"lr", lr}};
    auto* self = const_cast<Optimizer*>(this);  // state_refs hands out pointers; nothing is changed here
    for (std::size_t i = 0; i < params_.size(); ++i) {
        StateRefs refs;
        self->state_refs(i, refs);
        const std::string key = std::to_string(i) + ".";
        for (const auto& [what, buf] : refs.buffers)
            if (!buf->empty()) s.tensors.emplace_back(key + what, Tensor::from(params_[i].shape(), *buf));
        for (const auto& [what, count] : refs.counters) s.values[key + what] = std::to_string(*count);
    }
    return s;
}

void Optimizer::load_state(const OptimizerState& s) {
    auto fail = [&](const std::string& what) {
        throw ValueError(name_ + ": load_state: " + what + " (a checkpoint of another model or optimiser?)");
    };
    auto value = [&](const std::string& key) -> const std::string& {
        const auto it = s.values.find(key);
        if (it == s.values.end()) fail("no '" + key + "' in the state");
        return it->second;
    };
    auto number = [&](const std::string& key) -> std::uint64_t {
        const std::string& v = value(key);
        std::size_t used = 0;
        unsigned long long n = 0;
        try {
            n = std::stoull(v, &used);
        } catch (const std::exception&) {
        }
        if (v.empty() || used != v.size() || v[0] == '-') fail("'" + key + "' = '" + v + "' is not a count");
        return n;
    };
    if (value("optimizer") != name_) fail("the state is of a " + value("optimizer") + " optimiser, not " + name_);
    const std::size_t steps = number("steps");
    float lr = 0.0f;
    if (std::sscanf(value("lr").c_str(), "%g", &lr) != 1 || !(lr >= 0.0f)) fail("lr = '" + value("lr") + "' is not a learning rate");

    // Check every buffer and counter first, then copy.
    std::vector<std::pair<std::vector<float>*, const Tensor*>> copies;
    std::vector<std::pair<std::uint64_t*, std::uint64_t>> counts;
    std::size_t used = 0;
    for (std::size_t i = 0; i < params_.size(); ++i) {
        StateRefs refs;
        state_refs(i, refs);
        const std::string key = std::to_string(i) + ".";
        for (const auto& [what, buf] : refs.buffers) {
            const std::string full = key + what;
            const auto it = std::find_if(s.tensors.begin(), s.tensors.end(), [&](const auto& nt) { return nt.first == full; });
            if (it == s.tensors.end()) {
                copies.emplace_back(buf, nullptr);  // not allocated yet when saved
                continue;
            }
            if (it->second.numel() != params_[i].value().numel())
                fail("'" + key + what + "' has shape " + it->second.shape().str() + " but " + param_label(params_[i], i) +
                     " has shape " + params_[i].shape().str());
            copies.emplace_back(buf, &it->second);
            ++used;
        }
        for (const auto& [what, count] : refs.counters) counts.emplace_back(count, number(key + what));
    }
    if (used != s.tensors.size()) fail(std::to_string(s.tensors.size() - used) + " tensors of the state belong to no parameter of this optimiser");
    for (auto& [buf, t] : copies) {
        if (t) buf->assign(t->data(), t->data() + t->numel());
        else buf->clear();
    }
    for (auto& [count, n] : counts) *count = n;
    steps_ = steps;
    lr_ = lr;
    set_training_step(steps_ + 1);
}

}  // namespace hg
