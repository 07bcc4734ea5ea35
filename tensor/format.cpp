#include "tensor/format.hpp"

#include <cstdio>

namespace hg {

std::string format_number(double value, int digits) {
    char buf[48];
    std::snprintf(buf, sizeof buf, "%.*g", digits, value);
    return buf;
}

}  // namespace hg
