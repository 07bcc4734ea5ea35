// Printing a tensor: its shape, then its values as nested brackets, with "..." in the
// middle of any dimension longer than max_per_dim.
#include <ostream>

#include "tensor/format.hpp"
#include "tensor/tensor.hpp"

namespace hg {

namespace {

void print_dim(std::string& s, const Tensor& t, std::size_t axis, std::size_t offset, std::size_t max_per_dim,
               std::size_t indent) {
    const Shape& shape = t.shape();
    const std::size_t n = shape[axis];
    std::size_t stride = 1;
    for (std::size_t d = axis + 1; d < shape.rank(); ++d) stride *= shape[d];
    s += "[";
    const bool cut = n > max_per_dim;
    const std::size_t head = cut ? max_per_dim / 2 : n;
    for (std::size_t i = 0; i < n; ++i) {
        if (cut && i == head) {
            s += "..., ";
            i = n - (max_per_dim - head);
        }
        if (axis + 1 == shape.rank())
            s += format_number(t[offset + i * stride], 4);
        else
            print_dim(s, t, axis + 1, offset + i * stride, max_per_dim, indent);
        if (i + 1 < n) s += axis + 1 == shape.rank() ? ", " : ",\n" + std::string(indent + axis + 1, ' ');
    }
    s += "]";
}

}  // namespace

std::string Tensor::str(std::size_t max_per_dim) const {
    std::string s = "Tensor" + shape_.str() + " ";
    if (rank() == 0) return s + format_number(data_[0], 4);
    print_dim(s, *this, 0, 0, max_per_dim < 2 ? 2 : max_per_dim, s.size());
    return s;
}

std::ostream& operator<<(std::ostream& os, const Tensor& t) { return os << t.str(); }
std::ostream& operator<<(std::ostream& os, const Shape& s) { return os << s.str(); }

}  // namespace hg
