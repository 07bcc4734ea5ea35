// Reductions: sum, mean, max and argmax over all elements or along one axis.
#include <cmath>
#include <limits>

#include "tensor/kernels/storage.hpp"
#include "tensor/tensor.hpp"

namespace hg {

namespace {

// A tensor seen around `axis` as (outer x n x inner): the reduction runs over n.
struct AxisView {
    std::size_t outer = 1, n = 1, inner = 1;
    Shape out;
};

AxisView view_around(const Shape& s, int axis, bool keepdim, const char* op) {
    const std::size_t ax = normalise_axis(axis, s.rank(), op);
    AxisView v;
    for (std::size_t d = 0; d < s.rank(); ++d) {
        if (d < ax) v.outer *= s[d];
        if (d > ax) v.inner *= s[d];
        if (d == ax) {
            v.n = s[d];
            if (keepdim) v.out.push_back(1);
        } else {
            v.out.push_back(s[d]);
        }
    }
    return v;
}

}  // namespace

Tensor sum(const Tensor& a) {
    // Summed in double: float sums of many numbers drift.
    double s = 0;
    for (std::size_t i = 0; i < a.numel(); ++i) s += a[i];
    return Tensor::scalar(static_cast<float>(s));
}

namespace {

// scale · Σ over one axis, added up in double (a float running sum of 4 million rows
// loses four digits) and rounded once at the end.
Tensor scaled_sum(const Tensor& a, int axis, bool keepdim, double scale, const char* op) {
    const AxisView v = view_around(a.shape(), axis, keepdim, op);
    kernels::StepVector<double> total(v.outer * v.inner);  // zeros
    const float* pa = a.data();
    for (std::size_t o = 0; o < v.outer; ++o)
        for (std::size_t k = 0; k < v.n; ++k) {
            const float* row = pa + (o * v.n + k) * v.inner;
            double* dst = total.data() + o * v.inner;
            for (std::size_t i = 0; i < v.inner; ++i) dst[i] += row[i];
        }
    Tensor out = Tensor::empty(v.out);
    for (std::size_t i = 0; i < total.size(); ++i) out[i] = static_cast<float>(total[i] * scale);
    return out;
}

}  // namespace

Tensor sum(const Tensor& a, int axis, bool keepdim) { return scaled_sum(a, axis, keepdim, 1.0, "sum"); }

Tensor mean(const Tensor& a) {
    if (a.numel() == 0) throw ShapeError("mean: the tensor " + a.shape().str() + " is empty");
    return Tensor::scalar(sum(a).item() / static_cast<float>(a.numel()));
}

Tensor mean(const Tensor& a, int axis, bool keepdim) {
    const std::size_t n = a.dim(axis);
    if (n == 0) throw ShapeError("mean: axis " + std::to_string(axis) + " of " + a.shape().str() + " is empty");
    return scaled_sum(a, axis, keepdim, 1.0 / static_cast<double>(n), "mean");
}

Tensor max(const Tensor& a) {
    if (a.numel() == 0) throw ShapeError("max: the tensor " + a.shape().str() + " is empty");
    return Tensor::scalar(a[argmax(a)]);
}

Tensor max(const Tensor& a, int axis, bool keepdim) {
    const AxisView v = view_around(a.shape(), axis, keepdim, "max");
    if (v.n == 0) throw ShapeError("max: axis " + std::to_string(axis) + " of " + a.shape().str() + " is empty");
    Tensor out(v.out, -std::numeric_limits<float>::infinity());
    const float* pa = a.data();
    float* po = out.data();
    for (std::size_t o = 0; o < v.outer; ++o)
        for (std::size_t k = 0; k < v.n; ++k) {
            const float* row = pa + (o * v.n + k) * v.inner;
            float* dst = po + o * v.inner;
            for (std::size_t i = 0; i < v.inner; ++i)
                if (row[i] > dst[i] || std::isnan(row[i])) dst[i] = row[i];
        }
    return out;
}

std::size_t argmax(const Tensor& a) {
    if (a.numel() == 0) throw ShapeError("argmax: the tensor " + a.shape().str() + " is empty");
    std::size_t best = 0;
    for (std::size_t i = 1; i < a.numel(); ++i)
        if (a[i] > a[best]) best = i;
    return best;
}

std::vector<std::size_t> argmax(const Tensor& a, int axis) {
    if (a.rank() != 2) throw ShapeError("argmax: along an axis needs a 2-D tensor, got " + a.shape().str());
    const std::size_t ax = normalise_axis(axis, 2, "argmax");
    const std::size_t r = a.shape()[0], c = a.shape()[1];
    if ((ax == 1 ? c : r) == 0) throw ShapeError("argmax: axis " + std::to_string(ax) + " of " + a.shape().str() + " is empty");
    std::vector<std::size_t> best(ax == 1 ? r : c, 0);
    for (std::size_t i = 0; i < r; ++i)
        for (std::size_t j = 0; j < c; ++j) {
            if (ax == 1 && a[i * c + j] > a[i * c + best[i]]) best[i] = j;
            if (ax == 0 && a[i * c + j] > a[best[j] * c + j]) best[j] = i;
        }
    return best;
}

}  // namespace hg
