#include <doctest/doctest.h>

#include <cmath>
#include <string>

#include "autograd/dot.hpp"
#include "autograd/loss.hpp"
#include "autograd/ops.hpp"

using hg::Tensor;
using hg::Var;

TEST_CASE("autograd: the worked example of var.hpp") {
    Var w = Var::parameter(Tensor::from({2}, {0.5f, -1.0f}), "w");
    Var x = Var::constant(Tensor::from({2}, {3.0f, 2.0f}));
    Var y = hg::sum(w * x);
    CHECK(y.item() == -0.5f);
    y.backward();
    CHECK(w.grad().to_vector() == std::vector<float>{3, 2});
    CHECK_FALSE(x.has_grad());
}

TEST_CASE("autograd: a value used twice receives both gradients (+=, not =)") {
    Var x = Var::parameter(Tensor::scalar(3.0f), "x");
    Var y = x * x + x;  // dy/dx = 2x + 1 = 7
    y.backward();
    CHECK(x.grad().item() == 7.0f);
}

TEST_CASE("autograd: parameter gradients accumulate across backward() until zero_grad()") {
    Var x = Var::parameter(Tensor::scalar(2.0f));
    for (int i = 0; i < 3; ++i) {
        Var y = 5.0f * x;
        y.backward();
    }
    CHECK(x.grad().item() == 15.0f);
    x.zero_grad();
    CHECK(x.grad().item() == 0.0f);
}

TEST_CASE("autograd: broadcasting is undone in the gradient") {
    Var x = Var::parameter(Tensor::ones({4, 3}));
    Var b = Var::parameter(Tensor::from({3}, {1, 2, 3}));
    Var y = hg::sum(x + b);
    y.backward();
    CHECK(b.grad().shape() == hg::Shape{3});
    CHECK(b.grad().to_vector() == std::vector<float>{4, 4, 4});
    CHECK(x.grad().to_vector() == std::vector<float>(12, 1.0f));
}

TEST_CASE("autograd: accumulate_grad_with adds in place, starting from zeros, and checks the shape") {
    const Var w = Var::parameter(Tensor::from({2}, {1, 2}), "w");
    const auto add_ones = [](Tensor& g) { g += Tensor::ones(g.shape()); };
    w.accumulate_grad_with(w.shape(), add_ones);  // the first gradient: zeros + 1
    w.accumulate_grad_with(w.shape(), add_ones);
    CHECK(w.grad().to_vector() == std::vector<float>{2, 2});
    CHECK_THROWS_WITH_AS(w.accumulate_grad_with(hg::Shape{1, 2}, add_ones),
                         "backward: a gradient of shape (1x2) cannot be added in place to 'w' of shape (2) (a backward "
                         "rule wrote the wrong shape for this input)",
                         hg::AutogradError);
    const Var c = Var::constant(Tensor::from({2}, {1, 2}));
    bool called = false;
    c.accumulate_grad_with(c.shape(), [&](Tensor&) { called = true; });  // no gradient wanted: not called
    CHECK_FALSE(called);
    CHECK_FALSE(c.has_grad());
}

TEST_CASE("autograd: backward on a non-scalar root needs a seed") {
    Var x = Var::parameter(Tensor::ones({2, 3}), "x");
    Var y = hg::sigmoid(x);
    CHECK_THROWS_WITH_AS(y.backward(),
                         "backward: 'sigmoid' has shape (2x3), not a single number; call backward(seed) with a seed "
                         "gradient of that shape, or reduce it first (e.g. sum or mean)",
                         hg::AutogradError);
    CHECK_THROWS_AS(y.backward(Tensor::ones({3, 2})), hg::AutogradError);
    y.backward(Tensor::ones({2, 3}));
    CHECK(x.grad()[0] == doctest::Approx(0.19661193f));
}

