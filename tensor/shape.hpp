// hg::Shape — the dimensions of a tensor, 0-D (a scalar) up to 4-D (N, C, H, W).
//
//   Shape s{64, 784};     // 64 images of 784 pixels
//   s.rank()   == 2
//   s[1]       == 784
//   s.numel()  == 50176
//   s.str()    == "(64x784)"
//
// The dimensions live inline (no heap allocation), so shapes are cheap to copy.
#pragma once

#include <array>
#include <cstddef>
#include <initializer_list>
#include <string>
#include <vector>

namespace hg {

class Shape {
public:
    static constexpr std::size_t max_rank = 4;

    Shape() = default;  // rank 0: a scalar
    Shape(std::initializer_list<std::size_t> dims);
    explicit Shape(const std::vector<std::size_t>& dims);

    std::size_t rank() const { return rank_; }
    std::size_t operator[](std::size_t i) const { return dims_[i]; }
    std::size_t& operator[](std::size_t i) { return dims_[i]; }
    std::size_t numel() const;
    void push_back(std::size_t dim);  // one more dimension, last (ShapeError beyond max_rank)

    const std::size_t* begin() const { return dims_.data(); }
    const std::size_t* end() const { return dims_.data() + rank_; }
    std::vector<std::size_t> to_vector() const { return {begin(), end()}; }

    // "(2x3)"; a scalar prints as "()".
    std::string str() const;

    friend bool operator==(const Shape& a, const Shape& b);

private:
    std::array<std::size_t, max_rank> dims_{};
    std::size_t rank_ = 0;
};

// Turn a possibly negative axis (-1 = last) into 0..rank-1; throws IndexError naming op.
std::size_t normalise_axis(int axis, std::size_t rank, const char* op);

}  // namespace hg
