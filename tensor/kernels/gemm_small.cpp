// The in-place paths of hg::gemm, for products with a side of one or a few rows.
//
// One training example at a time -- the course's recommender, 1682 movies -> 20 -> 10 ->
// 20 -> 1682 -- makes three kinds of product in each Linear layer, each with a side of 1:
//
//   y = x·Wᵀ       the dot products of x with every row of W       op(A)·Bᵀ, M <= 8
//   dW += dyᵀ·x    one outer product added to dW, row by row       Aᵀ·B,     K <= 8
//   dx = dy·W      a sum of the rows of W, weighted by dy          op(A)·B,  M <= 4
//
// Packing such a product for the blocked kernel (gemm_blocked.cpp) would cost more than the
// product itself. Here they run in place, in loops the compiler vectorises, each keeping
// several independent sums going at once so the processor is not left waiting on one chain
// of additions (a fused multiply-add takes ~4 cycles; two can start every cycle).
//
// Short rows. The last layer's weight is 1682 rows of 20 floats, and a loop over 20 floats
// vectorises badly: 16 in one vector, then a tail of 4, then -- for a dot product -- a sum
// across the vector's 16 lanes, for each of the 1682 rows. With AVX-512, rows of up to 32
// floats take paths of their own: a row is two 16-lane registers (the second one partly
// used), the loop runs over the rows, and the dot products of 16 rows are summed across
// lanes together (sum_lanes_16).
//
// The times quoted below are the course's products, one at a time:
//   build/bench/bench_step --benchmark_filter=course_products
#include "tensor/kernels/gemm_small.hpp"

#include <algorithm>

#if defined(__AVX512F__)
#include <immintrin.h>
#endif