TEST_CASE("autograd: backward twice on a freed graph is an error, with retain_graph it accumulates") {
    Var x = Var::parameter(Tensor::scalar(1.0f), "x");
    Var h = hg::exp(x);
    Var y = h * h;  // d/dx e^{2x} = 2e^{2x}
    y.backward(true);
    const float once = x.grad().item();
    CHECK(once == doctest::Approx(2.0f * std::exp(2.0f)));
    y.backward();  // retained: the second pass adds the same amount again, no more
    CHECK(x.grad().item() == doctest::Approx(2.0f * once));
    CHECK_THROWS_AS(y.backward(), hg::AutogradError);
    // Reusing a node of the freed graph in a new one would lose its path to x: refused.
    Var z = h * 2.0f;
    CHECK_THROWS_AS(z.backward(), hg::AutogradError);
}

TEST_CASE("autograd: nothing to differentiate is a clear error") {
    Var c = Var::constant(Tensor::scalar(1.0f), "c");
    CHECK_THROWS_WITH_AS((c * 2.0f).backward(),
                         "backward: 'scale' does not depend on any parameter (nothing requires grad), or was computed "
                         "under NoGradGuard",
                         hg::AutogradError);
}

TEST_CASE("autograd: NoGradGuard builds no graph") {
    Var x = Var::parameter(Tensor::scalar(1.0f));
    {
        hg::NoGradGuard guard;
        CHECK_FALSE(hg::grad_enabled());
        Var y = x * 3.0f;
        CHECK_FALSE(y.requires_grad());
        CHECK(y.inputs().empty());
    }
    CHECK(hg::grad_enabled());
    CHECK((x * 3.0f).requires_grad());
}

TEST_CASE("autograd: a very deep graph does not overflow the stack") {
    Var x = Var::parameter(Tensor::scalar(0.0f));
    Var y = x;
    for (int i = 0; i < 200000; ++i) y = y + 1.0f;
    y.backward();
    CHECK(y.item() == 200000.0f);
    CHECK(x.grad().item() == 1.0f);
}

TEST_CASE("autograd: matmul gradients of a tiny linear layer, by hand") {
    // y = sum(x·W), x (1x2), W (2x2): dW = xᵀ·1, dx = 1·Wᵀ
    Var x = Var::parameter(Tensor::from({1, 2}, {1, 2}));
    Var W = Var::parameter(Tensor::from({2, 2}, {1, 2, 3, 4}));
    hg::sum(hg::matmul(x, W)).backward();
    CHECK(W.grad().to_vector() == std::vector<float>{1, 1, 2, 2});
    CHECK(x.grad().to_vector() == std::vector<float>{3, 7});
}

TEST_CASE("autograd: topk_mask keeps the k largest per row, dropout keeps the mean") {
    Var x = Var::parameter(Tensor::from({2, 4}, {1, 4, 2, 3, 9, 8, 7, 6}));
    Var y = hg::topk_mask(x, 2);
    CHECK(y.value().to_vector() == std::vector<float>{0, 4, 0, 3, 9, 8, 0, 0});
    CHECK_THROWS_AS(hg::topk_mask(x, 5), hg::ValueError);
    hg::Rng rng(1);
    Var d = hg::dropout(Var::constant(Tensor::ones({100, 100})), 0.3f, rng);
    CHECK(hg::mean(d.value()).item() == doctest::Approx(1.0f).epsilon(0.03));
    CHECK(hg::dropout(x, 0.5f, rng, false).value().storage() == x.value().storage());
    CHECK_THROWS_AS(hg::dropout(x, 1.0f, rng), hg::ValueError);
}

TEST_CASE("autograd: to_dot shows ops, names, shapes, values and grads") {
    Var w = Var::parameter(Tensor::from({1, 2}, {0.5f, 2.0f}), "w");
    Var loss = hg::sum(hg::sigmoid(w)).set_name("loss");
    loss.backward(true);
    const std::string dot = hg::to_dot(loss);
    CHECK(dot.find("digraph") != std::string::npos);
    CHECK(dot.find("loss (sum)") != std::string::npos);
    CHECK(dot.find("sigmoid") != std::string::npos);
    CHECK(dot.find("w (leaf)|(1x2)|value [0.5, 2]|grad [0.235") != std::string::npos);
    CHECK(dot.find("n0 -> n1") != std::string::npos);
}

