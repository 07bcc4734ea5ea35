// Matrix product and the ops that only move numbers around.
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
