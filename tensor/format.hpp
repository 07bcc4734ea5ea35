// A number as people read it in a message: the shortest of fixed and scientific notation
// with up to `digits` significant digits (printf's %g), e.g. 0.5, 1e-06, 1682, nan.
//
//   throw hg::ValueError("lr = " + hg::format_number(lr) + " must be positive");
#pragma once

#include <string>

namespace hg {

std::string format_number(double value, int digits = 6);

}  // namespace hg
