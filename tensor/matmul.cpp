// The two matmul kernels and the Tensor-level matmul.
#include "tensor/matmul.hpp"

#include <string>

#include "tensor/gemm_blocked.hpp"

namespace hg {

namespace {

// Element (i, j) of op(X), where X is stored row-major with row length ld.
inline float element(const float* X, std::size_t ld, bool trans, std::size_t i, std::size_t j) {
    return trans ? X[j * ld + i] : X[i * ld + j];
}

void scale_c(std::size_t M, std::size_t N, float beta, float* C, std::size_t ldc) {
    for (std::size_t i = 0; i < M; ++i)
        for (std::size_t j = 0; j < N; ++j)
            C[i * ldc + j] = beta == 0.0f ? 0.0f : beta * C[i * ldc + j];  // beta = 0 also clears NaN
}

// c = a * b + beta * c over one row of n floats (beta = 0 overwrites c, NaN included).
void axpby_row(std::size_t n, float a, const float* __restrict b, float beta, float* __restrict c) {
    if (beta == 0.0f) {
#pragma omp simd
        for (std::size_t j = 0; j < n; ++j) c[j] = a * b[j];
    } else {
#pragma omp simd
        for (std::size_t j = 0; j < n; ++j) c[j] = a * b[j] + beta * c[j];
    }
}

// c[j] = alpha * (a · row j of B) + beta * c[j] for j < n, rows of length k. Eight rows at a
// time share each load of a and keep eight sums in flight.
void dot_rows(std::size_t n, std::size_t k, float alpha, const float* __restrict a, const float* B, std::size_t ldb,
              float beta, float* __restrict c) {
    auto finish = [&](std::size_t j, float dot) { c[j] = alpha * dot + (beta == 0.0f ? 0.0f : beta * c[j]); };
    std::size_t j = 0;
    for (; j + 8 <= n; j += 8) {
        const float* __restrict b[8];
        for (std::size_t r = 0; r < 8; ++r) b[r] = B + (j + r) * ldb;
        float s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0, s5 = 0, s6 = 0, s7 = 0;
#pragma omp simd reduction(+ : s0, s1, s2, s3, s4, s5, s6, s7)
        for (std::size_t q = 0; q < k; ++q) {
            s0 += a[q] * b[0][q], s1 += a[q] * b[1][q], s2 += a[q] * b[2][q], s3 += a[q] * b[3][q];
            s4 += a[q] * b[4][q], s5 += a[q] * b[5][q], s6 += a[q] * b[6][q], s7 += a[q] * b[7][q];
        }
        finish(j, s0), finish(j + 1, s1), finish(j + 2, s2), finish(j + 3, s3);
        finish(j + 4, s4), finish(j + 5, s5), finish(j + 6, s6), finish(j + 7, s7);
    }
    for (; j < n; ++j) {
        const float* __restrict b = B + j * ldb;
        float s = 0.0f;
#pragma omp simd reduction(+ : s)
        for (std::size_t q = 0; q < k; ++q) s += a[q] * b[q];
        finish(j, s);
    }
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
                acc += static_cast<double>(element(A, lda, trans_a, i, k)) * element(B, ldb, trans_b, k, j);
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

    // Tiny products -- one training example at a time, as in the recommender -- take a few
    // microseconds; packing them for the blocked kernel would cost more than the product.
    // They are computed in place, in loops the compiler vectorises. Each loop keeps several
    // independent sums going at once, so the processor is not left waiting for one chain of
    // additions (a fused multiply-add takes ~4 cycles; two can start every cycle).
    //  - op(A)·Bᵀ with few rows: dot products of contiguous rows (y = x·Wᵀ for one example);
    if (!trans_a && trans_b && M <= 8) {
        for (std::size_t i = 0; i < M; ++i) dot_rows(N, K, alpha, A + i * lda, B, ldb, beta, C + i * ldc);
        return;
    }
    //  - Aᵀ·B with a short inner dimension: a sum of K outer products of rows (dW = dYᵀ·X);
    //    the first one also applies beta, the others add to it.
    if (trans_a && !trans_b && K <= 8) {
        for (std::size_t k = 0; k < K; ++k)
            for (std::size_t i = 0; i < M; ++i)
                axpby_row(N, alpha * A[k * lda + i], B + k * ldb, k == 0 ? beta : 1.0f, C + i * ldc);
        return;
    }
    //  - op(A)·B with few rows: each row of C is a sum of rows of B (dX = dY·W).
    if (!trans_b && M <= 4) {
        for (std::size_t i = 0; i < M; ++i) {
            float* __restrict c = C + i * ldc;
            scale_c(1, N, beta, c, ldc);  // c = beta·c
            // four rows of B per pass: one addition into c per four products
            std::size_t k = 0;
            for (; k + 4 <= K; k += 4) {
                const float a0 = alpha * element(A, lda, trans_a, i, k), a1 = alpha * element(A, lda, trans_a, i, k + 1),
                            a2 = alpha * element(A, lda, trans_a, i, k + 2),
                            a3 = alpha * element(A, lda, trans_a, i, k + 3);
                const float *__restrict b0 = B + k * ldb, *__restrict b1 = b0 + ldb, *__restrict b2 = b1 + ldb,
                                        *__restrict b3 = b2 + ldb;
#pragma omp simd
                for (std::size_t j = 0; j < N; ++j) c[j] += (a0 * b0[j] + a1 * b1[j]) + (a2 * b2[j] + a3 * b3[j]);
            }
            for (; k < K; ++k) axpby_row(N, alpha * element(A, lda, trans_a, i, k), B + k * ldb, 1.0f, c);
        }
        return;
    }

    // Everything else: packed, cache-blocked, register-tiled, threaded (gemm_blocked.cpp).
    detail::gemm_blocked(trans_a, trans_b, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
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
    Tensor c(Shape{M, N});
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

}  // namespace hg
