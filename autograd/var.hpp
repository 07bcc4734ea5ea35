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
//
// Values are read with value(). To change one in place (an optimiser's update, weights set
// by hand) ask for mutable_value(): it stamps the node as changed. An op's backward rule
// reads the values its inputs had when the op ran, so a value changed after an op used it
// (and before backward() went through that op) would silently give a wrong gradient;
// backward() refuses instead, naming the op and the value (PyTorch: "modified by an inplace
// operation"). The rule is a little stricter than PyTorch's, which only counts the inputs
// an op's rule reads: here any input of an op, and the op's own output, counts.
#pragma once

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>

#include "autograd/detail/backward_fn.hpp"
#include "tensor/tensor.hpp"

namespace hg {

// Misuse of the graph: backward on a non-scalar without a seed, twice on a freed graph, ...
struct AutogradError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

struct Node;
class Var;

// A list of graph nodes: read it as std::vector<Var>. (It and BackwardFn below reuse their
// memory from one training step to the next: autograd/detail/backward_fn.hpp.)
using VarList = detail::VarList;

class Var {
public:
    Var();  // a constant 0-D zero
    explicit Var(Tensor value, bool requires_grad = false, std::string name = "");

    // A trainable leaf: backward() fills its grad.
    static Var parameter(Tensor value, std::string name = "");
    // A leaf that needs no gradient (inputs, targets, masks).
    static Var constant(Tensor value, std::string name = "");

    const Tensor& value() const;
    // The value, to change in place (optimisers, weights set by hand). Marks the value as
    // changed now: a graph that used the old value refuses backward() (see the top).
    Tensor& mutable_value();
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
    // Backward rules hand their gradients to the graph only through these.
    void accumulate_grad(const Tensor& g) const;
    void accumulate_grad(Tensor&& g) const;  // the first gradient a node gets is taken, not copied
    // The same, for a gradient cheapest computed straight into place: add_into(g) must add
    // the contribution to g, this node's gradient (zeros before its first contribution),
    // e.g. with matmul_into(g, dY, X, true, false, 1.0f) for dW += dYᵀ·X: no temporary the
    // size of W. `shape` is the shape add_into writes; it must be this node's own
    // (AutogradError otherwise: nothing broadcast can be summed back in place).
    template <class F>
    void accumulate_grad_with(const Shape& shape, F&& add_into) const {
        if (requires_grad()) add_into(grad_to_add_into(shape));
    }

    Node* node() const { return node_.get(); }

private:
    friend struct Node;  // frees a graph's nodes without recursion (~Node)
    Tensor& grad_to_add_into(const Shape& shape) const;

    std::shared_ptr<Node> node_;
};

// A backward rule: given dL/dy (the op's output gradient) and y (its output value),
// accumulate dL/dx into each input x the rule captured. Any lambda taking (dy, y) converts
// to it, as to std::function<void(const Tensor& dy, const Tensor& y)>. Move-only.
using BackwardFn = detail::BackwardFn;

struct Node {
    Tensor value;
    Tensor grad;
    bool has_grad = false;
    bool requires_grad = false;
    bool graph_freed = false;  // backward() already ran through this node and dropped it
    std::uint64_t seen_by = 0;  // the number of the last topological_order() that reached it
    // When the value was last changed by mutable_value(), and when the op made this node, as
    // readings of one clock that counts changes (var.cpp): an input or an output changed
    // after the op ran has changed_at > made_at.
    std::uint64_t changed_at = 0;
    std::uint64_t made_at = 0;
    std::string op = "leaf";
    std::string name;
    // The composite op whose call recorded this node (see CompositeScope), and which call of it.
    const char* composite = nullptr;
    std::uint64_t composite_call = 0;
    VarList inputs;
    BackwardFn backward;

    Node() = default;
    Node(const Node&) = delete;
    Node& operator=(const Node&) = delete;
    // Frees the nodes only this one kept alive one after another, not by recursion: a chain
    // of a million ops dropped without backward() must not overflow the stack.
    ~Node();
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

// Marks the ops recorded while it lives as one call of a composite op: an op written with
// other ops and no backward rule of its own (mean(a) is scale(sum(a), 1/n)). Only the graph
// drawing reads the mark (autograd/dot.hpp boxes a call's nodes under its name); a composite
// called inside another (mean inside mse) belongs to the outer one. The name must outlive
// the graph: pass a string literal.
class CompositeScope {
public:
    explicit CompositeScope(const char* name);
    ~CompositeScope();
    CompositeScope(const CompositeScope&) = delete;
    CompositeScope& operator=(const CompositeScope&) = delete;

private:
    bool outermost_;
};

// The nodes of root's graph in topological order (inputs before the nodes that use them).
VarList topological_order(const Var& root);

// One backward pass, run one op's rule at a time (Var::backward is this, run to the end):
//
//   hg::BackwardPass pass(loss);          // orders the graph, seeds dL/dL = 1
//   while (pass.step())                   // runs the next op's rule
//       show(pass.current());             // the node whose rule just ran
//
// Construction checks what backward() checks, clears the intermediate nodes' gradients and
// seeds the root; each step() runs the next node's rule in reverse topological order
// (skipping leaves, which have none) and, without retain_graph, frees that node's part of
// the graph. step() returns false once no rule is left: the pass is done.
class BackwardPass {
public:
    explicit BackwardPass(const Var& root, bool retain_graph = false);  // a scalar root, seed 1
    BackwardPass(const Var& root, const Tensor& seed, bool retain_graph = false);

    // Runs the next rule; false (and nothing run) when the pass is already done.
    bool step();
    bool done() const { return next_ == order_.size(); }
    // The node whose rule the last step() ran (nullptr before the first).
    const Var* current() const { return ran_ ? &order_[order_.size() - ran_] : nullptr; }
    // The graph's nodes, inputs before the nodes that use them; step() walks it backwards.
    const VarList& order() const { return order_; }

private:
    void skip_leaves();

    VarList order_;              // topological order
    std::size_t next_ = 0;       // how many nodes, counted from the root, have been passed
    std::size_t ran_ = 0;        // the last node run, counted from the root as 1 (0: none yet)
    bool retain_graph_;
    bool anomaly_;
};

}  // namespace hg
