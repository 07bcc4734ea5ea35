// The two matmul kernels and the Tensor-level matmul.
#include "tensor/matmul.hpp"

#include <algorithm>
#include <vector>

#include "tensor/parallel.hpp"

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

// Copy op(X) (rows x cols) into a contiguous row-major buffer.
std::vector<float> pack(const float* X, std::size_t ld, bool trans, std::size_t rows, std::size_t cols) {
    std::vector<float> p(rows * cols);
    for (std::size_t i = 0; i < rows; ++i)
        for (std::size_t j = 0; j < cols; ++j) p[i * cols + j] = element(X, ld, trans, i, j);
    return p;
}

// The fast kernel's inner block: rows [i0, i0+mr) of C, columns [j0, j1), depth [k0, k1),
// for contiguous A (M x K) and B (K x N). Four rows of C are updated together so each
// loaded row of B feeds four multiply-adds; the j loop is what the compiler vectorises.
void block_kernel(std::size_t mr, std::size_t j0, std::size_t j1, std::size_t k0, std::size_t k1,
                  float alpha, const float* A, std::size_t K, const float* B, std::size_t N,
                  float* C, std::size_t ldc) {
    const std::size_t nb = j1 - j0;
    if (mr == 4) {
        float* __restrict c0 = C + j0;
        float* __restrict c1 = C + ldc + j0;
        float* __restrict c2 = C + 2 * ldc + j0;
        float* __restrict c3 = C + 3 * ldc + j0;
        for (std::size_t k = k0; k < k1; ++k) {
            const float a0 = alpha * A[k], a1 = alpha * A[K + k];
            const float a2 = alpha * A[2 * K + k], a3 = alpha * A[3 * K + k];
            const float* __restrict b = B + k * N + j0;
            for (std::size_t j = 0; j < nb; ++j) {
                const float bj = b[j];
                c0[j] += a0 * bj;
                c1[j] += a1 * bj;
                c2[j] += a2 * bj;
                c3[j] += a3 * bj;
            }
        }
        return;
    }
    for (std::size_t r = 0; r < mr; ++r) {
        float* __restrict c = C + r * ldc + j0;
        for (std::size_t k = k0; k < k1; ++k) {
            const float a = alpha * A[r * K + k];
            const float* __restrict b = B + k * N + j0;
            for (std::size_t j = 0; j < nb; ++j) c[j] += a * b[j];
        }
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
    scale_c(M, N, beta, C, ldc);
    if (M == 0 || N == 0 || K == 0) return;

    // Small transposed products, common in backward passes of batch-1 training, need no
    // copying: with few rows, op(A)·Bᵀ is a set of dot products of contiguous rows ...
    if (!trans_a && trans_b && M <= 8) {
        for (std::size_t i = 0; i < M; ++i)
            for (std::size_t j = 0; j < N; ++j) {
                const float* __restrict a = A + i * lda;
                const float* __restrict b = B + j * ldb;
                float acc = 0.0f;
#pragma omp simd reduction(+ : acc)
                for (std::size_t k = 0; k < K; ++k) acc += a[k] * b[k];
                C[i * ldc + j] += alpha * acc;
            }
        return;
    }
    // ... and with a short inner dimension, Aᵀ·B is a sum of K outer products of rows.
    if (trans_a && !trans_b && K <= 8) {
        for (std::size_t k = 0; k < K; ++k)
            for (std::size_t i = 0; i < M; ++i) {
                const float a = alpha * A[k * lda + i];
                const float* __restrict b = B + k * ldb;
                float* __restrict c = C + i * ldc;
                for (std::size_t j = 0; j < N; ++j) c[j] += a * b[j];
            }
        return;
    }

    // 1. Bring both operands into plain row-major form (A: M x K, B: K x N), copying only
    //    when they are transposed or strided.
    std::vector<float> a_packed, b_packed;
    const float* a = A;
    const float* b = B;
    if (trans_a || lda != K) {
        a_packed = pack(A, lda, trans_a, M, K);
        a = a_packed.data();
    }
    if (trans_b || ldb != N) {
        b_packed = pack(B, ldb, trans_b, K, N);
        b = b_packed.data();
    }

    // 2. Tile C into blocks of MR rows x NB columns; walk K in slices of KB so the slice of
    //    B a tile reads (KB x NB floats = 64 KiB) stays in the L2 cache while it is reused.
    constexpr std::size_t MR = 4, NB = 256, KB = 64;
    const std::size_t row_tiles = (M + MR - 1) / MR, col_tiles = (N + NB - 1) / NB;
    const std::size_t tiles = row_tiles * col_tiles;
    const bool big = M * N * K >= 64 * 64 * 64;  // threads only pay off on real work
    (void)big;
#pragma omp parallel for schedule(static) if (big)
    for (std::size_t t = 0; t < tiles; ++t) {
        const std::size_t i0 = (t / col_tiles) * MR, j0 = (t % col_tiles) * NB;
        const std::size_t mr = std::min(MR, M - i0), j1 = std::min(N, j0 + NB);
        for (std::size_t k0 = 0; k0 < K; k0 += KB)
            block_kernel(mr, j0, j1, k0, std::min(K, k0 + KB), alpha, a + i0 * K, K, b, N, C + i0 * ldc, ldc);
    }
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
