// Matrix products (matmul, and linear: the affine map of a Linear layer) and the ops that
// only move numbers around.
#include <algorithm>
#include <string>

#include "autograd/ops.hpp"
#include "tensor/matmul.hpp"

namespace hg {

Var matmul(const Var& a, const Var& b) {
    // dA = dY · Bᵀ,  dB = Aᵀ · dY   (the transposes are read in place, never built)
    return make_op("matmul", hg::matmul(a.value(), b.value()), {a, b}, [a, b](const Tensor& dy, const Tensor&) {
        if (a.requires_grad()) a.accumulate_grad(hg::matmul(dy, b.value(), false, true));
        if (b.requires_grad()) b.accumulate_grad(hg::matmul(a.value(), dy, true, false));
    });
}

namespace {

Var linear_op(const Var& x, const Var& w, const Var* b) {
    const Tensor &X = x.value(), &W = w.value();
    if (W.rank() != 2) throw ShapeError("linear: the weight must be 2-D (out x in), got " + W.shape().str());
    if (X.rank() != 2 || X.shape()[1] != W.shape()[1])
        throw ShapeError("linear: the input has shape " + X.shape().str() + " but the weight " + W.shape().str() +
                         " expects (N x " + std::to_string(W.shape()[1]) + "), one example per row" +
                         (X.rank() == 1 ? " (reshape a single example to (1 x n))" : ""));
    const std::size_t n = X.shape()[0], out = W.shape()[0];
    if (b && !(b->shape() == Shape{out}))
        throw ShapeError("linear: the bias has shape " + b->shape().str() + " but the weight " + W.shape().str() +
                         " needs (" + std::to_string(out) + ")");
    // Y = X·Wᵀ + b: start Y as b in every row, then add the product (beta = 1).
    Tensor y = Tensor::empty(Shape{n, out});  // the bias, or overwritten by the product (beta = 0)
    if (b)
        for (std::size_t r = 0; r < n; ++r) std::copy_n(b->value().data(), out, y.data() + r * out);
    matmul_into(y, X, W, false, true, b ? 1.0f : 0.0f);

    VarList inputs{x, w};
    if (b) inputs.push_back(*b);
    const Var bias = b ? *b : Var();
    // dW and db have exactly their parameter's shape, so they are added straight into its
    // gradient (accumulate_grad_with): no temporary the size of W on every step.
    return make_op("linear", std::move(y), std::move(inputs), [x, w, bias](const Tensor& dy, const Tensor&) {
        if (x.requires_grad()) x.accumulate_grad(hg::matmul(dy, w.value()));  // dX = dY·W
        w.accumulate_grad_with(w.shape(), [&](Tensor& dw) {                      // dW += dYᵀ·X
            matmul_into(dw, dy, x.value(), true, false, 1.0f);
        });
        bias.accumulate_grad_with(bias.shape(), [&](Tensor& db) {  // db += Σ_rows dY
            const std::size_t rows = dy.shape()[0], out = dy.shape()[1];
            for (std::size_t r = 0; r < rows; ++r)
                for (std::size_t j = 0; j < out; ++j) db[j] += dy[r * out + j];
        });
    });
}

}  // namespace

Var linear(const Var& x, const Var& weight, const Var& bias) { return linear_op(x, weight, &bias); }
Var linear(const Var& x, const Var& weight) { return linear_op(x, weight, nullptr); }

Var transpose(const Var& a) {
    // dA = dYᵀ
    return make_op("transpose", a.value().transpose(), {a}, [a](const Tensor& dy, const Tensor&) {
        a.accumulate_grad(dy.transpose());
    });
}

Var reshape(const Var& a, const Shape& shape) {
    // dA = dY reshaped back to A's shape
    return make_op("reshape", a.value().reshape(shape), {a}, [a](const Tensor& dy, const Tensor&) {
        a.accumulate_grad(dy.reshape(a.shape()));
    });
}

Var concat(const std::vector<Var>& parts, int axis) {
    // dPart_i = the slice of dY that part i filled
    std::vector<Tensor> values;
    values.reserve(parts.size());
    for (const Var& p : parts) values.push_back(p.value());
    Tensor y = Tensor::concat(values, axis);
    const std::size_t ax = normalise_axis(axis, y.rank(), "concat");
    return make_op("concat", std::move(y), VarList(parts.begin(), parts.end()), [parts, ax](const Tensor& dy, const Tensor&) {
        std::size_t outer = 1, inner = 1;
        for (std::size_t d = 0; d < ax; ++d) outer *= dy.shape()[d];
        for (std::size_t d = ax + 1; d < dy.rank(); ++d) inner *= dy.shape()[d];
        const std::size_t row = dy.shape()[ax] * inner;
        std::size_t offset = 0;
        for (const Var& p : parts) {
            const std::size_t w = p.shape()[ax] * inner;
            if (p.requires_grad()) {
                Tensor g(p.shape());
                for (std::size_t o = 0; o < outer; ++o)
                    for (std::size_t i = 0; i < w; ++i) g[o * w + i] = dy[o * row + offset + i];
                p.accumulate_grad(g);
            }
            offset += w;
        }
    });
}

}  // namespace hg
