#include "autograd/var.hpp"

#include <atomic>
#include <utility>
#include <vector>

#include "autograd/anomaly.hpp"
#include "tensor/kernels/pool.hpp"
#include "tensor/kernels/storage.hpp"

namespace hg {

namespace {
thread_local bool g_grad_enabled = true;
thread_local const char* g_composite = nullptr;  // the outermost composite being built, if any
thread_local std::uint64_t g_composite_calls = 0;

// The clock of in-place changes: mutable_value() advances it and stamps the node; make_op
// stamps each new op node with its reading (var.hpp, Node::changed_at and made_at).
std::atomic<std::uint64_t> g_changes{0};
}

bool grad_enabled() { return g_grad_enabled; }
NoGradGuard::NoGradGuard() : previous_(g_grad_enabled) { g_grad_enabled = false; }
NoGradGuard::~NoGradGuard() { g_grad_enabled = previous_; }

CompositeScope::CompositeScope(const char* name) : outermost_(g_composite == nullptr) {
    if (!outermost_) return;
    g_composite = name;
    ++g_composite_calls;
}
CompositeScope::~CompositeScope() {
    if (outermost_) g_composite = nullptr;
}

namespace {
// A node and its shared_ptr's counts in one block of the pool (tensor/kernels/pool.hpp).
std::shared_ptr<Node> new_node() { return std::allocate_shared<Node>(kernels::PoolAllocator<Node>()); }

// The nodes waiting to be freed by the ~Node that is running on this thread (see below).
struct Teardown {
    bool running = false;
    std::vector<std::shared_ptr<Node>> pending;  // keeps its capacity: freeing allocates nothing after the first
};
thread_local Teardown teardown;
}  // namespace

Var::Var() : node_(new_node()) {}

Var::Var(Tensor value, bool requires_grad, std::string name) : node_(new_node()) {
    node_->value = std::move(value);
    node_->requires_grad = requires_grad;
    node_->name = std::move(name);
}

Var Var::parameter(Tensor value, std::string name) { return Var(std::move(value), true, std::move(name)); }
Var Var::constant(Tensor value, std::string name) { return Var(std::move(value), false, std::move(name)); }

const Tensor& Var::value() const { return node_->value; }
Tensor& Var::mutable_value() {
    node_->changed_at = g_changes.fetch_add(1, std::memory_order_relaxed) + 1;
    return node_->value;
}

const Tensor& Var::grad() const {
    if (!node_->has_grad) {
        node_->grad = Tensor::zeros(node_->value.shape());
        node_->has_grad = true;
    }
    return node_->grad;
}
Tensor& Var::grad() {
    std::as_const(*this).grad();
    return node_->grad;
}
bool Var::has_grad() const { return node_->has_grad; }
void Var::zero_grad() {
    if (node_->has_grad) node_->grad.fill(0.0f);
}

bool Var::requires_grad() const { return node_->requires_grad; }
const std::string& Var::op() const { return node_->op; }
const std::string& Var::name() const { return node_->name; }
Var& Var::set_name(std::string name) {
    node_->name = std::move(name);
    return *this;
}
std::string Var::label() const { return node_->name.empty() ? node_->op : node_->name; }
const VarList& Var::inputs() const { return node_->inputs; }

void Var::accumulate_grad(const Tensor& g) const {
    if (!node_->requires_grad) return;
    const Shape& shape = node_->value.shape();
    if (g.shape() == shape && !node_->has_grad) {
        node_->grad = g;
        node_->has_grad = true;
        return;
    }
    if (!node_->has_grad) {
        node_->grad = Tensor::zeros(shape);
        node_->has_grad = true;
    }
    if (g.shape() == shape) {
        node_->grad += g;
        return;
    }
    try {
        node_->grad += sum_to(g, shape);
    } catch (const ShapeError&) {
        throw AutogradError("backward: a gradient of shape " + g.shape().str() + " cannot be added to '" +
                            label() + "' of shape " + shape.str() +
                            " (a backward rule returned the wrong shape for this input)");
    }
}

void Var::accumulate_grad(Tensor&& g) const {
    if (node_->requires_grad && !node_->has_grad && g.shape() == node_->value.shape()) {
        node_->grad = std::move(g);
        node_->has_grad = true;
        return;
    }
    accumulate_grad(std::as_const(g));
}

Tensor& Var::grad_to_add_into(const Shape& shape) const {
    if (!(shape == node_->value.shape()))
        throw AutogradError("backward: a gradient of shape " + shape.str() + " cannot be added in place to '" +
                            label() + "' of shape " + node_->value.shape().str() +
                            " (a backward rule wrote the wrong shape for this input)");
    if (!node_->has_grad) {
        node_->grad = Tensor::zeros(shape);
        node_->has_grad = true;
    }
    return node_->grad;
}

Var make_op(const char* op, Tensor value, VarList inputs, BackwardFn backward) {
    if (anomaly_mode()) check_op_output(op, value, inputs);  // autograd/anomaly.hpp
    Var out(std::move(value));
    Node* n = out.node();
    n->op = op;
    n->made_at = g_changes.load(std::memory_order_relaxed);
    bool any = false;
    for (const Var& in : inputs) any = any || in.requires_grad();
    if (g_grad_enabled && any) {
        n->requires_grad = true;
        n->composite = g_composite;
        n->composite_call = g_composite ? g_composite_calls : 0;
        n->inputs = std::move(inputs);
        n->backward = std::move(backward);
    }
    return out;
}

VarList topological_order(const Var& root) {
    // Depth-first search with an explicit stack: a node is emitted after all its inputs.
    // The handles keep every node alive while backward() frees the graph behind it.
    // Each search has its own number; a node stamped with it has been seen already.
    static std::atomic<std::uint64_t> searches{0};
    const std::uint64_t search = ++searches;
    VarList order;
    kernels::StepVector<std::pair<Var, bool>> stack;
    stack.reserve(64);
    stack.push_back({root, false});
    while (!stack.empty()) {
        auto [var, inputs_done] = std::move(stack.back());
        stack.pop_back();
        if (inputs_done) {
            order.push_back(std::move(var));
            continue;
        }
        Node* n = var.node();
        if (n->seen_by == search) continue;
        n->seen_by = search;
        stack.push_back({var, true});
        for (const Var& in : n->inputs)
            if (in.node()->seen_by != search) stack.push_back({in, false});
    }
    return order;
}

namespace {
// Refuse to run op's rule when its output or one of its inputs was changed in place after
// the op ran: the rule would read the new value, not the one the forward pass used.
void check_unchanged(const Var& op) {
    const Node* n = op.node();
    auto changed = [n](const Var& v) { return v.node()->changed_at > n->made_at; };
    const Var* culprit = changed(op) ? &op : nullptr;
    for (const Var& in : n->inputs)
        if (!culprit && changed(in)) culprit = &in;
    if (!culprit) return;
    const std::string what = culprit == &op ? "its own output" : "its input '" + culprit->label() + "'";
    throw AutogradError("backward: '" + op.label() + "' (op " + n->op + ") cannot compute its gradient: " + what +
                        " of shape " + culprit->shape().str() +
                        " was changed in place (mutable_value()) after the op used it, so the gradient would "
                        "mix the old value and the new. Change values only after backward(), or run the "
                        "forward pass again after the change");
}
}  // namespace

namespace {
// A scalar root's seed, 1; any other root must be given one.
Tensor unit_seed(const Var& root) {
    if (root.value().numel() != 1)
        throw AutogradError("backward: '" + root.label() + "' has shape " + root.shape().str() +
                            ", not a single number; call backward(seed) with a seed gradient of that "
                            "shape, or reduce it first (e.g. sum or mean)");
    return Tensor::ones(root.shape());
}
}  // namespace

void Var::backward(bool retain_graph) {
    BackwardPass pass(*this, retain_graph);
    while (pass.step()) {
    }
}

void Var::backward(const Tensor& seed, bool retain_graph) {
    BackwardPass pass(*this, seed, retain_graph);
    while (pass.step()) {
    }
}

BackwardPass::BackwardPass(const Var& root, bool retain_graph) : BackwardPass(root, unit_seed(root), retain_graph) {}

BackwardPass::BackwardPass(const Var& root, const Tensor& seed, bool retain_graph)
    : retain_graph_(retain_graph), anomaly_(anomaly_mode()) {
    const Node* r = root.node();
    if (!r->requires_grad)
        throw AutogradError("backward: '" + root.label() +
                            "' does not depend on any parameter (nothing requires grad), or was computed "
                            "under NoGradGuard");
    if (r->graph_freed)
        throw AutogradError("backward: the graph of '" + root.label() +
                            "' was already freed by an earlier backward(); run the forward pass again, or "
                            "pass retain_graph = true to the first backward()");
    if (!(seed.shape() == root.shape()))
        throw AutogradError("backward: the seed gradient has shape " + seed.shape().str() + " but '" + root.label() +
                            "' has shape " + root.shape().str());

    order_ = topological_order(root);
    for (const Var& v : order_) {
        Node* n = v.node();
        if (n->graph_freed)
            throw AutogradError("backward: '" + (n->name.empty() ? n->op : n->name) +
                                "' (used to compute '" + root.label() +
                                "') belongs to a graph already freed by an earlier backward(); its gradient "
                                "could not reach the parameters. Recompute it in this forward pass");
        // Gradients of intermediate nodes start from zero on every pass; only leaves
        // (parameters) accumulate across calls.
        if (n->backward && n->has_grad) n->grad.fill(0.0f);
    }
    if (anomaly_) check_seed(root, seed);
    root.accumulate_grad(seed);
    skip_leaves();
}

bool BackwardPass::step() {
    if (done()) return false;
    const Var& v = order_[order_.size() - 1 - next_];
    ++next_;
    Node* n = v.node();
    check_unchanged(v);
    if (n->has_grad) n->backward(n->grad, n->value);
    if (anomaly_) check_backward(v);
    if (!retain_graph_) {
        n->backward = nullptr;
        n->inputs.clear();
        n->graph_freed = true;
    }
    ran_ = next_;
    skip_leaves();
    return true;
}

// Moves past the nodes without a rule (leaves, or nodes whose graph is already gone), so
// that the next node is one to run, or the pass is done.
void BackwardPass::skip_leaves() {
    while (next_ < order_.size() && !order_[order_.size() - 1 - next_].node()->backward) ++next_;
}

// Dropping the last handle to a graph's root frees the root, whose inputs then lose their
// last owner, and so on down the chain: done by recursion, a long chain overflows the
// stack. Instead the first ~Node on this thread frees the nodes one at a time from a list,
// and a ~Node that runs meanwhile only adds its inputs to that list. Inputs are taken out
// before the rule is dropped, so the Vars the rule captured are never the last owners.
Node::~Node() {
    if (inputs.empty()) return;  // a leaf, or a node whose graph backward() already freed
    for (Var& v : inputs) teardown.pending.push_back(std::move(v.node_));
    inputs.clear();
    backward = nullptr;
    if (teardown.running) return;  // the loop below, further up this thread's stack, frees them
    teardown.running = true;
    while (!teardown.pending.empty()) {
        std::shared_ptr<Node> n = std::move(teardown.pending.back());
        teardown.pending.pop_back();
        n.reset();  // if it was the last owner: ~Node adds its inputs to the list and returns
    }
    teardown.running = false;
}

}  // namespace hg
