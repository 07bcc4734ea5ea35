// The in-place paths of hg::gemm: products with one or a few rows, too small to pack.
// gemm_small.cpp explains them; tests reach them through hg::gemm.
#pragma once

#include <cstddef>

namespace hg::kernels {

// Element (i, j) of op(X), where X is stored row-major with row length ld (also used by
// the naive kernel, tensor/matmul.cpp).
inline float element(const float* X, std::size_t ld, bool trans, std::size_t i, std::size_t j) {
    return trans ? X[j * ld + i] : X[i * ld + j];
}

// Same contract as hg::gemm. Computes the product and returns true when it is one of the
// small shapes below; returns false (and leaves C alone) otherwise.
//   op(A)·Bᵀ with M <= 8        dot products of rows        y = x·Wᵀ for one example
//   Aᵀ·B with K <= 8            a few outer products        dW += dYᵀ·X for one example
//   op(A)·B with M <= 4         weighted sums of rows       dX = dY·W for one example
bool gemm_small(bool trans_a, bool trans_b, std::size_t M, std::size_t N, std::size_t K, float alpha,
                const float* A, std::size_t lda, const float* B, std::size_t ldb, float beta, float* C,
                std::size_t ldc);

}  // namespace hg::kernels
