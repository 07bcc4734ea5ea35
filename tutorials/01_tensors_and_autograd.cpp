// Tutorial 01 — tensors and autograd in miniature: a Tensor, a graph of Vars, backpropagation
// by hand against autograd and against central differences, the graph drawn. What each step
// shows and what its numbers mean: 01_tensors_and_autograd.md beside this file.
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "autograd/dot.hpp"
#include "autograd/gradcheck.hpp"
#include "autograd/ops.hpp"
#include "tensor/matmul.hpp"
#include "tutorials/common/tutorial.hpp"

using hg::Tensor;
using hg::Var;

namespace {

void step1_tensors(hg::tutorial::Tutorial& t) {
    t.step(1, "A tensor is numbers with a shape");
    Tensor x = Tensor::from({2, 3}, {1, 2, 3, 4, 5, 6});
    Tensor b = Tensor::from({3}, {10, 20, 30});
    t.say() << "x = " << x << "\nb = " << b << "\n";
    Tensor xb = x + b;  // b is broadcast over both rows
    t.say() << "x + b (b broadcast over the rows) = " << xb << "\n";
    t.check(xb.at({1, 2}) == 36.0f, "x + b adds b to every row of x");
    Tensor xxT = hg::matmul(x, x, false, true);
    t.say() << "x·xᵀ = " << xxT << "\n";
    t.check(xxT.at({0, 1}) == 1 * 4 + 2 * 5 + 3 * 6, "(x·xᵀ)[0][1] is the dot product of rows 0 and 1");
}

// f(a, w, c) = (a·w + c)² with a = 2, w = -3, c = 10: u = a·w + c = 4, f = 16.
void step2_graph(hg::tutorial::Tutorial& t) {
    t.step(2, "An expression becomes a graph; backward() walks it in reverse");
    Var a = Var::parameter(Tensor::scalar(2.0f), "a");
    Var w = Var::parameter(Tensor::scalar(-3.0f), "w");
    Var c = Var::parameter(Tensor::scalar(10.0f), "c");
    Var u = (a * w + c).set_name("u");
    Var f = hg::square(u).set_name("f");
    f.backward();
    // By the chain rule: df/du = 2u = 8; df/da = 8·w = -24; df/dw = 8·a = 16; df/dc = 8.
    t.say() << "f = " << f.item() << "; by hand df/da = 2u·w = -24, df/dw = 2u·a = 16, df/dc = 2u = 8\n";
    t.say() << "autograd:  df/da = " << a.grad().item() << ", df/dw = " << w.grad().item()
            << ", df/dc = " << c.grad().item() << "\n";
    t.check(a.grad().item() == -24.0f && w.grad().item() == 16.0f && c.grad().item() == 8.0f,
            "autograd's gradients equal the chain rule's");
}

// The two-layer network of steps 3-5: h = tanh(x·W1 + b1), y = h·W2 + b2, loss = mean((y − target)²).
struct Net {
    Var X, T, W1, b1, W2, b2, h, y, loss;
};

// Returns the largest difference between the hand-written gradients and autograd's.
float step3_backprop_by_hand(hg::tutorial::Tutorial& t, Net& net, hg::Rng& rng) {
    t.step(3, "A 2-layer network: backpropagation by hand vs autograd");
    const std::size_t n = 4, d_in = 3, d_hidden = 5, d_out = 2;
    Var X = Var::constant(Tensor::normal({n, d_in}, 0, 1, rng), "x");
    Var T = Var::constant(Tensor::normal({n, d_out}, 0, 1, rng), "target");
    Var W1 = Var::parameter(Tensor::normal({d_in, d_hidden}, 0, 0.5f, rng), "W1");
    Var b1 = Var::parameter(Tensor::zeros({d_hidden}), "b1");
    Var W2 = Var::parameter(Tensor::normal({d_hidden, d_out}, 0, 0.5f, rng), "W2");
    Var b2 = Var::parameter(Tensor::zeros({d_out}), "b2");
    Var h = hg::tanh(hg::matmul(X, W1) + b1).set_name("h");
    Var y = (hg::matmul(h, W2) + b2).set_name("y");
    Var loss = hg::mean(hg::square(y - T)).set_name("loss");
    t.say() << "x " << X.shape() << " -> h " << h.shape() << " -> y " << y.shape() << ";  loss = " << loss.item()
            << "\n";
    loss.backward(/*retain_graph=*/true);  // kept, to draw it in step 5

    // The same gradients with matrices, layer by layer from the output back:
    const float count = static_cast<float>(n * d_out);
    Tensor dY = (y.value() - T.value()) * (2.0f / count);             // d mean((y−t)²)/dy
    Tensor dW2 = hg::matmul(h.value(), dY, true, false);              // hᵀ·dY
    Tensor db2 = hg::sum(dY, 0);                                      // summed over the batch
    Tensor dH = hg::matmul(dY, W2.value(), false, true);              // dY·W2ᵀ
    Tensor dZ = dH * (1.0f - hg::square(h.value()));                  // through tanh: 1 − h²
    Tensor dW1 = hg::matmul(X.value(), dZ, true, false);              // xᵀ·dZ
    Tensor db1 = hg::sum(dZ, 0);
    const float diff = std::max({hg::max_abs_diff(dW1, W1.grad()), hg::max_abs_diff(db1, b1.grad()),
                                 hg::max_abs_diff(dW2, W2.grad()), hg::max_abs_diff(db2, b2.grad())});
    t.say() << "dW2 by hand: " << dW2 << "\ndW2 autograd: " << W2.grad() << "\n";
    t.say() << "largest difference over dW1, db1, dW2, db2: " << diff << "\n";
    t.check(diff < 1e-5f, "the hand-written backward pass and autograd agree to 1e-5");
    net = {X, T, W1, b1, W2, b2, h, y, loss};
    return diff;
}

bool step4_gradcheck(hg::tutorial::Tutorial& t, const Net& n) {
    t.step(4, "Central differences agree too (gradcheck)");
    auto f = [](const std::vector<Var>& v) {
        Var hh = hg::tanh(hg::matmul(v[0], v[1]) + v[2]);
        return hg::mean(hg::square(hg::matmul(hh, v[3]) + v[4] - v[5]));
    };
    const hg::GradCheckResult r =
        hg::gradcheck(f, {n.X.value(), n.W1.value(), n.b1.value(), n.W2.value(), n.b2.value(), n.T.value()});
    t.say() << r.str() << "\n";
    t.check(r.ok, "analytic gradients match (f(x+ε) − f(x−ε)) / 2ε for every weight");
    return r.ok;
}

// The width and height of a PNG in pixels, from its header (the IHDR chunk: bytes 16-23).
std::pair<std::uint32_t, std::uint32_t> png_size(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    unsigned char h[24] = {};
    if (!f.read(reinterpret_cast<char*>(h), sizeof h) || h[1] != 'P' || h[2] != 'N' || h[3] != 'G')
        throw std::runtime_error(path + " is not a PNG file");
    auto big_endian = [&](int at) { return std::uint32_t(h[at]) << 24 | h[at + 1] << 16 | h[at + 2] << 8 | h[at + 3]; };
    return {big_endian(16), big_endian(20)};
}

std::size_t step5_draw(hg::tutorial::Tutorial& t, const Net& n) {
    t.step(5, "The graph, drawn");
    const std::string dot_path = t.out_dir() + "/two_layer_net.dot";
    hg::write_dot(n.loss, dot_path);
    const std::size_t nodes = hg::topological_order(n.loss).size();
    t.say() << "wrote " << dot_path << " (" << nodes << " nodes; read top to bottom, from the inputs to the loss)\n"
            << "  blue: the parameters W1 b1 W2 b2; grey pages: the constants x and -target (no gradient);\n"
            << "  dashed boxes: sub and mean as the code called them, around the ops they recorded\n"
            << "  (y - target is add(y, -target); mean(e) is scale(sum(e), 1/8))\n";
    // 4 parameters, x, 9 ops, and −target: target·(−1) needs no gradient, so it was computed
    // as a plain constant and the target leaf is not in the graph.
    t.check(nodes == 16 - 1, "the graph has 15 nodes: W1 b1 W2 b2 x, 9 ops, and the constant −target");
    if (std::system("command -v dot >/dev/null 2>&1") != 0) {
        t.say() << "Graphviz's dot is not on the PATH, so only the .dot file was written: install graphviz, then\n"
                << "  dot -Tpng " << dot_path << " -o two_layer_net.png\n";
        return nodes;
    }
    const std::string base = t.out_dir() + "/two_layer_net";
    for (const char* format : {"svg", "png"}) {
        const std::string cmd = std::string("dot -T") + format + " '" + dot_path + "' -o '" + base + "." + format + "'";
        if (std::system(cmd.c_str()) != 0) throw std::runtime_error("rendering the graph failed: " + cmd);
    }
    const auto [width, height] = png_size(base + ".png");
    t.say() << "rendered " << base << ".svg and .png (" << width << " x " << height << " px)\n";
    return nodes;
}

}  // namespace

int main(int argc, char** argv) {
    hg::tutorial::Tutorial t("01_tensors_and_autograd", "Tensors and autograd in miniature");
    return t.run(argc, argv, [&] {
        hg::Rng rng(t.options().seed);
        step1_tensors(t);
        step2_graph(t);
        Net net;
        const float diff = step3_backprop_by_hand(t, net, rng);
        const bool ok = step4_gradcheck(t, net);
        const std::size_t nodes = step5_draw(t, net);
        t.result({{"max_grad_diff", hg::tutorial::scientific(diff, 2)},
                  {"gradcheck", ok ? "ok" : "failed"},
                  {"graph_nodes", std::to_string(nodes)}});
    });
}
