#include "tensor/shape.hpp"

#include "tensor/error.hpp"

namespace hg {

namespace {
void check_rank(std::size_t rank) {
    if (rank > Shape::max_rank)
        throw ShapeError("Shape: rank " + std::to_string(rank) + " is not supported (at most " +
                         std::to_string(Shape::max_rank) + " dimensions, e.g. N x C x H x W)");
}
}  // namespace

Shape::Shape(std::initializer_list<std::size_t> dims) : rank_(dims.size()) {
    check_rank(rank_);
    std::size_t i = 0;
    for (std::size_t d : dims) dims_[i++] = d;
}

Shape::Shape(const std::vector<std::size_t>& dims) : rank_(dims.size()) {
    check_rank(rank_);
    for (std::size_t i = 0; i < rank_; ++i) dims_[i] = dims[i];
}

void Shape::push_back(std::size_t dim) {
    check_rank(rank_ + 1);
    dims_[rank_++] = dim;
}

std::size_t Shape::numel() const {
    std::size_t n = 1;
    for (std::size_t i = 0; i < rank_; ++i) n *= dims_[i];
    return n;
}

std::string Shape::str() const {
    std::string s = "(";
    for (std::size_t i = 0; i < rank_; ++i) {
        if (i) s += "x";
        s += std::to_string(dims_[i]);
    }
    return s + ")";
}

bool operator==(const Shape& a, const Shape& b) {
    if (a.rank_ != b.rank_) return false;
    for (std::size_t i = 0; i < a.rank_; ++i)
        if (a.dims_[i] != b.dims_[i]) return false;
    return true;
}

std::size_t normalise_axis(int axis, std::size_t rank, const char* op) {
    const int r = static_cast<int>(rank);
    const int a = axis < 0 ? axis + r : axis;
    if (a < 0 || a >= r)
        throw IndexError(std::string(op) + ": axis " + std::to_string(axis) +
                         " is out of range for a tensor of rank " + std::to_string(rank) +
                         " (valid: " + std::to_string(-r) + ".." + std::to_string(r - 1) + ")");
    return static_cast<std::size_t>(a);
}

}  // namespace hg
