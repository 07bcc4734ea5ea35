// The gradient-check table: every differentiable op, checked against central differences
// on several shapes (odd sizes, size-1 dimensions, broadcasting). Adding an op means
// adding a row here.
#include <doctest/doctest.h>

#include <cmath>
#include <functional>
#include <string>
#include <vector>

#include "autograd/gradcheck.hpp"
#include "autograd/loss.hpp"
#include "autograd/ops.hpp"
#include "models/kernel_recommender.hpp"
#include "nn/kernel_linear.hpp"
#include "nn/lstm.hpp"

using hg::Shape;
using hg::Tensor;
using hg::Var;
using Inputs = std::vector<Var>;

namespace {

// How to draw an input: normal values, or positive ones (for log, sqrt, pow, div).
enum class Domain { any, positive, away_from_zero, distinct };

struct Row {
    std::string op;
    std::vector<std::vector<Shape>> cases;  // each case: the shapes of the inputs
    hg::GradCheckFn f;
    Domain domain = Domain::any;
    double atol = 1e-3, rtol = 1e-2;
};

Tensor draw(const Shape& s, Domain d, hg::Rng& rng) {
    Tensor t = Tensor::normal(s, 0.0f, 1.0f, rng);
    if (d == Domain::distinct) {
        // Values at least 0.2 apart, so no ε-step can swap two of them (a top-k choice).
        std::vector<std::size_t> order(t.numel());
        for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
        rng.shuffle(order);
        for (std::size_t i = 0; i < order.size(); ++i) t[i] = 0.2f * static_cast<float>(order[i]) - 1.0f;
        return t;
    }
    for (std::size_t i = 0; i < t.numel(); ++i) {
        if (d == Domain::positive) t[i] = 0.5f + std::fabs(t[i]);
        // Kinks (relu, abs, ...) at 0 have no derivative: keep inputs a step away from them.
        if (d == Domain::away_from_zero) t[i] = (t[i] < 0 ? -1.0f : 1.0f) * (0.1f + std::fabs(t[i]));
    }
    return t;
}

const std::vector<Shape> unary_shapes = {{1}, {7}, {3, 5}, {1, 4}, {2, 3, 4}};

std::vector<std::vector<Shape>> unary_cases() {
    std::vector<std::vector<Shape>> c;
    for (const Shape& s : unary_shapes) c.push_back({s});
    return c;
}

// Same shape, and NumPy broadcasting both ways.
const std::vector<std::vector<Shape>> binary_cases = {
    {{3, 5}, {3, 5}}, {{3, 5}, {5}}, {{3, 1}, {1, 4}}, {{1}, {2, 3}}, {{2, 1, 3}, {4, 1}}, {{7}, {}}};

std::vector<Row> table() {
    using hg::Rng;
    return {
        {"add", binary_cases, [](const Inputs& v) { return v[0] + v[1]; }},
        {"sub", binary_cases, [](const Inputs& v) { return v[0] - v[1]; }},
        {"mul", binary_cases, [](const Inputs& v) { return v[0] * v[1]; }},
        {"div", binary_cases, [](const Inputs& v) { return v[0] / v[1]; }, Domain::positive},
        {"neg", unary_cases(), [](const Inputs& v) { return -v[0]; }},
        {"scale", unary_cases(), [](const Inputs& v) { return v[0] * 2.5f; }},
        {"add_scalar", unary_cases(), [](const Inputs& v) { return 1.5f - v[0]; }},
        {"pow", unary_cases(), [](const Inputs& v) { return hg::pow(v[0], 2.7f); }, Domain::positive},
        {"square", unary_cases(), [](const Inputs& v) { return hg::square(v[0]); }},
        {"exp", unary_cases(), [](const Inputs& v) { return hg::exp(v[0]); }},
        {"log", unary_cases(), [](const Inputs& v) { return hg::log(v[0]); }, Domain::positive},
        {"sqrt", unary_cases(), [](const Inputs& v) { return hg::sqrt(v[0]); }, Domain::positive},
        {"abs", unary_cases(), [](const Inputs& v) { return hg::abs(v[0]); }, Domain::away_from_zero},
        {"mask", unary_cases(),
         [](const Inputs& v) {
             Tensor m(v[0].shape());
             for (std::size_t i = 0; i < m.numel(); ++i) m[i] = i % 3 == 1 ? 0.0f : 1.0f;
             return hg::mask(v[0], m);
         }},
        {"matmul", {{{1, 7}, {7, 3}}, {{4, 5}, {5, 6}}, {{3, 1}, {1, 2}}, {{2, 9}, {9, 1}}},
         [](const Inputs& v) { return hg::matmul(v[0], v[1]); }},
        {"transpose", {{{3, 5}}, {{1, 4}}}, [](const Inputs& v) { return hg::transpose(v[0]); }},
        {"reshape", {{{3, 4}}, {{12}}}, [](const Inputs& v) { return hg::reshape(v[0], {2, 6}); }},
        {"concat axis 0", {{{2, 3}, {1, 3}}, {{1, 4}, {3, 4}}},
         [](const Inputs& v) { return hg::concat({v[0], v[1]}, 0); }},
        {"concat axis 1", {{{3, 2}, {3, 1}}, {{2, 5}, {2, 4}}},
         [](const Inputs& v) { return hg::concat({v[0], v[1], v[0]}, 1); }},
        {"sum", unary_cases(), [](const Inputs& v) { return hg::sum(v[0]); }},
        {"sum axis 0", {{{3, 5}}, {{1, 4}}, {{2, 3, 4}}}, [](const Inputs& v) { return hg::sum(v[0], 0); }},
        {"sum axis -1 keepdim", {{{3, 5}}, {{4, 1}}, {{2, 3, 4}}},
         [](const Inputs& v) { return hg::sum(v[0], -1, true); }},
        {"mean", unary_cases(), [](const Inputs& v) { return hg::mean(v[0]); }},
        {"mean axis 1", {{{3, 5}}, {{2, 3, 4}}}, [](const Inputs& v) { return hg::mean(v[0], 1); }},
        {"sigmoid", unary_cases(), [](const Inputs& v) { return hg::sigmoid(v[0] * 3.0f); }},
        {"tanh", unary_cases(), [](const Inputs& v) { return hg::tanh(v[0]); }},
        {"relu", unary_cases(), [](const Inputs& v) { return hg::relu(v[0]); }, Domain::away_from_zero},
        {"leaky_relu", unary_cases(), [](const Inputs& v) { return hg::leaky_relu(v[0], 0.1f); },
         Domain::away_from_zero},
        {"elu", unary_cases(), [](const Inputs& v) { return hg::elu(v[0], 0.7f); }, Domain::away_from_zero},
        {"selu", unary_cases(), [](const Inputs& v) { return hg::selu(v[0]); }, Domain::away_from_zero},
        {"softplus", unary_cases(), [](const Inputs& v) { return hg::softplus(v[0] * 4.0f); }},
        // >>> EXTENDING.md: gelu row
        {"gelu", unary_cases(), [](const Inputs& v) { return hg::gelu(v[0] * 3.0f); }},
        // <<< EXTENDING.md: gelu row
        {"softmax", {{{1, 5}}, {{4, 3}}, {{6}}, {{2, 1}}}, [](const Inputs& v) { return hg::softmax(v[0]); }},
        {"log_softmax", {{{1, 5}}, {{4, 3}}, {{6}}, {{2, 2, 3}}},
         [](const Inputs& v) { return hg::log_softmax(v[0] * 5.0f); }},
        {"topk_mask", {{{3, 7}}, {{1, 4}}, {{5}}}, [](const Inputs& v) { return hg::topk_mask(v[0], 2); },
         Domain::distinct},
        {"dropout", {{{4, 6}}, {{9}}},
         [](const Inputs& v) {
             hg::Rng rng(11);  // the same mask on every evaluation
             return hg::dropout(v[0], 0.4f, rng);
         }},
        // ---- images (NCHW): odd sizes, batch and channels > 1, stride 2, padding 1 ----
        {"conv2d", {{{1, 1, 5, 5}, {1, 1, 3, 3}, {1}}, {{2, 3, 5, 7}, {4, 3, 3, 3}, {4}}, {{3, 2, 4, 3}, {2, 2, 1, 1}, {2}}},
         [](const Inputs& v) { return hg::conv2d(v[0], v[1], v[2]); }},
        {"conv2d stride 2 padding 1", {{{2, 3, 7, 6}, {4, 3, 3, 3}, {4}}, {{2, 2, 5, 5}, {3, 2, 2, 3}, {3}}, {{1, 1, 2, 2}, {1, 1, 3, 3}, {1}}},
         [](const Inputs& v) { return hg::conv2d(v[0], v[1], v[2], 2, 1); }},
        {"conv2d no bias stride 3 padding 2", {{{2, 2, 5, 4}, {3, 2, 2, 2}}},
         [](const Inputs& v) { return hg::conv2d(v[0], v[1], 3, 2); }},
        {"max_pool2d", {{{2, 3, 5, 7}}, {{1, 2, 4, 4}}, {{1, 1, 1, 3}}}, [](const Inputs& v) { return hg::max_pool2d(v[0]); },
         Domain::distinct},
        {"max_pool2d size 3", {{{2, 2, 7, 5}}}, [](const Inputs& v) { return hg::max_pool2d(v[0], 3); }, Domain::distinct},
        {"upsample2d", {{{2, 3, 3, 5}}, {{1, 1, 1, 1}}}, [](const Inputs& v) { return hg::upsample2d(v[0]); }},
        {"upsample2d factor 3", {{{2, 2, 2, 3}}}, [](const Inputs& v) { return hg::upsample2d(v[0], 3); }},
        // A small convolutional autoencoder, end to end: conv, pool, conv, upsample, conv.
        {"conv autoencoder", {{{2, 1, 5, 5}, {3, 1, 3, 3}, {3}, {2, 3, 3, 3}, {2}, {1, 2, 2, 2}, {1}}},
         [](const Inputs& v) {
             Var h = hg::max_pool2d(hg::tanh(hg::conv2d(v[0], v[1], v[2], 1, 1)));  // (2x3x3x3): 5 -> 3, ceil mode
             Var z = hg::tanh(hg::conv2d(h, v[3], v[4], 1, 1));                     // (2x2x3x3)
             Var y = hg::sigmoid(hg::conv2d(hg::upsample2d(z), v[5], v[6]));        // (2x1x5x5): 6 -> 5
             return hg::mean(hg::square(y - v[0]));
         }},
        // A composite expression: an autoencoder's reconstruction error, end to end.
        {"tiny autoencoder", {{{3, 4}, {4, 2}, {2}, {2, 4}, {4}}},
         [](const Inputs& v) {
             Var h = hg::sigmoid(hg::matmul(v[0], v[1]) + v[2]);
             Var y = hg::matmul(h, v[3]) + v[4];
             return hg::mean(hg::square(y - v[0]));
         }},
        // An LSTM unrolled over 3 steps (nn/lstm.hpp): backpropagation through time, every
        // step's output h_t checked, against the inputs x_1..x_3 and the four gates' weights.
        {"lstm unrolled 3 steps", {{{2, 2}, {2, 2}, {2, 2}, {3, 5}, {3}, {3, 5}, {3}, {3, 5}, {3}, {3, 5}, {3}}},
         [](const Inputs& v) {
             const Tensor zero = Tensor::zeros({2, 3});
             hg::LstmState state{Var::constant(zero), Var::constant(zero)};
             const hg::LstmGates gates{v[3], v[4], v[5], v[6], v[7], v[8], v[9], v[10]};
             return hg::concat(hg::lstm_unroll({v[0], v[1], v[2]}, state, gates), 1);
         }},
        // ---- GLocal-K's kernels (nn/kernel_linear.hpp, models/kernel_recommender.hpp), composites ----
        // The points scaled by 0.4 so that most pairs fall inside the kernel's support (K > 0).
        {"local_kernel", {{{4, 2}, {3, 2}}, {{1, 5}, {6, 5}}},
         [](const Inputs& v) { return hg::local_kernel(0.4f * v[0], 0.4f * v[1]); }},
        {"kernel_linear", {{{3, 4}, {2, 4}, {2}, {4, 3}, {2, 3}}, {{1, 5}, {3, 5}, {3}, {5, 2}, {3, 2}}},
         [](const Inputs& v) { return hg::kernel_linear(v[0], v[1], v[2], 0.4f * v[3], 0.4f * v[4]); }},
        {"global_kernel", {{{5, 4}, {5, 9}}, {{3, 1}, {3, 1}}},
         [](const Inputs& v) { return hg::models::global_kernel(v[0], v[1], 0.7f); }},
        // The kernel from a prediction, then the ratings convolved with it: both inputs get gradients.
        {"global_convolution", {{{6, 5}, {6, 9}, {6, 5}}, {{4, 7}, {4, 9}, {4, 7}}},
         [](const Inputs& v) { return hg::models::global_convolution(v[0], hg::models::global_kernel(v[2], v[1], 0.5f)); }},
        // ---- the fused linear op (ops_matmul.cpp), and every loss and penalty (ops_loss.cpp) ----
        {"linear", {{{4, 3}, {2, 3}, {2}}, {{1, 5}, {3, 5}, {3}}, {{3, 1}, {1, 1}, {1}}},
         [](const Inputs& v) { return hg::linear(v[0], v[1], v[2]); }},
        {"linear no bias", {{{4, 3}, {2, 3}}, {{1, 5}, {3, 5}}}, [](const Inputs& v) { return hg::linear(v[0], v[1]); }},
        {"mse", {{{3, 4}, {3, 4}}, {{7}, {7}}, {{1, 1}, {1, 1}}},
         [](const Inputs& v) { return hg::mse(v[0], v[1]); }},
        {"masked_mse", {{{3, 4}, {3, 4}}, {{2, 5}, {2, 5}}},
         [](const Inputs& v) {
             Tensor m(v[0].shape());
             for (std::size_t i = 0; i < m.numel(); ++i) m[i] = i % 3 == 1 ? 0.0f : 1.0f;
             return hg::masked_mse(v[0], v[1], m);
         }},
        {"masked_mse mean corrector", {{{3, 4}, {3, 4}}, {{1, 6}, {1, 6}}},
         [](const Inputs& v) {
             Tensor m(v[0].shape());
             for (std::size_t i = 0; i < m.numel(); ++i) m[i] = i % 4 == 2 ? 0.0f : 1.0f;
             return hg::masked_mse(v[0], v[1], m, hg::MaskedMseOptions().mean_corrector(true));
         }},
        {"bce", {{{3, 4}, {3, 4}}, {{7}, {7}}},
         [](const Inputs& v) { return hg::bce(hg::sigmoid(v[0]), hg::sigmoid(v[1])); }},
        {"bce_with_logits", {{{3, 4}, {3, 4}}, {{7}, {7}}, {{1, 1}, {1, 1}}},
         [](const Inputs& v) { return hg::bce_with_logits(v[0] * 3.0f, hg::sigmoid(v[1])); }},
        {"cross_entropy", {{{3, 4}}, {{1, 5}}, {{6, 2}}},
         [](const Inputs& v) {
             std::vector<int> labels(v[0].shape()[0]);
             for (std::size_t r = 0; r < labels.size(); ++r) labels[r] = static_cast<int>((2 * r + 1) % v[0].shape()[1]);
             return hg::cross_entropy(v[0] * 3.0f, labels);
         }},
        {"l1_activity", {{{3, 4}}, {{1, 5}}, {{6, 1}}}, [](const Inputs& v) { return hg::l1_activity(v[0]); },
         Domain::away_from_zero},
        {"kl_sparsity", {{{5, 3}}, {{1, 4}}, {{6, 1}}},
         [](const Inputs& v) { return hg::kl_sparsity(hg::sigmoid(v[0]), 0.2f); }},
        {"contractive_penalty", {{{4, 3}, {3, 5}}, {{1, 2}, {2, 6}}, {{5, 1}, {1, 3}}},
         [](const Inputs& v) { return hg::contractive_penalty(hg::sigmoid(v[0]), v[1]); }},
        {"contractive_penalty of an encoder", {{{4, 5}, {3, 5}, {3}}},
         [](const Inputs& v) { return hg::contractive_penalty(hg::sigmoid(hg::linear(v[0], v[1], v[2])), v[1]); }},
        {"vae_kl", {{{3, 4}, {3, 4}}, {{1, 2}, {1, 2}}, {{5}, {5}}},
         [](const Inputs& v) { return hg::vae_kl(v[0], v[1]); }},
        {"reparameterise", {{{3, 4}, {3, 4}}, {{1, 2}, {1, 2}}},
         [](const Inputs& v) {
             hg::Rng rng(3);  // the same ε on every evaluation
             return hg::reparameterise(v[0], v[1], rng);
         }},
    };
}

}  // namespace

