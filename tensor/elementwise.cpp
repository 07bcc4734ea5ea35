// Element-wise maths with NumPy broadcasting, broadcast_to and its inverse sum_to.
#include <algorithm>
#include <cmath>

#include "tensor/tensor.hpp"

namespace hg {

Shape broadcast_shape(const Shape& a, const Shape& b, const char* op) {
    const std::size_t r = std::max(a.rank(), b.rank());
    Shape out = a.rank() == r ? a : b;  // of rank r; every dimension is set below (no heap: a step allocates nothing)
    for (std::size_t i = 0; i < r; ++i) {
        // Align on the right: a missing leading dimension counts as 1.
        const std::size_t da = i < r - a.rank() ? 1 : a[i - (r - a.rank())];
        const std::size_t db = i < r - b.rank() ? 1 : b[i - (r - b.rank())];
        if (da != db && da != 1 && db != 1)
            throw ShapeError(std::string(op) + ": cannot broadcast " + a.str() + " with " + b.str() +
                             ": dimension " + std::to_string(i) + " is " + std::to_string(da) + " vs " +
                             std::to_string(db) + " (sizes must be equal, or one of them 1)");
        out[i] = da == 1 ? db : da;  // a size 1 stretches to the other's size, even to 0
    }
    return out;
}

namespace {

// Strides (in elements) of `s` seen as a tensor of rank 4 aligned to `out`:
// 0 on a dimension that broadcasting stretches.
std::array<std::size_t, 4> broadcast_strides(const Shape& s, const Shape& out) {
    std::array<std::size_t, 4> st{0, 0, 0, 0};
    std::size_t stride = 1;
    for (std::size_t k = 0; k < s.rank(); ++k) {
        const std::size_t d = s.rank() - 1 - k;  // walk from the last dim
        const std::size_t slot = 3 - k;
        st[slot] = s[d] == 1 && out[out.rank() - 1 - k] != 1 ? 0 : stride;
        stride *= s[d];
    }
    return st;
}

std::array<std::size_t, 4> padded_dims(const Shape& out) {
    std::array<std::size_t, 4> d{1, 1, 1, 1};
    for (std::size_t k = 0; k < out.rank(); ++k) d[3 - k] = out[out.rank() - 1 - k];
    return d;
}

template <class F>
Tensor binary(const Tensor& a, const Tensor& b, const char* op, F f) {
    // Fast paths: equal shapes, or one side a single number.
    if (a.shape() == b.shape()) {
        Tensor out = Tensor::empty(a.shape());
        const float *pa = a.data(), *pb = b.data();
        float* po = out.data();
        for (std::size_t i = 0, n = out.numel(); i < n; ++i) po[i] = f(pa[i], pb[i]);
        return out;
    }
    const Shape shape = broadcast_shape(a.shape(), b.shape(), op);
    Tensor out = Tensor::empty(shape);
    float* po = out.data();
    if (b.numel() == 1) {
        const float s = b[0];
        const float* pa = a.data();
        for (std::size_t i = 0, n = out.numel(); i < n; ++i) po[i] = f(pa[i], s);
        return out;
    }
    if (a.numel() == 1) {
        const float s = a[0];
        const float* pb = b.data();
        for (std::size_t i = 0, n = out.numel(); i < n; ++i) po[i] = f(s, pb[i]);
        return out;
    }
    // General case: walk the output as a 4-D box; each input moves by its own strides.
    const auto d = padded_dims(shape);
    const auto sa = broadcast_strides(a.shape(), shape);
    const auto sb = broadcast_strides(b.shape(), shape);
    const float *pa = a.data(), *pb = b.data();
    std::size_t o = 0;
    for (std::size_t i0 = 0; i0 < d[0]; ++i0)
        for (std::size_t i1 = 0; i1 < d[1]; ++i1)
            for (std::size_t i2 = 0; i2 < d[2]; ++i2) {
                const float* ra = pa + i0 * sa[0] + i1 * sa[1] + i2 * sa[2];
                const float* rb = pb + i0 * sb[0] + i1 * sb[1] + i2 * sb[2];
                for (std::size_t i3 = 0; i3 < d[3]; ++i3) po[o++] = f(ra[i3 * sa[3]], rb[i3 * sb[3]]);
            }
    return out;
}

template <class F>
Tensor unary(const Tensor& a, F f) {
    Tensor out = Tensor::empty(a.shape());
    const float* pa = a.data();
    float* po = out.data();
    for (std::size_t i = 0, n = out.numel(); i < n; ++i) po[i] = f(pa[i]);
    return out;
}

}  // namespace

Tensor operator+(const Tensor& a, const Tensor& b) { return binary(a, b, "add", [](float x, float y) { return x + y; }); }
Tensor operator-(const Tensor& a, const Tensor& b) { return binary(a, b, "sub", [](float x, float y) { return x - y; }); }
Tensor operator*(const Tensor& a, const Tensor& b) { return binary(a, b, "mul", [](float x, float y) { return x * y; }); }
Tensor operator/(const Tensor& a, const Tensor& b) { return binary(a, b, "div", [](float x, float y) { return x / y; }); }
Tensor maximum(const Tensor& a, const Tensor& b) { return binary(a, b, "maximum", [](float x, float y) { return x > y ? x : y; }); }
Tensor minimum(const Tensor& a, const Tensor& b) { return binary(a, b, "minimum", [](float x, float y) { return x < y ? x : y; }); }

Tensor operator+(const Tensor& a, float s) { return unary(a, [s](float x) { return x + s; }); }
Tensor operator-(const Tensor& a, float s) { return unary(a, [s](float x) { return x - s; }); }
Tensor operator*(const Tensor& a, float s) { return unary(a, [s](float x) { return x * s; }); }
Tensor operator/(const Tensor& a, float s) { return unary(a, [s](float x) { return x / s; }); }
Tensor operator+(float s, const Tensor& a) { return a + s; }
Tensor operator-(float s, const Tensor& a) { return unary(a, [s](float x) { return s - x; }); }
Tensor operator*(float s, const Tensor& a) { return a * s; }
Tensor operator/(float s, const Tensor& a) { return unary(a, [s](float x) { return s / x; }); }
Tensor operator-(const Tensor& a) { return unary(a, [](float x) { return -x; }); }

Tensor map(const Tensor& a, const std::function<float(float)>& f) { return unary(a, f); }
Tensor exp(const Tensor& a) { return unary(a, [](float x) { return std::exp(x); }); }
Tensor log(const Tensor& a) { return unary(a, [](float x) { return std::log(x); }); }
Tensor sqrt(const Tensor& a) { return unary(a, [](float x) { return std::sqrt(x); }); }
Tensor abs(const Tensor& a) { return unary(a, [](float x) { return std::fabs(x); }); }
Tensor square(const Tensor& a) { return unary(a, [](float x) { return x * x; }); }
Tensor pow(const Tensor& a, float p) { return unary(a, [p](float x) { return std::pow(x, p); }); }
Tensor clamp(const Tensor& a, float lo, float hi) {
    if (lo > hi) throw ValueError("clamp: lo " + std::to_string(lo) + " is above hi " + std::to_string(hi));
    return unary(a, [lo, hi](float x) { return std::min(std::max(x, lo), hi); });
}
Tensor sign(const Tensor& a) { return unary(a, [](float x) { return x > 0 ? 1.0f : (x < 0 ? -1.0f : 0.0f); }); }

Tensor gt(const Tensor& a, const Tensor& b) { return binary(a, b, "gt", [](float x, float y) { return x > y ? 1.0f : 0.0f; }); }
Tensor lt(const Tensor& a, const Tensor& b) { return binary(a, b, "lt", [](float x, float y) { return x < y ? 1.0f : 0.0f; }); }
Tensor ge(const Tensor& a, const Tensor& b) { return binary(a, b, "ge", [](float x, float y) { return x >= y ? 1.0f : 0.0f; }); }
Tensor le(const Tensor& a, const Tensor& b) { return binary(a, b, "le", [](float x, float y) { return x <= y ? 1.0f : 0.0f; }); }
Tensor eq(const Tensor& a, const Tensor& b) { return binary(a, b, "eq", [](float x, float y) { return x == y ? 1.0f : 0.0f; }); }
Tensor gt(const Tensor& a, float s) { return unary(a, [s](float x) { return x > s ? 1.0f : 0.0f; }); }
Tensor lt(const Tensor& a, float s) { return unary(a, [s](float x) { return x < s ? 1.0f : 0.0f; }); }
Tensor ne(const Tensor& a, float s) { return unary(a, [s](float x) { return x != s ? 1.0f : 0.0f; }); }

Tensor where(const Tensor& mask, const Tensor& a, const Tensor& b) {
    // mask*a + (1-mask)*b would turn inf*0 into nan; pick instead.
    const Tensor m = broadcast_to(mask, broadcast_shape(mask.shape(), broadcast_shape(a.shape(), b.shape(), "where"), "where"));
    const Tensor ma = binary(m, a, "where", [](float c, float x) { return c != 0.0f ? x : 0.0f; });
    const Tensor mb = binary(m, b, "where", [](float c, float y) { return c != 0.0f ? 0.0f : y; });
    return ma + mb;
}

Tensor broadcast_to(const Tensor& t, const Shape& shape) {
    if (!(broadcast_shape(t.shape(), shape, "broadcast_to") == shape))
        throw ShapeError("broadcast_to: cannot stretch " + t.shape().str() + " to " + shape.str() +
                         " (only dimensions of size 1, or missing ones, stretch)");
    if (t.shape() == shape) return t;
    // Walk the result as a 4-D box; t moves by its own strides, 0 along stretched dimensions.
    Tensor out = Tensor::empty(shape);
    const auto d = padded_dims(shape);
    const auto st = broadcast_strides(t.shape(), shape);
    float* po = out.data();
    std::size_t o = 0;
    for (std::size_t i0 = 0; i0 < d[0]; ++i0)
        for (std::size_t i1 = 0; i1 < d[1]; ++i1)
            for (std::size_t i2 = 0; i2 < d[2]; ++i2) {
                const float* row = t.data() + i0 * st[0] + i1 * st[1] + i2 * st[2];
                for (std::size_t i3 = 0; i3 < d[3]; ++i3) po[o++] = row[i3 * st[3]];
            }
    return out;
}

Tensor sum_to(const Tensor& t, const Shape& shape) {
    if (t.shape() == shape) return t;
    if (!(broadcast_shape(shape, t.shape(), "sum_to") == t.shape()))
        throw ShapeError("sum_to: " + shape.str() + " does not broadcast to " + t.shape().str() +
                         ", so a gradient of shape " + t.shape().str() + " cannot be summed back to it");
    // Every element of t adds into the element of the result it was broadcast from.
    Tensor out(shape);
    const auto d = padded_dims(t.shape());
    const auto so = broadcast_strides(shape, t.shape());
    const float* pt = t.data();
    float* po = out.data();
    std::size_t k = 0;
    for (std::size_t i0 = 0; i0 < d[0]; ++i0)
        for (std::size_t i1 = 0; i1 < d[1]; ++i1)
            for (std::size_t i2 = 0; i2 < d[2]; ++i2) {
                float* ro = po + i0 * so[0] + i1 * so[1] + i2 * so[2];
                for (std::size_t i3 = 0; i3 < d[3]; ++i3) ro[i3 * so[3]] += pt[k++];
            }
    return out;
}

bool allclose(const Tensor& a, const Tensor& b, float rtol, float atol) {
    if (!(a.shape() == b.shape())) return false;
    for (std::size_t i = 0; i < a.numel(); ++i)
        if (!(std::fabs(a[i] - b[i]) <= atol + rtol * std::fabs(b[i]))) return false;
    return true;
}

float max_abs_diff(const Tensor& a, const Tensor& b) {
    if (!(a.shape() == b.shape()))
        throw ShapeError("max_abs_diff: shapes " + a.shape().str() + " and " + b.shape().str() + " differ");
    float m = 0;
    for (std::size_t i = 0; i < a.numel(); ++i) m = std::max(m, std::fabs(a[i] - b[i]));
    return m;
}

}  // namespace hg
