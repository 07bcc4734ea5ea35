// hg::Var — one node of a reverse-mode autodiff graph.
//
// A Var holds a value (a Tensor), and, once backward() has run, the gradient of the
// final scalar with respect to that value. Every op on Vars computes its result right
// away (forward) and records how to send a gradient back to its inputs (backward):
//
//   hg::Var w = hg::Var::parameter(hg::Tensor::from({2}, {0.5f, -1.0f}), "w");
//   hg::Var x = hg::Var::constant(hg::Tensor::from({2}, {3.0f, 2.0f}));
//   hg::Var y = hg::sum(w * x);          // y = 0.5*3 + (-1)*2 = -0.5
//   y.backward();                        // dy/dw = x
//   w.grad();                            // Tensor(2) [3, 2]
//
// backward() visits the graph from y back to the leaves in reverse topological order
// (found without recursion, so deep graphs cannot overflow the stack) and calls each
// node's backward rule once. Rules ADD into their inputs' gradients, so a value used
// twice (like x in x*x) receives both contributions.
//
// Gradients of parameters accumulate across backward() calls until zero_grad() — the
// same contract as PyTorch. The graph itself is freed by backward() (each node drops its
// rule and its inputs), so calling backward() twice on one graph is an error unless the
// first call asked to keep it (retain_graph).
#pragma once

#include <concepts>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "tensor/pool.hpp"
#include "tensor/tensor.hpp"

namespace hg {

// Misuse of the graph: backward on a non-scalar without a seed, twice on a freed graph, ...
struct AutogradError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

struct Node;
class Var;

// A list of graph nodes. It lives in the pool (tensor/pool.hpp) like the rest of a graph.
using VarList = std::vector<Var, PoolAllocator<Var>>;

class Var {
public:
    Var();  // a constant 0-D zero
    explicit Var(Tensor value, bool requires_grad = false, std::string name = "");

    // A trainable leaf: backward() fills its grad.
    static Var parameter(Tensor value, std::string name = "");
    // A leaf that needs no gradient (inputs, targets, masks).
    static Var constant(Tensor value, std::string name = "");

    const Tensor& value() const;
    Tensor& value();  // optimisers update parameters in place
    const Shape& shape() const { return value().shape(); }
    float item() const { return value().item(); }

    // The gradient: zeros of the value's shape until a backward() reaches this node.
    const Tensor& grad() const;
    Tensor& grad();
    bool has_grad() const;
    void zero_grad();

    bool requires_grad() const;
    const std::string& op() const;    // "leaf", "matmul", "sigmoid", ...
    const std::string& name() const;  // optional human name ("encoder.0.weight")
    Var& set_name(std::string name);
    std::string label() const;        // name if set, otherwise op
    const VarList& inputs() const;

    // Backpropagate from this node. A scalar root is seeded with 1; any other root needs
    // an explicit seed of its own shape (d(loss)/d(this)).
    void backward(bool retain_graph = false);
    void backward(const Tensor& seed, bool retain_graph = false);

    // For op authors: add g into this node's gradient, first summing away any dimensions
    // that broadcasting stretched (see hg::sum_to). Does nothing for nodes without grad.
    void accumulate_grad(const Tensor& g) const;
    void accumulate_grad(Tensor&& g) const;  // the first gradient a node gets is taken, not copied

    Node* node() const { return node_.get(); }

private:
    std::shared_ptr<Node> node_;
};

// A backward rule: given dL/dy (the op's output gradient) and y (its output value),
// accumulate dL/dx into each input x the rule captured. It is a lambda kept the way
// std::function keeps one, except that the lambda's captures are stored in the pool
// (tensor/pool.hpp): a training step builds dozens of rules, and the next step reuses
// their memory instead of asking the system for it again. Move-only.
class BackwardFn {
public:
    BackwardFn() = default;
    BackwardFn(std::nullptr_t) {}  // NOLINT: `rule = nullptr` drops a rule
    template <class F>
        requires std::invocable<F&, const Tensor&, const Tensor&> && (!std::same_as<F, BackwardFn>)
    BackwardFn(F f)  // NOLINT: any lambda converts, as to std::function
        : rule_(new (detail::pool_allocate(sizeof(Rule<F>))) Rule<F>(std::move(f))) {}
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
            detail::pool_deallocate(this, sizeof(Rule));
        }
        F fn;
    };
    RuleBase* rule_ = nullptr;
};

struct Node {
    Tensor value;
    Tensor grad;
    bool has_grad = false;
    bool requires_grad = false;
    bool graph_freed = false;  // backward() already ran through this node and dropped it
    std::uint64_t seen_by = 0;  // the number of the last topological_order() that reached it
    std::string op = "leaf";
    std::string name;
    VarList inputs;
    BackwardFn backward;
};

// Build the output of an op: its value, its inputs and its backward rule. When gradients
// are off (NoGradGuard) or no input needs one, the result is a constant and the rule is
// dropped, so evaluation builds no graph.
Var make_op(const char* op, Tensor value, VarList inputs, BackwardFn backward);

// Gradient recording on/off for this thread. While a NoGradGuard lives, ops build no graph.
bool grad_enabled();
class NoGradGuard {
public:
    NoGradGuard();
    ~NoGradGuard();
    NoGradGuard(const NoGradGuard&) = delete;
    NoGradGuard& operator=(const NoGradGuard&) = delete;

private:
    bool previous_;
};

// The nodes of root's graph in topological order (inputs before the nodes that use them).
VarList topological_order(const Var& root);

}  // namespace hg