namespace hg::kernels {

namespace {

// ---- Portable loops, any row length ------------------------------------------------------

// c = a * b + beta * c over one row of n floats (beta = 0 overwrites c, NaN included).
void axpby_row(std::size_t n, float a, const float* __restrict b, float beta, float* __restrict c) {
    if (beta == 0.0f) {
#pragma omp simd
        for (std::size_t j = 0; j < n; ++j) c[j] = a * b[j];
    } else {  // 16 lanes at a time: on AVX-512 the course's dW1 += dyᵀ·x runs 11% faster than at 8
#pragma omp simd simdlen(16)
        for (std::size_t j = 0; j < n; ++j) c[j] = a * b[j] + beta * c[j];
    }
}

// c[j] = alpha * (a · row j of B) + beta * c[j] for j < n, rows of length k. Eight rows at a
// time share each load of a and keep eight sums in flight, then four rows.
void dot_rows_any(std::size_t n, std::size_t k, float alpha, const float* __restrict a, const float* B,
                  std::size_t ldb, float beta, float* __restrict c) {
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
    // (The course's first layer has 20 rows: 8 + 8 + 4 is 9% faster than 8 + 8 + 1 + 1 + 1 + 1.)
    for (; j + 4 <= n; j += 4) {
        const float* __restrict b[4];
        for (std::size_t r = 0; r < 4; ++r) b[r] = B + (j + r) * ldb;
        float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
#pragma omp simd reduction(+ : s0, s1, s2, s3)
        for (std::size_t q = 0; q < k; ++q) s0 += a[q] * b[0][q], s1 += a[q] * b[1][q], s2 += a[q] * b[2][q], s3 += a[q] * b[3][q];
        finish(j, s0), finish(j + 1, s1), finish(j + 2, s2), finish(j + 3, s3);
    }
    // The last rows one at a time, each with 64 partial sums (a few vector registers) so
    // that a long row is not one chain of dependent additions.
    for (; j < n; ++j) {
        const float* __restrict b = B + j * ldb;
        float s[64] = {};
        std::size_t q = 0;
        for (; q + 64 <= k; q += 64)
            for (std::size_t u = 0; u < 64; ++u) s[u] += a[q + u] * b[q + u];
        for (; q < k; ++q) s[0] += a[q] * b[q];
        float dot = 0.0f;
        for (float part : s) dot += part;
        finish(j, dot);
    }
}

// Row i of C (n floats) = alpha * Σ_k op(A)[i][k] · row k of B + beta * C[i]: four rows of B
// per pass, so each pass adds into c once per four products.
void row_sums_any(bool trans_a, std::size_t i, std::size_t n, std::size_t K, float alpha, const float* A,
                  std::size_t lda, const float* B, std::size_t ldb, float beta, float* __restrict c) {
    for (std::size_t j = 0; j < n; ++j) c[j] = beta == 0.0f ? 0.0f : beta * c[j];  // beta = 0 also clears NaN
    std::size_t k = 0;
    for (; k + 4 <= K; k += 4) {
        const float a0 = alpha * element(A, lda, trans_a, i, k), a1 = alpha * element(A, lda, trans_a, i, k + 1),
                    a2 = alpha * element(A, lda, trans_a, i, k + 2), a3 = alpha * element(A, lda, trans_a, i, k + 3);
        const float *__restrict b0 = B + k * ldb, *__restrict b1 = b0 + ldb, *__restrict b2 = b1 + ldb,
                                *__restrict b3 = b2 + ldb;
#pragma omp simd
        for (std::size_t j = 0; j < n; ++j) c[j] += (a0 * b0[j] + a1 * b1[j]) + (a2 * b2[j] + a3 * b3[j]);
    }
    for (; k < K; ++k) axpby_row(n, alpha * element(A, lda, trans_a, i, k), B + k * ldb, 1.0f, c);
}

// C = alpha * Aᵀ·B + beta * C as K outer products of rows; the first applies beta.
void outer_products_any(std::size_t M, std::size_t N, std::size_t K, float alpha, const float* A, std::size_t lda,
                        const float* B, std::size_t ldb, float beta, float* C, std::size_t ldc) {
    for (std::size_t k = 0; k < K; ++k)
        for (std::size_t i = 0; i < M; ++i)
            axpby_row(N, alpha * A[k * lda + i], B + k * ldb, k == 0 ? beta : 1.0f, C + i * ldc);
}

// ---- AVX-512: rows of up to 32 floats ------------------------------------------------------
#if defined(__AVX512F__)
// GCC 12's AVX-512 header initialises its "undefined" registers from themselves, which
// -Wmaybe-uninitialized reports at every shuffle (fixed in GCC 13).
#if !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"
#endif

constexpr std::size_t short_row = 32;

// A row of n <= 32 floats as two 16-lane registers, lo (floats 0-15) and hi (16-31). Two
// kinds, with the same three members, and the kernels below are written once for both:
//   MaskedRow    any n: the lanes past the row's end are masked off (neither read nor
//                written; they read as 0)
//   WholeRow<H>  n = 16 + H exactly (H = 0, 4, 8 or 16): whole 16-, 8- and 4-lane loads
//                and stores, no masks. A masked load costs the processor one more step, on
//                the units the arithmetic needs: on the course's rows of 20 floats, dx = dy·W
//                takes 1.3 µs instead of 2.0, and the whole training step 39 µs instead of 42.
struct MaskedRow {
    std::size_t n;
    __mmask16 lo, hi;
    explicit MaskedRow(std::size_t length)
        : n(length), lo(first_lanes(length)), hi(first_lanes(length > 16 ? length - 16 : 0)) {}
    // Lanes past the row's end read as 0.
    __m512 load_lo(const float* p) const { return _mm512_maskz_loadu_ps(lo, p); }
    __m512 load_hi(const float* p) const { return _mm512_maskz_loadu_ps(hi, p + (hi ? 16 : 0)); }
    // Lanes past the row's end are not written.
    void store(float* p, __m512 l, __m512 h) const {
        store_first(p, l, std::min<std::size_t>(n, 16));
        if (n > 16) store_first(p + 16, h, n - 16);
    }

