// Matrix multiplication, the one op where almost all of a network's time goes.
//
//   C = op(A) · op(B)      op(X) = X or Xᵀ,  A: (M x K), B: (K x N), C: (M x N)
//
// Two kernels compute the same thing:
//  - gemm_naive: the textbook triple loop, one dot product per output element. It is
//    the reference every faster kernel is tested against.
//  - gemm: the fast kernel. Tiny products (one example at a time) run in place in simple
//    vectorised loops; the rest are packed, cache-blocked and computed by a register-tiled
//    micro-kernel on every core (tensor/kernels/: a student need not read it to follow on).
// Both are row-major: element (i, j) of an (R x C) matrix is at p[i * ld + j].
//
// Ops say what they multiply with matmul_into, which checks the shapes and calls gemm:
//   matmul_into(dW, dY, X, true, false, 1.0f);   // dW += dYᵀ·X
// Its operands are 2-D tensors, or matrices inside a larger one (MatrixRef: one image of a batch).
#pragma once

#include <cstddef>
#include <type_traits>

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

// A (rows x cols) row-major matrix of floats owned by a tensor: the whole of a 2-D tensor
// (a Tensor converts to one), or a block of a larger one, such as image n of a batch.
std::size_t matrix_rows(const Tensor& t);  // dim 0 of a 2-D tensor; ShapeError for other ranks
template <class T>
struct MatrixOf {
    using TensorRef = std::conditional_t<std::is_const_v<T>, const Tensor&, Tensor&>;
    MatrixOf(T* data, std::size_t rows, std::size_t cols) : data(data), rows(rows), cols(cols) {}
    MatrixOf(TensorRef t) : data(t.data()), rows(matrix_rows(t)), cols(t.shape()[1]) {}  // NOLINT: implicit
    template <class U>  // a writable matrix passes where a read-only one is asked for
        requires(std::is_const_v<T> && std::is_same_v<U, std::remove_const_t<T>>)
    MatrixOf(const MatrixOf<U>& m) : data(m.data), rows(m.rows), cols(m.cols) {}  // NOLINT: implicit

    T* data;
    std::size_t rows, cols;
};
using MatrixRef = MatrixOf<float>;
using ConstMatrixRef = MatrixOf<const float>;

// C = op(A)·op(B) + beta·C, op(X) = X or Xᵀ: beta = 0 overwrites C, beta = 1 adds to it.
// Throws ShapeError naming the three shapes unless op(A) is (M x K), op(B) (K x N), C (M x N).
void matmul_into(MatrixRef c, ConstMatrixRef a, ConstMatrixRef b, bool transpose_a = false,
                 bool transpose_b = false, float beta = 0.0f);

}  // namespace hg
