// How a graph node keeps its backward rule and its inputs (autograd/var.hpp uses both).
//
// BackwardFn holds any lambda callable as rule(dy, y), the way std::function would, except
// that the lambda's captures are stored in the pool (tensor/kernels/pool.hpp); VarList, a
// node's inputs, is a std::vector in the same pool. A training step builds dozens of rules
// and input lists; the next step reuses their memory instead of asking the system for it
// again, so a step allocates nothing (tests/test_memory.cpp: 0 calls of operator new over
// 100 steps). A student can read BackwardFn as std::function<void(const Tensor&, const Tensor&)>.
#pragma once

#include <concepts>
#include <cstddef>
#include <new>
#include <utility>

#include "tensor/kernels/pool.hpp"
#include "tensor/kernels/storage.hpp"
#include "tensor/tensor.hpp"

namespace hg {

class Var;

namespace detail {

using VarList = kernels::StepVector<Var>;

// A backward rule: rule(dy, y). Move-only.
class BackwardFn {
public:
    BackwardFn() = default;
    BackwardFn(std::nullptr_t) {}  // NOLINT: `rule = nullptr` drops a rule
    template <class F>
        requires std::invocable<F&, const Tensor&, const Tensor&> && (!std::same_as<F, BackwardFn>)
    BackwardFn(F f)  // NOLINT: any lambda converts, as to std::function
        : rule_(new (kernels::pool_allocate(sizeof(Rule<F>))) Rule<F>(std::move(f))) {}
    BackwardFn(BackwardFn&& other) noexcept : rule_(std::exchange(other.rule_, nullptr)) {}
    BackwardFn& operator=(BackwardFn&& other) noexcept {
        BackwardFn gone(std::move(*this));  // releases the old rule on leaving
        rule_ = std::exchange(other.rule_, nullptr);
        return *this;
    }
    ~BackwardFn() {
        if (rule_) rule_->release();
    }

    explicit operator bool() const { return rule_ != nullptr; }
    void operator()(const Tensor& dy, const Tensor& y) const { rule_->call(dy, y); }

private:
    struct RuleBase {
        virtual void call(const Tensor& dy, const Tensor& y) = 0;
        virtual void release() noexcept = 0;  // destroy, and give the memory back to the pool

    protected:
        ~RuleBase() = default;
    };
    template <class F>
    struct Rule final : RuleBase {
        explicit Rule(F f) : fn(std::move(f)) {}
        void call(const Tensor& dy, const Tensor& y) override { fn(dy, y); }
        void release() noexcept override {
            this->~Rule();
            kernels::pool_deallocate(this, sizeof(Rule));
        }
        F fn;
    };
    RuleBase* rule_ = nullptr;
};

}  // namespace detail
}  // namespace hg
