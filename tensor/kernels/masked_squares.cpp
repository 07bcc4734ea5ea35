#include "tensor/kernels/masked_squares.hpp"

namespace hg::kernels {

MaskedSquares masked_squares(const float* P, const float* T, const float* M, std::size_t n, float* R) {
    float observed = 0, total = 0;
    if (R) {
#pragma omp simd reduction(+ : observed, total)
        for (std::size_t i = 0; i < n; ++i) {
            R[i] = M[i] * (P[i] - T[i]);
            observed += M[i];
            total += R[i] * (P[i] - T[i]);
        }
    } else {
#pragma omp simd reduction(+ : observed, total)
        for (std::size_t i = 0; i < n; ++i) {
            const float d = P[i] - T[i];
            observed += M[i];
            total += M[i] * (d * d);
        }
    }
    return {total, observed};
}

MaskedSquares masked_squares_naive(const float* P, const float* T, const float* M, std::size_t n, float* R) {
    double observed = 0, total = 0;
    for (std::size_t i = 0; i < n; ++i) {
        const double d = static_cast<double>(P[i]) - T[i];
        if (R) R[i] = M[i] * (P[i] - T[i]);
        observed += M[i];
        total += M[i] * d * d;
    }
    return {static_cast<float>(total), static_cast<float>(observed)};
}

}  // namespace hg::kernels
