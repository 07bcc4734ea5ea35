// Construction, layout and element access of hg::Tensor.
#include "tensor/tensor.hpp"

#include <algorithm>
#include <cstring>
#include <utility>

namespace hg {

Tensor::Tensor(const Shape& shape, float fill) : shape_(shape), data_(shape.numel(), fill) {}

Tensor Tensor::scalar(float value) { return Tensor(Shape{}, value); }

Tensor::Tensor(const Shape& shape, Storage values) : shape_(shape), data_(std::move(values)) {}

Tensor::Tensor(const Shape& shape, Unset) : shape_(shape), data_(Storage::uninitialised(shape.numel())) {}

Tensor Tensor::empty(const Shape& shape) { return Tensor(shape, Unset{}); }

namespace {
void check_count(const char* fn, const Shape& shape, std::size_t count) {
    if (count != shape.numel())
        throw ShapeError(std::string(fn) + ": shape " + shape.str() + " needs " + std::to_string(shape.numel()) +
                         " values but " + std::to_string(count) + " were given");
}
}  // namespace

Tensor Tensor::from(const Shape& shape, const std::vector<float>& values) {
    check_count("Tensor::from", shape, values.size());
    Tensor t = empty(shape);
    std::copy(values.begin(), values.end(), t.data_.begin());
    return t;
}

Tensor Tensor::from_storage(const Shape& shape, Storage values) {
    check_count("Tensor::from_storage", shape, values.size());
    return Tensor(shape, std::move(values));
}

Tensor Tensor::arange(std::size_t n) {
    Tensor t(Shape{n});
    for (std::size_t i = 0; i < n; ++i) t.data_[i] = static_cast<float>(i);
    return t;
}

Tensor Tensor::uniform(const Shape& shape, float lo, float hi, Rng& rng) {
    Tensor t(shape);
    for (float& x : t.data_) x = rng.uniform(lo, hi);
    return t;
}

Tensor Tensor::normal(const Shape& shape, float mean, float stddev, Rng& rng) {
    Tensor t(shape);
    for (float& x : t.data_) x = rng.normal(mean, stddev);
    return t;
}

std::size_t Tensor::dim(int axis) const { return shape_[normalise_axis(axis, rank(), "Tensor::dim")]; }

std::size_t Tensor::rows() const {
    if (rank() < 1) throw ShapeError("Tensor::rows: a scalar has no rows");
    return shape_[0];
}

std::size_t Tensor::cols() const {
    if (rank() != 2) throw ShapeError("Tensor::cols: needs a 2-D tensor, got " + shape_.str());
    return shape_[1];
}

namespace {
std::size_t flat_index(const Shape& shape, std::initializer_list<std::size_t> index) {
    if (index.size() != shape.rank())
        throw IndexError("Tensor::at: " + std::to_string(index.size()) +
                         " indices given for a tensor of shape " + shape.str());
    std::size_t flat = 0, axis = 0;
    for (std::size_t i : index) {
        if (i >= shape[axis])
            throw IndexError("Tensor::at: index " + std::to_string(i) + " is out of range for axis " +
                             std::to_string(axis) + " of a tensor of shape " + shape.str());
        flat = flat * shape[axis] + i;
        ++axis;
    }
    return flat;
}
}  // namespace

float& Tensor::at(std::initializer_list<std::size_t> index) { return data_[flat_index(shape_, index)]; }
float Tensor::at(std::initializer_list<std::size_t> index) const { return data_[flat_index(shape_, index)]; }

float Tensor::item() const {
    if (numel() != 1)
        throw ShapeError("Tensor::item: needs a one-element tensor, got shape " + shape_.str());
    return data_[0];
}

Tensor Tensor::reshape(const Shape& shape) const {
    if (shape.numel() != numel())
        throw ShapeError("reshape: cannot reshape " + shape_.str() + " (" + std::to_string(numel()) +
                         " elements) to " + shape.str() + " (" + std::to_string(shape.numel()) +
                         " elements): the element counts must match");
    Tensor t = *this;
    t.shape_ = shape;
    return t;
}

Tensor Tensor::transpose() const {
    if (rank() != 2)
        throw ShapeError("transpose: needs a 2-D tensor, got " + shape_.str() +
                         " (use reshape first for other ranks)");
    const std::size_t r = shape_[0], c = shape_[1];
    Tensor t(Shape{c, r});
    // Blocked so both the reads and the writes stay in cache.
    constexpr std::size_t B = 32;
    for (std::size_t i0 = 0; i0 < r; i0 += B)
        for (std::size_t j0 = 0; j0 < c; j0 += B)
            for (std::size_t i = i0; i < std::min(i0 + B, r); ++i)
                for (std::size_t j = j0; j < std::min(j0 + B, c); ++j) t.data_[j * r + i] = data_[i * c + j];
    return t;
}

Tensor Tensor::slice_rows(std::size_t begin, std::size_t end) const {
    const std::size_t n = rows();
    if (begin > end || end > n)
        throw IndexError("slice_rows: rows [" + std::to_string(begin) + ", " + std::to_string(end) +
                         ") are out of range for a tensor of shape " + shape_.str());
    Shape s = shape_;
    s[0] = end - begin;
    const std::size_t row = numel() / (n ? n : 1);
    Tensor t(s);
    if (row && end > begin) std::memcpy(t.data(), data() + begin * row, (end - begin) * row * sizeof(float));
    return t;
}

Tensor Tensor::gather_rows(const std::vector<std::size_t>& index) const {
    const std::size_t n = rows();
    Shape s = shape_;
    s[0] = index.size();
    const std::size_t row = n ? numel() / n : 0;
    Tensor t(s);
    for (std::size_t k = 0; k < index.size(); ++k) {
        if (index[k] >= n)
            throw IndexError("gather_rows: row " + std::to_string(index[k]) + " (position " +
                             std::to_string(k) + ") is out of range for a tensor of shape " + shape_.str());
        if (row) std::memcpy(t.data() + k * row, data() + index[k] * row, row * sizeof(float));
    }
    return t;
}

Tensor Tensor::concat_rows(const std::vector<Tensor>& parts) { return concat(parts, 0); }

Tensor Tensor::concat(const std::vector<Tensor>& parts, int axis) {
    if (parts.empty()) throw ValueError("concat: needs at least one tensor");
    const Shape& first = parts[0].shape();
    const std::size_t ax = normalise_axis(axis, first.rank(), "concat");
    Shape out = first;
    out[ax] = 0;
    for (const Tensor& p : parts) {
        bool ok = p.rank() == first.rank();
        for (std::size_t d = 0; ok && d < first.rank(); ++d) ok = d == ax || p.shape()[d] == first[d];
        if (!ok)
            throw ShapeError("concat: cannot join " + first.str() + " and " + p.shape().str() +
                             " along axis " + std::to_string(ax) + ": all other dimensions must match");
        out[ax] += p.shape()[ax];
    }
    // View each part as (outer x part_inner) and copy its rows side by side.
    std::size_t outer = 1, inner = 1;
    for (std::size_t d = 0; d < ax; ++d) outer *= first[d];
    for (std::size_t d = ax + 1; d < first.rank(); ++d) inner *= first[d];
    Tensor t(out);
    const std::size_t out_row = out[ax] * inner;
    std::size_t offset = 0;
    for (const Tensor& p : parts) {
        const std::size_t w = p.shape()[ax] * inner;
        for (std::size_t o = 0; o < outer; ++o)
            if (w) std::memcpy(t.data() + o * out_row + offset, p.data() + o * w, w * sizeof(float));
        offset += w;
    }
    return t;
}

void Tensor::fill(float value) {
    for (float& x : data_) x = value;
}

Tensor& Tensor::operator+=(const Tensor& other) {
    if (other.shape() == shape_) {
        const float* o = other.data();
        float* d = data();
        for (std::size_t i = 0, n = numel(); i < n; ++i) d[i] += o[i];
        return *this;
    }
    if (!(broadcast_shape(shape_, other.shape(), "+=") == shape_))
        throw ShapeError("+=: cannot add " + other.shape().str() + " into " + shape_.str() +
                         " in place: the result would have another shape");
    *this = *this + other;
    return *this;
}

Tensor& Tensor::operator-=(const Tensor& other) {
    add_scaled(other, -1.0f);
    return *this;
}

Tensor& Tensor::operator*=(float s) {
    for (float& x : data_) x *= s;
    return *this;
}

void Tensor::add_scaled(const Tensor& other, float s) {
    if (!(other.shape() == shape_))
        throw ShapeError("add_scaled: shapes " + shape_.str() + " and " + other.shape().str() + " differ");
    const float* o = other.data();
    float* d = data();
    for (std::size_t i = 0, n = numel(); i < n; ++i) d[i] += s * o[i];
}

}  // namespace hg
