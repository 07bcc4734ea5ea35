// Reductions. Their backward rules broadcast dY back over what was summed.
#include "autograd/ops.hpp"

namespace hg {

Var sum(const Var& a) {
    // dA = dY broadcast to A's shape (every element contributed once)
    return make_op("sum", hg::sum(a.value()), {a}, [a](const Tensor& dy, const Tensor&) {
        a.accumulate_grad(Tensor::full(a.shape(), dy.item()));
    });
}

Var sum(const Var& a, int axis, bool keepdim) {
    // dA = dY with the summed axis put back as size 1, then broadcast along it
    const std::size_t ax = normalise_axis(axis, a.value().rank(), "sum");
    return make_op("sum_axis", hg::sum(a.value(), axis, keepdim), {a}, [a, ax](const Tensor& dy, const Tensor&) {
        Shape kept = a.shape();
        kept[ax] = 1;
        a.accumulate_grad(broadcast_to(dy.reshape(kept), a.shape()));
    });
}

Var mean(const Var& a) {
    if (a.value().numel() == 0) throw ShapeError("mean: the tensor " + a.shape().str() + " is empty");
    CompositeScope composite("mean");
    return scale(sum(a), 1.0f / static_cast<float>(a.value().numel()));
}

Var mean(const Var& a, int axis, bool keepdim) {
    const std::size_t n = a.value().dim(axis);
    if (n == 0) throw ShapeError("mean: axis " + std::to_string(axis) + " of " + a.shape().str() + " is empty");
    CompositeScope composite("mean");
    return scale(sum(a, axis, keepdim), 1.0f / static_cast<float>(n));
}

}  // namespace hg