TEST_CASE("autograd: a composite's ops carry its name and call; one inside another belongs to the outer") {
    Var p = Var::parameter(Tensor::from({2}, {1.0f, 2.0f}), "p");
    Var t = Var::constant(Tensor::from({2}, {0.0f, 1.0f}), "t");
    Var m = hg::mean(p);  // scale(sum(p), 1/2)
    Var m2 = hg::mean(p);
    REQUIRE(m.node()->composite != nullptr);
    CHECK(std::string(m.node()->composite) == "mean");
    CHECK(m.inputs()[0].op() == "sum");
    CHECK(m.inputs()[0].node()->composite_call == m.node()->composite_call);
    CHECK(m2.node()->composite_call != m.node()->composite_call);  // two calls, two boxes
    CHECK(hg::sum(p).node()->composite == nullptr);                // a primitive called by itself
    Var e = hg::mse(p, t);  // mean(square(sub(p, t))): every op it recorded is the mse's
    for (const Var& v : hg::topological_order(e)) {
        if (!v.requires_grad() || v.op() == "leaf") continue;
        REQUIRE(v.node()->composite != nullptr);
        CHECK(std::string(v.node()->composite) == "mse");
        CHECK(v.node()->composite_call == e.node()->composite_call);
    }
}

TEST_CASE("autograd: to_dot draws top to bottom, constants as pages, a composite as a labelled box") {
    Var w = Var::parameter(Tensor::from({1, 2}, {0.5f, 2.0f}), "w");
    Var target = Var::constant(Tensor::from({1, 2}, {1.0f, 0.0f}), "target");
    Var loss = hg::mean(hg::square(hg::sigmoid(w) - target)).set_name("loss");
    loss.backward(true);
    const std::string dot = hg::to_dot(loss);
    INFO(dot);
    CHECK(dot.find("rankdir=TB") != std::string::npos);
    CHECK(dot.find("rankdir=LR") == std::string::npos);
    // −target needs no gradient: a constant the sub computed, drawn as a page, outside the box.
    CHECK(dot.find("[shape=note, fillcolor=lightgrey, label=\"constant, computed by scale\\n(1x2)\\nvalue [-1, -0]\"]") !=
          std::string::npos);
    // sub and mean are boxes around the ops they recorded, in the order they were called.
    const auto sub = dot.find("subgraph cluster_0 {\n    label=\"sub\"");
    const auto mean = dot.find("subgraph cluster_1 {\n    label=\"mean\"");
    REQUIRE(sub != std::string::npos);
    REQUIRE(mean != std::string::npos);
    const std::string sub_box = dot.substr(sub, dot.find("  }\n", sub) - sub);
    const std::string mean_box = dot.substr(mean, dot.find("  }\n", mean) - mean);
    CHECK(sub_box.find("{add|(1x2)") != std::string::npos);
    CHECK(sub_box.find("shape=note") == std::string::npos);
    CHECK(mean_box.find("{sum|()") != std::string::npos);
    CHECK(mean_box.find("{loss (scale)|()") != std::string::npos);
    CHECK(mean_box.find("square") == std::string::npos);  // called by itself: outside every box
}

TEST_CASE("autograd: a chain of a million ops is freed without backward(), or after retain_graph, without recursion") {
    // Freed by recursion, such a chain overflowed the stack at about 200,000 ops.
    const hg::Var x = hg::Var::parameter(hg::Tensor::scalar(1.0f), "x");
    {
        hg::Var y = x;
        for (int i = 0; i < 1000000; ++i) y = y * 1.0f;
        CHECK(y.item() == 1.0f);
    }  // dropped here, never backpropagated
    {
        hg::Var y = x;
        for (int i = 0; i < 300000; ++i) y = y + 0.0f;
        y.backward(/*retain_graph=*/true);
        CHECK(x.grad().item() == 1.0f);
    }  // the kept graph is dropped here
    // A value used twice along the way: the chain is a diamond at every step.
    {
        hg::Var y = x;
        for (int i = 0; i < 200000; ++i) y = y * y;
    }
    CHECK(x.grad().item() == 1.0f);
}