TEST_CASE("gradcheck: every op's backward matches central differences") {
    hg::Rng rng(2024);
    for (const Row& row : table()) {
        for (const auto& shapes : row.cases) {
            std::vector<Tensor> inputs;
            std::string desc;
            for (const Shape& s : shapes) {
                inputs.push_back(draw(s, row.domain, rng));
                desc += s.str();
            }
            hg::GradCheckOptions opt;
            opt.atol = row.atol;
            opt.rtol = row.rtol;
            const hg::GradCheckResult r = hg::gradcheck(row.f, inputs, opt);
            INFO(row.op << " on " << desc << ": " << r.str());
            CHECK(r.ok);
        }
    }
}

TEST_CASE("gradcheck: a wrong backward rule is caught and the worst element is named") {
    // x³ with the derivative wrongly taken as 2x².
    auto wrong = [](const Inputs& v) {
        const Var a = v[0];
        return hg::make_op("wrong_cube", hg::pow(a.value(), 3.0f), {a},
                           [a](const Tensor& dy, const Tensor&) { a.accumulate_grad(dy * 2.0f * hg::square(a.value())); });
    };
    hg::Rng rng(1);
    const hg::GradCheckResult r = hg::gradcheck(wrong, {Tensor::normal({5}, 0, 1, rng)});
    CHECK_FALSE(r.ok);
    CHECK(r.str().find("FAILED: worst element is input 0") == 0);
}
