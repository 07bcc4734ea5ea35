// The two matmul kernels and the Tensor-level matmul.
#include "tensor/matmul.hpp"

#include <string>

#include "tensor/kernels/gemm_blocked.hpp"
#include "tensor/kernels/gemm_small.hpp"

namespace hg {

namespace {

void scale_c(std::size_t M, std::size_t N, float beta, float* C, std::size_t ldc) {
    for (std::size_t i = 0; i < M; ++i)
        for (std::size_t j = 0; j < N; ++j)
            C[i * ldc + j] = beta == 0.0f ? 0.0f : beta * C[i * ldc + j];  // beta = 0 also clears NaN
}

}  // namespace

void gemm_naive(bool trans_a, bool trans_b, std::size_t M, std::size_t N, std::size_t K, float alpha,
                const float* A, std::size_t lda, const float* B, std::size_t ldb, float beta, float* C,
                std::size_t ldc) {
    // C[i][j] = alpha * sum_k op(A)[i][k] * op(B)[k][j] + beta * C[i][j]
    for (std::size_t i = 0; i < M; ++i)
        for (std::size_t j = 0; j < N; ++j) {
            double acc = 0;
            for (std::size_t k = 0; k < K; ++k)
                acc += static_cast<double>(kernels::element(A, lda, trans_a, i, k)) *
                       kernels::element(B, ldb, trans_b, k, j);
            const float prev = beta == 0.0f ? 0.0f : beta * C[i * ldc + j];
            C[i * ldc + j] = alpha * static_cast<float>(acc) + prev;
        }
}

void gemm(bool trans_a, bool trans_b, std::size_t M, std::size_t N, std::size_t K, float alpha,
          const float* A, std::size_t lda, const float* B, std::size_t ldb, float beta, float* C,
          std::size_t ldc) {
    if (M == 0 || N == 0) return;

    if (K == 0) {  // an empty sum: C = beta * C
        scale_c(M, N, beta, C, ldc);
        return;
    }

    // Tiny products -- one training example at a time -- run in place (tensor/kernels/gemm_small.cpp).
    if (kernels::gemm_small(trans_a, trans_b, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc)) return;

    // Everything else: packed, cache-blocked, register-tiled, threaded (tensor/kernels/gemm_blocked.cpp).
    kernels::gemm_blocked(trans_a, trans_b, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
}

namespace {
template <class Kernel>
Tensor matmul_with(Kernel kernel, const char* name, const Tensor& a, const Tensor& b, bool ta, bool tb) {
    if (a.rank() != 2 || b.rank() != 2)
        throw ShapeError(std::string(name) + ": needs two 2-D tensors, got " + a.shape().str() + " and " +
                         b.shape().str() + " (reshape a vector to (1xN) or (Nx1) first)");
    const std::size_t M = ta ? a.shape()[1] : a.shape()[0];
    const std::size_t K = ta ? a.shape()[0] : a.shape()[1];
    const std::size_t Kb = tb ? b.shape()[1] : b.shape()[0];
    const std::size_t N = tb ? b.shape()[0] : b.shape()[1];
    if (K != Kb) {
        auto desc = [](const Tensor& t, bool tr) {
            const Shape& s = t.shape();
            return tr ? "(" + std::to_string(s[1]) + "x" + std::to_string(s[0]) + ", transposed)" : s.str();
        };
        throw ShapeError(std::string(name) + ": cannot multiply " + desc(a, ta) + " by " + desc(b, tb) +
                         ": inner sizes " + std::to_string(K) + " != " + std::to_string(Kb));
    }
    Tensor c = Tensor::empty(Shape{M, N});  // beta = 0 below: every element written
    kernel(ta, tb, M, N, K, 1.0f, a.data(), a.shape()[1], b.data(), b.shape()[1], 0.0f, c.data(), N);
    return c;
}
}  // namespace

Tensor matmul(const Tensor& a, const Tensor& b, bool trans_a, bool trans_b) {
    return matmul_with(gemm, "matmul", a, b, trans_a, trans_b);
}

Tensor matmul_naive(const Tensor& a, const Tensor& b, bool trans_a, bool trans_b) {
    return matmul_with(gemm_naive, "matmul_naive", a, b, trans_a, trans_b);
}

std::size_t matrix_rows(const Tensor& t) {
    if (t.rank() != 2) throw ShapeError("matmul_into: needs 2-D tensors (matrices), got " + t.shape().str());
    return t.shape()[0];
}

namespace {
template <class T>
std::string describe(const MatrixOf<T>& m, bool transposed) {
    return "(" + std::to_string(m.rows) + "x" + std::to_string(m.cols) + (transposed ? ", transposed)" : ")");
}
}  // namespace

void matmul_into(MatrixRef c, ConstMatrixRef a, ConstMatrixRef b, bool ta, bool tb, float beta) {
    const std::size_t M = ta ? a.cols : a.rows, K = ta ? a.rows : a.cols;
    const std::size_t Kb = tb ? b.cols : b.rows, N = tb ? b.rows : b.cols;
    if (K != Kb || c.rows != M || c.cols != N)
        throw ShapeError("matmul_into: C " + describe(c, false) + " = A " + describe(a, ta) + " · B " +
                         describe(b, tb) + ": needs A (M x K), B (K x N) and C (M x N)");
    gemm(ta, tb, M, N, K, 1.0f, a.data, a.cols, b.data, b.cols, beta, c.data, c.cols);
}

}  // namespace hg