// Regressions found by the PyTorch differential test (tests/oracle/), each against PyTorch's figure.
TEST_CASE("regression: a size-0 dimension broadcast against size 1 stays 0, in values and gradients") {
    CHECK(hg::broadcast_shape({0, 3}, {3}, "test") == hg::Shape{0, 3});
    CHECK(hg::broadcast_shape({1, 3}, {0, 1}, "test") == hg::Shape{0, 3});
    CHECK((hg::Tensor(hg::Shape{0, 3}) * hg::Tensor(hg::Shape{3}, 2.0f)).shape() == hg::Shape{0, 3});
    const hg::Var p = hg::Var::parameter(hg::Tensor(hg::Shape{0, 3}), "p");
    const hg::Var b = hg::Var::parameter(hg::Tensor(hg::Shape{3}, 1.0f), "b");
    hg::Var s = hg::sum(p + b, 0);  // (0x3) summed over its empty axis: zeros (3)
    CHECK(s.shape() == hg::Shape{3});
    CHECK(hg::max_abs_diff(s.value(), hg::Tensor::zeros({3})) == 0.0f);
    s.backward(hg::Tensor::ones({3}));
    CHECK(p.grad().shape() == hg::Shape{0, 3});
    CHECK(hg::max_abs_diff(b.grad(), hg::Tensor::zeros({3})) == 0.0f);  // no rows: nothing flows to b
}

TEST_CASE("regression: elu and selu gradients at very negative x are alpha·e^x, not a cancelled y + alpha") {
    const hg::Var x = hg::Var::parameter(hg::Tensor::from({2}, {-12.0f, -20.0f}), "x");
    hg::sum(hg::elu(x)).backward();
    CHECK(x.grad()[0] == doctest::Approx(6.14421235e-6).epsilon(1e-6));  // e^-12 (PyTorch 6.14421e-6)
    CHECK(x.grad()[1] == doctest::Approx(2.06115362e-9).epsilon(1e-6));  // e^-20, not 0
    const hg::Var z = hg::Var::parameter(hg::Tensor::from({1}, {-30.0f}), "z");
    hg::sum(hg::selu(z)).backward();
    CHECK(z.grad()[0] == doctest::Approx(1.0507009873554805 * 1.6732632423543772 * 9.3576229688e-14).epsilon(1e-6));
}

TEST_CASE("regression: log_softmax is exact to the last digit of its result, and cross_entropy of a sure guess is not 0") {
    const hg::Var x = hg::Var::parameter(hg::Tensor::from({1, 2}, {20.0f, 13.5f}), "x");
    CHECK(hg::log_softmax(x).value()[0] == doctest::Approx(-0.00150231016).epsilon(1e-6));  // was -0.00150299
    const hg::Var logits = hg::Var::parameter(hg::Tensor::from({1, 3}, {30.0f, 14.0f, 12.0f}), "logits");
    hg::Var loss = hg::cross_entropy(logits, {0});
    CHECK(loss.item() == doctest::Approx(1.2790e-7).epsilon(1e-3));  // -log(1 + e^-16 + e^-18); was -0
    loss.backward();
    CHECK(logits.grad()[0] < 0.0f);  // was exactly 0 (PyTorch -1.19e-7)
}

TEST_CASE("regression: the gradient of pow(x, 0) is 0, also at x = 0") {
    const hg::Var x = hg::Var::parameter(hg::Tensor::from({2}, {0.0f, 3.0f}), "x");
    hg::sum(hg::pow(x, 0.0f)).backward();
    CHECK(x.grad()[0] == 0.0f);  // was NaN (0 · 0^-1)
    CHECK(x.grad()[1] == 0.0f);
}

TEST_CASE("regression: sums and means over an axis add up in double") {
    // 4 million rows of 0.1: a float running sum drifts by ~1e-4 relative; PyTorch 1.6e-8.
    const std::size_t n = 4000000;
    const hg::Tensor t(hg::Shape{n, 1}, 0.1f);
    const double exact = static_cast<double>(0.1f) * static_cast<double>(n);
    CHECK(std::fabs(hg::sum(t, 0).item() - exact) / exact < 1e-7);
    CHECK(std::fabs(hg::mean(t, 0).item() - 0.1f) <= 1e-8);
}

