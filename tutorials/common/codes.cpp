#include "tutorials/common/codes.hpp"

#include <cmath>
#include <string>

#include "tensor/error.hpp"
#include "tensor/linalg.hpp"
#include "tensor/matmul.hpp"

namespace hg::tutorial {

CodeLook look_at_codes(const Tensor& codes, const Tensor& x, const std::vector<int>& groups) {
    const std::size_t n = codes.rows(), w = x.cols();
    if (n < 2 || x.rows() != n || groups.size() != n)
        throw ShapeError("look_at_codes: codes " + codes.shape().str() + ", inputs " + x.shape().str() + " and " +
                         std::to_string(groups.size()) + " groups must describe the same N >= 2 examples");
    CodeLook look;
    const Tensor centred = codes - mean(codes, 0);
    const SymmetricEigen e = symmetric_eigen(matmul(centred, centred, true, false) / static_cast<float>(n));
    const Tensor plane = matmul(centred, e.vectors.slice_rows(0, 2), false, true);
    for (std::size_t i = 0; i < n; ++i) look.plane.push_back({plane[2 * i], plane[2 * i + 1], groups[i]});
    look.plane_share = (e.values[0] + e.values[1]) / sum(e.values).item();
    const Tensor gram = matmul(codes, codes, false, true);  // ‖a − b‖² = a·a + b·b − 2 a·b
    auto farther = [&](std::size_t i, std::size_t j) { return gram[j * n + j] - 2 * gram[i * n + j]; };  // − a·a
    auto apart = [&](std::size_t i, std::size_t j) {  // the two inputs' mean squared difference
        double d = 0;
        for (std::size_t k = 0; k < w; ++k) d += std::pow(x[i * w + k] - x[j * w + k], 2);
        return d / static_cast<double>(w);
    };
    for (std::size_t i = 0; i < n; ++i) {
        std::size_t best = i == 0;
        for (std::size_t j = 0; j < n; ++j)
            if (j != i && farther(i, j) < farther(i, best)) best = j;
        look.neighbour_mse += apart(i, best) / static_cast<double>(n);
        look.random_mse += apart(i, (i + n / 2) % n) / static_cast<double>(n);
    }
    return look;
}

}  // namespace hg::tutorial
