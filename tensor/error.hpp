// Typed errors of hourglass. Every message says what went wrong, where, the shapes
// involved and a hint, e.g.
//   matmul: cannot multiply (64x1568) by (6272x10): inner sizes 1568 != 6272
#pragma once

#include <stdexcept>
#include <string>

namespace hg {

// Two shapes that do not fit together, or a shape that makes no sense for an op.
struct ShapeError : std::invalid_argument {
    using std::invalid_argument::invalid_argument;
};

// An element index, axis or row outside a tensor.
struct IndexError : std::invalid_argument {
    using std::invalid_argument::invalid_argument;
};

// Any other invalid argument (a negative probability, k larger than a row, ...).
struct ValueError : std::invalid_argument {
    using std::invalid_argument::invalid_argument;
};

}  // namespace hg