TEST_CASE("regression: a value changed in place after an op used it makes backward() refuse, naming the op and the value") {
    Var w = Var::parameter(Tensor::from({2}, {1.0f, 2.0f}), "w");
    Var x = Var::constant(Tensor::from({2}, {3.0f, 4.0f}), "x");
    Var y = hg::sum(w * x);
    w.mutable_value()[0] = 100.0f;  // after y was built from w
    std::string message;
    try {
        y.backward();
    } catch (const hg::AutogradError& e) {
        message = e.what();
    }
    CHECK(message.find("op mul") != std::string::npos);
    CHECK(message.find("its input 'w'") != std::string::npos);
    CHECK(message.find("changed in place") != std::string::npos);

    // An op's output changed in place: exp's rule reads its output. The first op backward()
    // reaches that saw the change names it.
    Var a = Var::parameter(Tensor::scalar(1.0f), "a");
    Var e = hg::exp(a);
    Var s = hg::sum(e);
    e.mutable_value()[0] = 0.0f;
    CHECK_THROWS_WITH_AS(s.backward(), doctest::Contains("'sum' (op sum) cannot compute its gradient: its input 'exp'"),
                         hg::AutogradError);
    CHECK_THROWS_WITH_AS(e.backward(), doctest::Contains("'exp' (op exp) cannot compute its gradient: its own output"),
                         hg::AutogradError);

    // Changes before the op ran, or after backward(), are fine: a training step's update.
    Var p = Var::parameter(Tensor::from({2}, {1.0f, 2.0f}), "p");
    p.mutable_value()[1] = 5.0f;
    Var loss = hg::sum(p * p);
    loss.backward();
    CHECK(p.grad().to_vector() == std::vector<float>{2.0f, 10.0f});
    p.mutable_value()[0] = 0.0f;  // the graph is freed: nothing to refuse
    Var again = hg::sum(p * p);
    p.zero_grad();
    again.backward();
    CHECK(p.grad().to_vector() == std::vector<float>{0.0f, 10.0f});
}

TEST_CASE("regression: a float on either side of + - * /, and compound assignment rebinds the Var") {
    Var x = Var::parameter(Tensor::from({2}, {2.0f, 4.0f}), "x");
    Var y = 2.0f / x;  // 2·x^-1: dy/dx = -2/x²
    CHECK(y.value().to_vector() == std::vector<float>{1.0f, 0.5f});
    hg::sum(y).backward();
    CHECK(x.grad().to_vector() == std::vector<float>{-0.5f, -0.125f});
    CHECK((1.0f - x).value().to_vector() == std::vector<float>{-1.0f, -3.0f});

    x.zero_grad();
    Var total = x * x;
    const Var first = total;
    total += x;      // total = x² + x
    total *= 3.0f;   // total = 3(x² + x)
    total -= 1.0f;
    total /= x;      // (3x² + 3x − 1) / x
    total /= 2.0f;
    CHECK(first.value().to_vector() == std::vector<float>{4.0f, 16.0f});  // the old node is unchanged
    CHECK(total.value()[0] == doctest::Approx((3 * 4 + 3 * 2 - 1) / 2.0 / 2.0));
    hg::sum(total).backward();  // d/dx (3x + 3 − 1/x)/2 = (3 + 1/x²)/2
    CHECK(x.grad()[0] == doctest::Approx((3 + 1 / 4.0) / 2));
    CHECK(x.grad()[1] == doctest::Approx((3 + 1 / 16.0) / 2));
}

