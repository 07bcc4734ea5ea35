// hg::Tensor — a block of float32 numbers with a shape. The bottom layer of hourglass.
//
// A tensor is contiguous and row-major: element (i, j) of a 2-D tensor of shape (R x C)
// lives at data()[i * C + j]. It is a plain value: copying copies the numbers, moving is
// cheap. It knows nothing about gradients — that is autograd's job, one layer up.
//
//   hg::Rng rng(0);
//   hg::Tensor x = hg::Tensor::from({2, 3}, {1, 2, 3,
//                                            4, 5, 6});
//   hg::Tensor b = hg::Tensor::from({3}, {10, 20, 30});
//   hg::Tensor y = x + b;                  // broadcasting: b is added to every row
//   hg::Tensor w = hg::Tensor::normal({3, 2}, 0, 1, rng);
//   hg::Tensor z = hg::matmul(y, w);       // (2x3)·(3x2) -> (2x2)
//   float s = hg::sum(z).item();
//   std::cout << z;                        // Tensor(2x2) [[...], [...]]
//
// Element-wise binary ops follow NumPy's broadcasting rules: shapes are aligned on the
// right, and a dimension of size 1 (or a missing one) stretches to match the other.
#pragma once

#include <cstddef>
#include <functional>
#include <initializer_list>
#include <iosfwd>
#include <string>
#include <vector>

#include "tensor/error.hpp"
#include "tensor/kernels/storage.hpp"
#include "tensor/rng.hpp"
#include "tensor/shape.hpp"

namespace hg {

class Tensor {
public:
    // The numbers: a float array that behaves like std::vector<float>, recycled from step to
    // step of a training loop (tensor/kernels/storage.hpp; no need to read it to follow on).
    using Storage = kernels::Storage;

    Tensor() = default;  // a 0-D tensor holding 0
    explicit Tensor(const Shape& shape, float fill = 0.0f);

    // ---- construction ----
    static Tensor zeros(const Shape& shape) { return Tensor(shape, 0.0f); }
    // Numbers unspecified, for a kernel that writes every one (it skips zeroing them first).
    static Tensor empty(const Shape& shape);
    static Tensor ones(const Shape& shape) { return Tensor(shape, 1.0f); }
    static Tensor full(const Shape& shape, float value) { return Tensor(shape, value); }
    static Tensor scalar(float value);
    // The numbers in row-major order; their count must match the shape.
    static Tensor from(const Shape& shape, const std::vector<float>& values);
    static Tensor from_storage(const Shape& shape, Storage values);  // the same, without a copy
    static Tensor arange(std::size_t n);  // 0, 1, ..., n-1 as a 1-D tensor
    static Tensor uniform(const Shape& shape, float lo, float hi, Rng& rng);
    static Tensor normal(const Shape& shape, float mean, float stddev, Rng& rng);

    // ---- shape ----
    const Shape& shape() const { return shape_; }
    std::size_t rank() const { return shape_.rank(); }
    std::size_t numel() const { return data_.size(); }
    std::size_t dim(int axis) const;  // negative axes count from the end
    std::size_t rows() const;         // dim 0 of a tensor of rank >= 1
    std::size_t cols() const;         // dim 1 of a 2-D tensor

    // ---- element access ----
    float* data() { return data_.data(); }
    const float* data() const { return data_.data(); }
    Storage& storage() { return data_; }
    const Storage& storage() const { return data_; }
    std::vector<float> to_vector() const { return {data_.begin(), data_.end()}; }  // a copy
    float& operator[](std::size_t flat) { return data_[flat]; }        // unchecked
    float operator[](std::size_t flat) const { return data_[flat]; }  // unchecked
    // Bounds-checked access by multi-index: t.at({i, j}). Throws IndexError.
    float& at(std::initializer_list<std::size_t> index);
    float at(std::initializer_list<std::size_t> index) const;
    float item() const;  // the value of a one-element tensor

    // ---- views and copies of the layout ----
    Tensor reshape(const Shape& shape) const;  // same numbers, new shape (numel must match)
    Tensor transpose() const;                  // 2-D only: (R x C) -> (C x R)
    Tensor slice_rows(std::size_t begin, std::size_t end) const;       // rows [begin, end)
    Tensor gather_rows(const std::vector<std::size_t>& index) const;   // rows in any order
    static Tensor concat_rows(const std::vector<Tensor>& parts);       // stack along dim 0
    static Tensor concat(const std::vector<Tensor>& parts, int axis);  // along any axis

