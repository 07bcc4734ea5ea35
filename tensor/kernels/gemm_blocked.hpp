// The fast general matrix multiply: packed operands, cache blocking and a register-tiled
// micro-kernel, threaded with OpenMP. hg::gemm (tensor/matmul.hpp) calls it for every
// product that is not tiny; tests and benchmarks may call it directly.
//
// This is the GotoBLAS / BLIS design (Goto & van de Geijn, "Anatomy of High-Performance
// Matrix Multiplication", ACM TOMS 34(3), 2008; Van Zee & van de Geijn, "BLIS: A Framework
// for Rapidly Instantiating BLAS Functionality", ACM TOMS 41(3), 2015). gemm_blocked.cpp
// explains the blocking scheme, the packing layout and the micro-kernel.
#pragma once

#include <cstddef>

namespace hg::kernels {

// Same contract as hg::gemm: C = alpha * op(A)·op(B) + beta * C, row-major, leading dims
// lda/ldb/ldc. beta = 0 overwrites C (NaN in C does not leak through).
void gemm_blocked(bool trans_a, bool trans_b, std::size_t M, std::size_t N, std::size_t K, float alpha,
                  const float* A, std::size_t lda, const float* B, std::size_t ldb, float beta, float* C,
                  std::size_t ldc);

// The block sizes the kernel was compiled with (they depend on the vector width), so tests
// can aim at the edges: sizes one below and one above a tile or a block.
struct GemmBlocking {
    std::size_t mr, nr;  // register tile of C: mr rows x nr columns
    std::size_t mc, kc, nc;  // cache blocks: A block mc x kc, B block kc x nc
};
GemmBlocking gemm_blocking();

}  // namespace hg::kernels