// Tutorial 02's net on two users, the graph the playground steps through.
namespace {
struct SmallNet {
    Var W1, b1, W2, b2;
    explicit SmallNet(std::uint64_t seed) {
        hg::Rng rng(seed);
        W1 = Var::parameter(Tensor::normal({6, 3}, 0, 0.5f, rng), "W1");
        b1 = Var::parameter(Tensor::normal({3}, 0, 0.1f, rng), "b1");
        W2 = Var::parameter(Tensor::normal({3, 6}, 0, 0.5f, rng), "W2");
        b2 = Var::parameter(Tensor::normal({6}, 0, 0.1f, rng), "b2");
    }
    Var loss() const {
        const Tensor x = Tensor::from({2, 6}, {1, -1, 0, 1, 1, -1, 0, 1, 1, -1, 0, 1});
        const Tensor rated = hg::ne(x, 0.0f);
        Var X = Var::constant(x, "x");
        Var y = hg::matmul(hg::sigmoid(hg::matmul(X, W1) + b1), W2) + b2;
        return hg::sum(hg::square(hg::mask(y - X, rated))) / 8.0f;
    }
    std::vector<Var> params() const { return {W1, b1, W2, b2}; }
};
}  // namespace

TEST_CASE("autograd: BackwardPass steps one rule at a time, root first, to exactly backward()'s gradients") {
    const SmallNet whole(3), stepped(3);
    whole.loss().backward();

    Var loss = stepped.loss();
    hg::BackwardPass pass(loss, /*retain_graph=*/true);  // keeps each node's inputs, to check the order
    CHECK(pass.current() == nullptr);
    CHECK_FALSE(pass.done());
    CHECK(loss.grad().item() == 1.0f);  // seeded: dL/dL = 1
    CHECK(stepped.W1.grad().to_vector() == std::vector<float>(18, 0.0f));  // nothing has run yet

    // Every op node is visited once, the root first, each after every node that uses it
    // (so that its gradient is complete when its rule runs).
    std::vector<std::string> ran;
    std::vector<const hg::Node*> seen;
    while (pass.step()) {
        REQUIRE(pass.current() != nullptr);
        const Var& v = *pass.current();
        CHECK(v.op() != "leaf");
        for (const Var& in : v.inputs())
            for (const hg::Node* earlier : seen) CHECK(in.node() != earlier);  // v's inputs run after v
        seen.push_back(v.node());
        ran.push_back(v.op());
    }
    CHECK(pass.done());
    CHECK_FALSE(pass.step());  // nothing more to run
    CHECK(ran.front() == loss.op());
    CHECK(ran.back() == "matmul");  // x·W1, the first op of the forward pass, is the last rule
    std::size_t ops = 0;
    for (const Var& v : pass.order()) ops += v.op() != "leaf" && v.requires_grad();  // (-1)·x is an op without a rule
    CHECK(ran.size() == ops);
    const std::vector<Var> a = whole.params(), b = stepped.params();
    for (std::size_t i = 0; i < a.size(); ++i) {
        INFO(a[i].name());
        CHECK(a[i].grad().to_vector() == b[i].grad().to_vector());  // bit for bit
    }
}

TEST_CASE("autograd: BackwardPass checks what backward() checks") {
    Var x = Var::parameter(Tensor::from({2}, {1, 2}), "x");
    CHECK_THROWS_WITH_AS(hg::BackwardPass(hg::sigmoid(x)),
                         "backward: 'sigmoid' has shape (2), not a single number; call backward(seed) with a seed "
                         "gradient of that shape, or reduce it first (e.g. sum or mean)",
                         hg::AutogradError);
    Var y = hg::sum(x * x);
    {
        hg::BackwardPass pass(y);
        while (pass.step()) {
        }
    }
    CHECK(x.grad().to_vector() == std::vector<float>{2, 4});
    CHECK_THROWS_AS(hg::BackwardPass{y}, hg::AutogradError);  // the graph was freed
    // A parameter as the root has no rule to run: the pass is done once seeded.
    Var w = Var::parameter(Tensor::from({2}, {1, 2}), "w");
    hg::BackwardPass leaf(w, Tensor::from({2}, {5, 6}));
    CHECK(leaf.done());
    CHECK_FALSE(leaf.step());
    CHECK(w.grad().to_vector() == std::vector<float>{5, 6});
    // A product with a constant builds no rule: two steps, sum then add.
    Var z = hg::sum(Var::constant(Tensor::ones({2})) * 0.5f + x);
    hg::BackwardPass two(z);
    int steps = 0;
    while (two.step()) ++steps;
    CHECK(steps == 2);
}
