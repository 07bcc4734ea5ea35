// Matrix multiplication, the one op where almost all of a network's time goes.
//
//   C = op(A) · op(B)      op(X) = X or Xᵀ,  A: (M x K), B: (K x N), C: (M x N)
//
// Two kernels compute the same thing:
//  - gemm_naive: the textbook triple loop, one dot product per output element. It is
//    the reference every faster kernel is tested against.
//  - gemm: the fast kernel. Tiny products (one example at a time) run in place in simple
//    vectorised loops; the rest are packed, cache-blocked, computed by a register-tiled
//    micro-kernel and threaded with OpenMP. See gemm_blocked.cpp for how it is laid out.
// Both are row-major: element (i, j) of an (R x C) matrix is at p[i * ld + j].
#pragma once

#include <cstddef>

#include "tensor/tensor.hpp"

namespace hg {

// C = alpha * op(A)·op(B) + beta * C.  lda/ldb/ldc are the row lengths in memory of A, B, C
// as stored (before op). beta = 0 overwrites C, beta = 1 accumulates into it.
void gemm(bool trans_a, bool trans_b, std::size_t M, std::size_t N, std::size_t K, float alpha,
          const float* A, std::size_t lda, const float* B, std::size_t ldb, float beta, float* C,
          std::size_t ldc);
void gemm_naive(bool trans_a, bool trans_b, std::size_t M, std::size_t N, std::size_t K, float alpha,
                const float* A, std::size_t lda, const float* B, std::size_t ldb, float beta, float* C,
                std::size_t ldc);

// 2-D tensors: (M x K)·(K x N) -> (M x N), optionally with either side transposed, e.g.
// matmul(dY, W, false, true) is dY·Wᵀ without building Wᵀ.
Tensor matmul(const Tensor& a, const Tensor& b, bool trans_a = false, bool trans_b = false);
Tensor matmul_naive(const Tensor& a, const Tensor& b, bool trans_a = false, bool trans_b = false);

}  // namespace hg