    static __mmask16 first_lanes(std::size_t k) { return static_cast<__mmask16>(k >= 16 ? 0xFFFFu : (1u << k) - 1); }
    // The first k lanes of v to p[0..k): whole 16-, 8- and 4-lane stores, and a masked store
    // only for the last 1-3 lanes. (A masked store is not passed on to a later load of the
    // same bytes, and a row of C is read right after the row before it is written: with the
    // 4 lanes past 16 stored masked, the course's dW += dyᵀ·h over rows of 20 floats took
    // 13 µs instead of 3.)
    static void store_first(float* p, __m512 v, std::size_t k) {
        if (k == 16) return _mm512_storeu_ps(p, v);
        if (k >= 8) {
            _mm256_storeu_ps(p, _mm512_castps512_ps256(v));
            v = _mm512_shuffle_f32x4(v, v, _MM_SHUFFLE(3, 2, 3, 2));  // lanes 8..15 down to 0..7
            p += 8, k -= 8;
        }
        if (k >= 4) {
            _mm_storeu_ps(p, _mm512_castps512_ps128(v));
            v = _mm512_shuffle_f32x4(v, v, _MM_SHUFFLE(3, 3, 2, 1));  // lanes 4..7 down to 0..3
            p += 4, k -= 4;
        }
        if (k > 0) _mm512_mask_storeu_ps(p, first_lanes(k), v);
    }
};

template <std::size_t H>
struct WholeRow {
    static_assert(H == 0 || H == 4 || H == 8 || H == 16);
    __m512 load_lo(const float* p) const { return _mm512_loadu_ps(p); }
    __m512 load_hi(const float* p) const {
        if constexpr (H == 0) return _mm512_setzero_ps();
        else if constexpr (H == 4) return _mm512_zextps128_ps512(_mm_loadu_ps(p + 16));
        else if constexpr (H == 8) return _mm512_zextps256_ps512(_mm256_loadu_ps(p + 16));
        else return _mm512_loadu_ps(p + 16);
    }
    void store(float* p, __m512 l, __m512 h) const {
        _mm512_storeu_ps(p, l);
        if constexpr (H == 4) _mm_storeu_ps(p + 16, _mm512_castps512_ps128(h));
        else if constexpr (H == 8) _mm256_storeu_ps(p + 16, _mm512_castps512_ps256(h));
        else if constexpr (H == 16) _mm512_storeu_ps(p + 16, h);
    }
};

// f(row), with the kind of row that fits rows of n floats.
template <class F>
void with_row(std::size_t n, F&& f) {
    switch (n) {
        case 16: return f(WholeRow<0>{});
        case 20: return f(WholeRow<4>{});
        case 24: return f(WholeRow<8>{});
        case 32: return f(WholeRow<16>{});
        default: return f(MaskedRow(n));
    }
}

// Lane r of the result = the sum of the 16 lanes of v[r]. Instead of 16 separate sums
// across lanes, a tree: each level folds every register in half and packs two registers'
// halves into one (16 registers of 16 partial sums -> 8 of 2x8 -> 4 of 4x4 -> 2 of 8x2 ->
// 1 of 16x1), then one permutation puts the sums in row order. Always inlined: as a call,
// v[] goes through memory, and the course's y = h·Wᵀ took 1.9 µs instead of 1.4.
[[gnu::always_inline]] inline __m512 sum_lanes_16(const __m512 v[16]) {
    __m512 x[8], y[4], z[2];
    for (int r = 0; r < 8; ++r)  // 256-bit halves: row 2r in lanes 0-7, row 2r+1 in lanes 8-15
        x[r] = _mm512_add_ps(_mm512_shuffle_f32x4(v[2 * r], v[2 * r + 1], 0x44),
                             _mm512_shuffle_f32x4(v[2 * r], v[2 * r + 1], 0xEE));
    for (int r = 0; r < 4; ++r)  // 128-bit quarters: 128-bit chunk c holds row 4r+c
        y[r] = _mm512_add_ps(_mm512_shuffle_f32x4(x[2 * r], x[2 * r + 1], 0x88),
                             _mm512_shuffle_f32x4(x[2 * r], x[2 * r + 1], 0xDD));
    for (int r = 0; r < 2; ++r)  // pairs of lanes within each chunk
        z[r] = _mm512_add_ps(_mm512_shuffle_ps(y[2 * r], y[2 * r + 1], _MM_SHUFFLE(2, 0, 2, 0)),
                             _mm512_shuffle_ps(y[2 * r], y[2 * r + 1], _MM_SHUFFLE(3, 1, 3, 1)));
    // single lanes: lane 4c+j now holds row 4j+c
    const __m512 s = _mm512_add_ps(_mm512_shuffle_ps(z[0], z[1], _MM_SHUFFLE(2, 0, 2, 0)),
                                   _mm512_shuffle_ps(z[0], z[1], _MM_SHUFFLE(3, 1, 3, 1)));
    const __m512i row_order = _mm512_setr_epi32(0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 3, 7, 11, 15);
    return _mm512_permutexvar_ps(row_order, s);
}

// dot_rows_any for k <= 32: a stays in two registers; 16 rows of B per pass.
template <class Row>
void dot_rows_short(const Row& row, std::size_t n, float alpha, const float* a, const float* B, std::size_t ldb,
                    float beta, float* c) {
    const __m512 a_lo = row.load_lo(a), a_hi = row.load_hi(a);
    for (std::size_t j = 0; j < n; j += 16) {
        const std::size_t rows = std::min<std::size_t>(16, n - j);
        __m512 v[16];
        for (std::size_t r = 0; r < 16; ++r) {
            v[r] = _mm512_setzero_ps();
            if (r >= rows) continue;
            const float* b = B + (j + r) * ldb;
            v[r] = _mm512_fmadd_ps(row.load_hi(b), a_hi, _mm512_mul_ps(row.load_lo(b), a_lo));
        }
        const __mmask16 out = static_cast<__mmask16>(rows == 16 ? 0xFFFFu : (1u << rows) - 1);
        __m512 s = _mm512_mul_ps(_mm512_set1_ps(alpha), sum_lanes_16(v));
        if (beta != 0.0f) s = _mm512_fmadd_ps(_mm512_set1_ps(beta), _mm512_maskz_loadu_ps(out, c + j), s);
        _mm512_mask_storeu_ps(c + j, out, s);
    }
}

// outer_products_any for N <= 32: the K rows of B stay in registers (alpha folded in), and
// each row of C is read, updated and written once.
template <class Row>
void outer_products_short(const Row& row, std::size_t M, std::size_t K, float alpha, const float* A,
                          std::size_t lda, const float* B, std::size_t ldb, float beta, float* C, std::size_t ldc) {
    __m512 b_lo[8], b_hi[8];
    for (std::size_t k = 0; k < K; ++k) {
        b_lo[k] = _mm512_mul_ps(_mm512_set1_ps(alpha), row.load_lo(B + k * ldb));
        b_hi[k] = _mm512_mul_ps(_mm512_set1_ps(alpha), row.load_hi(B + k * ldb));
    }
    auto add_products = [&](std::size_t i, __m512& lo, __m512& hi) {  // + Σ_k A[k][i] · B[k]
        for (std::size_t k = 0; k < K; ++k) {
            const __m512 a = _mm512_set1_ps(A[k * lda + i]);
            lo = _mm512_fmadd_ps(a, b_lo[k], lo);
            hi = _mm512_fmadd_ps(a, b_hi[k], hi);
        }
    };
    if (beta == 1.0f) {  // dW += dyᵀ·x: the common case, kept lean
        for (std::size_t i = 0; i < M; ++i) {
            float* c = C + i * ldc;
            __m512 lo = row.load_lo(c), hi = row.load_hi(c);
            add_products(i, lo, hi);
            row.store(c, lo, hi);
        }
        return;
    }
    const __m512 vbeta = _mm512_set1_ps(beta);
    for (std::size_t i = 0; i < M; ++i) {
        float* c = C + i * ldc;
        __m512 lo = _mm512_setzero_ps(), hi = _mm512_setzero_ps();  // beta = 0 also clears NaN
        if (beta != 0.0f) lo = _mm512_mul_ps(vbeta, row.load_lo(c)), hi = _mm512_mul_ps(vbeta, row.load_hi(c));
        add_products(i, lo, hi);
        row.store(c, lo, hi);
    }
}

// row_sums_any for n <= 32: the sum stays in registers, four rows of B in flight.
template <class Row>
void row_sums_short(const Row& row, bool trans_a, std::size_t i, std::size_t K, float alpha, const float* A,
                    std::size_t lda, const float* B, std::size_t ldb, float beta, float* c) {
    const float* a = trans_a ? A + i : A + i * lda;  // op(A)[i][k] = a[k * step]
    const std::size_t step = trans_a ? lda : 1;
    __m512 lo[4], hi[4];
    for (int u = 0; u < 4; ++u) lo[u] = hi[u] = _mm512_setzero_ps();
    std::size_t k = 0;
    for (; k + 4 <= K; k += 4)
        for (int u = 0; u < 4; ++u) {
            const float* b = B + (k + u) * ldb;
            const __m512 ak = _mm512_set1_ps(a[(k + u) * step]);
            lo[u] = _mm512_fmadd_ps(ak, row.load_lo(b), lo[u]);
            hi[u] = _mm512_fmadd_ps(ak, row.load_hi(b), hi[u]);
        }
    for (; k < K; ++k) {
        const float* b = B + k * ldb;
        const __m512 ak = _mm512_set1_ps(a[k * step]);
        lo[0] = _mm512_fmadd_ps(ak, row.load_lo(b), lo[0]);
        hi[0] = _mm512_fmadd_ps(ak, row.load_hi(b), hi[0]);
    }
    const __m512 valpha = _mm512_set1_ps(alpha);
    __m512 s_lo = _mm512_mul_ps(valpha, _mm512_add_ps(_mm512_add_ps(lo[0], lo[1]), _mm512_add_ps(lo[2], lo[3])));
    __m512 s_hi = _mm512_mul_ps(valpha, _mm512_add_ps(_mm512_add_ps(hi[0], hi[1]), _mm512_add_ps(hi[2], hi[3])));
    if (beta != 0.0f) {
        const __m512 vbeta = _mm512_set1_ps(beta);
        s_lo = _mm512_fmadd_ps(vbeta, row.load_lo(c), s_lo);
        s_hi = _mm512_fmadd_ps(vbeta, row.load_hi(c), s_hi);
    }
    row.store(c, s_lo, s_hi);
}

#if !defined(__clang__)
#pragma GCC diagnostic pop
#endif
#endif  // __AVX512F__

// ---- Choosing between them -----------------------------------------------------------------

void dot_rows(std::size_t n, std::size_t k, float alpha, const float* a, const float* B, std::size_t ldb, float beta,
              float* c) {
#if defined(__AVX512F__)
    if (k <= short_row) return with_row(k, [&](const auto& row) { dot_rows_short(row, n, alpha, a, B, ldb, beta, c); });
#endif
    dot_rows_any(n, k, alpha, a, B, ldb, beta, c);
}

void outer_products(std::size_t M, std::size_t N, std::size_t K, float alpha, const float* A, std::size_t lda,
                    const float* B, std::size_t ldb, float beta, float* C, std::size_t ldc) {
#if defined(__AVX512F__)
    if (N <= short_row)
        return with_row(N, [&](const auto& row) { outer_products_short(row, M, K, alpha, A, lda, B, ldb, beta, C, ldc); });
#endif
    outer_products_any(M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
}

void row_sums(bool trans_a, std::size_t i, std::size_t n, std::size_t K, float alpha, const float* A,
              std::size_t lda, const float* B, std::size_t ldb, float beta, float* c) {
#if defined(__AVX512F__)
    if (n <= short_row)
        return with_row(n, [&](const auto& row) { row_sums_short(row, trans_a, i, K, alpha, A, lda, B, ldb, beta, c); });
#endif
    row_sums_any(trans_a, i, n, K, alpha, A, lda, B, ldb, beta, c);
}

}  // namespace

bool gemm_small(bool trans_a, bool trans_b, std::size_t M, std::size_t N, std::size_t K, float alpha,
                const float* A, std::size_t lda, const float* B, std::size_t ldb, float beta, float* C,
                std::size_t ldc) {
    if (!trans_a && trans_b && M <= 8) {  // y = x·Wᵀ
        for (std::size_t i = 0; i < M; ++i) dot_rows(N, K, alpha, A + i * lda, B, ldb, beta, C + i * ldc);
        return true;
    }
    if (trans_a && !trans_b && K <= 8) {  // dW = dYᵀ·X
        outer_products(M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
        return true;
    }
    if (!trans_b && M <= 4) {  // dX = dY·W
        for (std::size_t i = 0; i < M; ++i) row_sums(trans_a, i, N, K, alpha, A, lda, B, ldb, beta, C + i * ldc);
        return true;
    }
    return false;
}

}  // namespace hg::kernels