    // ---- in place ----
    void fill(float value);
    Tensor& operator+=(const Tensor& other);  // same shape, or other broadcast into this
    Tensor& operator-=(const Tensor& other);
    Tensor& operator*=(float s);
    void add_scaled(const Tensor& other, float s);  // this += s * other (same shape)

    std::string str(std::size_t max_per_dim = 6) const;  // readable, truncated if large

private:
    Tensor(const Shape& shape, Storage values);  // values.size() == shape.numel(), checked by the callers
    struct Unset {};
    Tensor(const Shape& shape, Unset);  // empty(): the storage is built in place, not moved in

    Shape shape_;
    Storage data_ = Storage(1, 0.0f);
};

std::ostream& operator<<(std::ostream& os, const Tensor& t);
std::ostream& operator<<(std::ostream& os, const Shape& s);

// ---- element-wise arithmetic with broadcasting ----
Tensor operator+(const Tensor& a, const Tensor& b);
Tensor operator-(const Tensor& a, const Tensor& b);
Tensor operator*(const Tensor& a, const Tensor& b);
Tensor operator/(const Tensor& a, const Tensor& b);
Tensor operator+(const Tensor& a, float s);
Tensor operator-(const Tensor& a, float s);
Tensor operator*(const Tensor& a, float s);
Tensor operator/(const Tensor& a, float s);
Tensor operator+(float s, const Tensor& a);
Tensor operator-(float s, const Tensor& a);
Tensor operator*(float s, const Tensor& a);
Tensor operator/(float s, const Tensor& a);
Tensor operator-(const Tensor& a);
Tensor maximum(const Tensor& a, const Tensor& b);
Tensor minimum(const Tensor& a, const Tensor& b);

// The shape that broadcasting a with b gives; throws ShapeError naming op otherwise.
Shape broadcast_shape(const Shape& a, const Shape& b, const char* op);
// Stretch t to `shape` as broadcasting would (each size-1 or missing dimension repeated).
Tensor broadcast_to(const Tensor& t, const Shape& shape);
// The inverse of broadcasting: sum t over the dimensions that were stretched, giving
// a tensor of `shape`. Autograd uses this for every op that broadcasts.
Tensor sum_to(const Tensor& t, const Shape& shape);

// ---- element-wise functions ----
Tensor map(const Tensor& a, const std::function<float(float)>& f);
Tensor exp(const Tensor& a);
Tensor log(const Tensor& a);
Tensor sqrt(const Tensor& a);
Tensor abs(const Tensor& a);
Tensor pow(const Tensor& a, float p);
Tensor square(const Tensor& a);
Tensor clamp(const Tensor& a, float lo, float hi);
Tensor sign(const Tensor& a);

// Comparisons give masks of 0 and 1.
Tensor gt(const Tensor& a, const Tensor& b);
Tensor lt(const Tensor& a, const Tensor& b);
Tensor ge(const Tensor& a, const Tensor& b);
Tensor le(const Tensor& a, const Tensor& b);
Tensor eq(const Tensor& a, const Tensor& b);
Tensor gt(const Tensor& a, float s);
Tensor lt(const Tensor& a, float s);
Tensor ne(const Tensor& a, float s);
// mask ? a : b, element by element (all three broadcast together).
Tensor where(const Tensor& mask, const Tensor& a, const Tensor& b);

// ---- reductions ----
// Over all elements (a 0-D result) or over one axis (that axis removed, or kept as 1).
Tensor sum(const Tensor& a);
Tensor sum(const Tensor& a, int axis, bool keepdim = false);
Tensor mean(const Tensor& a);
Tensor mean(const Tensor& a, int axis, bool keepdim = false);
Tensor max(const Tensor& a);
Tensor max(const Tensor& a, int axis, bool keepdim = false);
std::size_t argmax(const Tensor& a);  // flat index of the largest element
std::vector<std::size_t> argmax(const Tensor& a, int axis);  // 2-D: one index per row (axis 1) or column (axis 0)

// True when every element of a and b differs by at most atol + rtol * |b|.
bool allclose(const Tensor& a, const Tensor& b, float rtol = 1e-5f, float atol = 1e-6f);
float max_abs_diff(const Tensor& a, const Tensor& b);

}  // namespace hg
