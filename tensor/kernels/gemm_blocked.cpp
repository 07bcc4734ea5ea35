// The fast GEMM: pack, block for the caches, multiply with a register-tiled micro-kernel.
//
// Why not the triple loop? A 1024x1024 product does 10^9 multiply-adds on 12 MB of data:
// each float is used ~1000 times. The naive loop fetches it from memory (or a far cache)
// nearly every time, and memory delivers a few floats per cycle while one core can do 32
// multiply-adds per cycle (two 16-wide FMA units). The fix is to arrange the work so each
// value, once fetched, is reused many times from the fastest place that can hold it:
//
//   registers  a tile of C (MR x NR) accumulates there for a whole KC-long slice of k;
//   L1 cache   a micro-panel of A (MR x KC) is reused against every micro-panel of B;
//   L2 cache   a block of B (KC x NC) is reused against every micro-panel of the A block;
//   L3 / RAM   the block of A (MC x KC), read once per B block.
//
// The loops, outermost first (Goto & van de Geijn 2008; BLIS, Van Zee & van de Geijn 2015):
//
//   for ic in M, step MC                 rows of C and A
//     for pc in K, step KC               slices of the inner dimension
//       pack A[ic.., pc..] -> a_pack      (MC x KC, in MR-row micro-panels)
//       for jc in N, step NC             columns of C and B
//         pack B[pc.., jc..] -> b_pack    (KC x NC, in NR-column micro-panels)
//         for ir in MC, step MR          one A micro-panel: stays in L1
//           for jr in NC, step NR        one B micro-panel: streamed from L2
//             micro_kernel: C[ir.., jr..] (MR x NR) += A micro-panel · B micro-panel
//
// Packing copies the pieces of A and B the micro-kernel will read into the order it reads
// them, so its loads are contiguous, aligned and never strided, whatever the transposes
// and leading dimensions of the caller (the copy costs O(MK + KN), the product O(MNK)).
// Edges are padded with zeros to whole micro-panels, so the micro-kernel never branches.
//
// Two refinements for the narrow products of small layers (20 hidden units, say):
//  - when C is narrower than one tile, each piece of A is used once, so A is not packed
//    but read in place (gemm_rectangle);
//  - when that narrowness would leave most vector lanes idle, the kernel computes
//    Cᵀ = op(B)ᵀ·op(A)ᵀ instead, which puts the narrow side in the tile's rows (gemm_blocked).
//
// Threads: C is cut into one rectangle per thread (whole micro-tiles, rows or columns,
// whichever balances best) and each thread runs the loops above on its own rectangle with
// its own packing buffers. Every element of C is summed in the same order whatever the
// thread count, so 1 and 2 threads give bit-identical results.
#include "tensor/kernels/gemm_blocked.hpp"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <memory>
#include <new>
#include <utility>

#include "tensor/parallel.hpp"

#ifdef _OPENMP
#include <omp.h>
#endif

namespace hg::kernels {

namespace {

// ---- The register tile ------------------------------------------------------------------
//
// A vector register holds kLanes floats. The micro-kernel keeps an MR x NR tile of C in
// registers, NR = 2 vectors wide, i.e. 2*MR accumulator registers. Each step k it loads
// two vectors of B (row k of the B micro-panel), and for each of the MR rows broadcasts
// one element of A and does two fused multiply-adds: 2*MR FMAs for 2 + MR loads. MR is as
// large as the register file allows while leaving room for the two B vectors:
//   AVX-512: 32 registers of 16 floats -> 12 x 32 tile, 24 accumulators
//   AVX/AVX2: 16 registers of 8 floats ->  6 x 16 tile, 12 accumulators
//   SSE (any x86-64, and the portable fallback): 16 registers of 4 floats -> 6 x 8 tile.
// The vectors are GCC/Clang vector extensions: plain C++ arithmetic on them compiles to
// the vector instructions of whatever -march is given (-Dnative=true uses this machine's).
#if defined(__AVX512F__)
constexpr std::size_t kLanes = 16, MR = 12;
#elif defined(__AVX__)
constexpr std::size_t kLanes = 8, MR = 6;
#else
constexpr std::size_t kLanes = 4, MR = 6;
#endif
constexpr std::size_t kVecs = 2;  // vectors per row of the tile
constexpr std::size_t NR = kVecs * kLanes;

// ---- The cache blocks -------------------------------------------------------------------
//
// Sizes for AVX-512 (MR x NR = 12 x 32); typical x86 caches: L1 32-48 KiB, L2 1-2 MiB per core.
// KC: the A micro-panel (MR x KC floats = 18 KiB) stays in L1 while the micro-kernel runs
//     along a row of B micro-panels, each of which streams through L1 once. A long KC also
//     means each tile of C is loaded and stored only once per KC slice.
// NC: the B block (KC x NC floats = 768 KiB) stays in L2, since it is swept once per A
//     micro-panel.
// MC: the A block (MC x KC floats = 1.1 MiB) is swept once per B block, from L2 or L3; a
//     large MC means B is re-packed rarely (once per MC rows of C).
// Measured on a Xeon with 48 KiB L1 and 2 MiB L2: KC from 256 to 512, NC 256 or 512 and MC
// from 384 to 1536 all come within a few per cent of each other; NC = 1024 is slower.
constexpr std::size_t KC = 384;
constexpr std::size_t NC = 512;
constexpr std::size_t MC = 64 * MR;

static_assert(NC % NR == 0 && MC % MR == 0, "cache blocks must hold whole micro-panels");

using Vec = float __attribute__((vector_size(kLanes * sizeof(float))));

inline Vec load(const float* p) {
    Vec v;
    std::memcpy(&v, p, sizeof v);
    return v;
}
inline void store(float* p, Vec v) { std::memcpy(p, &v, sizeof v); }

// C = alpha * (A · b_panel) + beta * C on the mr x nr corner of an MR x NR tile of C, whose
// element (r, j) is C[r * c_rs + j * c_cs] (c_cs = 1, except for a transposed C, see
// gemm_blocked).
//   A: an MR x kc slice of A. Packed (kPackedA), it is a micro-panel: A(r, k) = a[k * MR + r].
//      Otherwise it is read in place: A(r, k) = a[r * a_rs + k * a_cs] (see gemm_rectangle).
//   b: B micro-panel, kc steps of NR floats:  b[k * NR + j] = B(k, j)
// beta = 0 does not read C (so NaN or garbage in C is overwritten, as BLAS specifies).
template <bool kPackedA>
void micro_kernel(std::size_t kc, const float* __restrict a, std::size_t a_rs, std::size_t a_cs,
                  const float* __restrict b, float alpha, float beta, float* __restrict C, std::size_t c_rs,
                  std::size_t c_cs, std::size_t mr, std::size_t nr) {
    Vec c[MR][kVecs];
#pragma GCC unroll 16
    for (std::size_t r = 0; r < MR; ++r)
#pragma GCC unroll 4
        for (std::size_t v = 0; v < kVecs; ++v) c[r][v] = Vec{};
    for (std::size_t k = 0; k < kc; ++k) {
        Vec bk[kVecs];
#pragma GCC unroll 4
        for (std::size_t v = 0; v < kVecs; ++v) bk[v] = load(b + v * kLanes);
#pragma GCC unroll 16
        for (std::size_t r = 0; r < MR; ++r) {
            const float a_rk = kPackedA ? a[r] : a[r * a_rs];
#pragma GCC unroll 4
            for (std::size_t v = 0; v < kVecs; ++v) c[r][v] += a_rk * bk[v];  // A(r, k) times every lane
        }
        a += kPackedA ? MR : a_cs;
        b += NR;
    }

    if (mr == MR && nr == NR && c_cs == 1) {  // a whole tile: write the vectors straight into C
#pragma GCC unroll 16
        for (std::size_t r = 0; r < MR; ++r)
#pragma GCC unroll 4
            for (std::size_t v = 0; v < kVecs; ++v) {
                float* p = C + r * c_rs + v * kLanes;
                Vec out = alpha * c[r][v];
                if (beta != 0.0f) out += beta * load(p);
                store(p, out);
            }
        return;
    }
    // An edge tile (the last rows or columns of C), or a transposed C: spill the registers,
    // then write the part that exists -- whole vectors where they fit, single floats for
    // the rest.
    alignas(64) float tile[MR * NR];
#pragma GCC unroll 16
    for (std::size_t r = 0; r < MR; ++r)
#pragma GCC unroll 4
        for (std::size_t v = 0; v < kVecs; ++v) store(tile + r * NR + v * kLanes, c[r][v]);
    for (std::size_t r = 0; r < mr; ++r) {
        float* p = C + r * c_rs;
        const float* t = tile + r * NR;
        std::size_t j = 0;
        if (c_cs == 1)
            for (; j + kLanes <= nr; j += kLanes) {
                Vec out = alpha * load(t + j);
                if (beta != 0.0f) out += beta * load(p + j);
                store(p + j, out);
            }
        for (; j < nr; ++j) {
            float& out = p[j * c_cs];
            out = alpha * t[j] + (beta == 0.0f ? 0.0f : beta * out);
        }
    }
}

// ---- Packing ----------------------------------------------------------------------------
//
// A strided view of a matrix: element (i, k) is at p[i * rs + k * cs]. op(A) (M x K) and
// op(B)ᵀ (N x K) are both such views, whatever the transposes and leading dimensions:
//   op(A)(i, k):   A[i * lda + k]  (rs = lda, cs = 1),  or transposed A[k * lda + i]  (rs = 1, cs = lda)
//   op(B)(k, j):   B[k * ldb + j]  (rs = 1, cs = ldb),  or transposed B[j * ldb + k]  (rs = ldb, cs = 1)
// (for B the view's "rows" are the columns j of op(B)). Packing A and packing B are then
// the same operation, and after packing the micro-kernel never sees a transpose.
struct View {
    const float* p;
    std::size_t rs, cs;
    View shifted(std::size_t rows) const { return {p + rows * rs, rs, cs}; }
};

// Copy rows [i0, i0 + rows) x depth [k0, k0 + depth) of X into micro-panels of W rows:
//   out[(q * depth + k) * W + r] = X(i0 + q * W + r, k0 + k)
// i.e. panel q holds rows q*W .. q*W+W-1, stored k by k, W values per k. Rows past the
// end are zero, so every panel is whole. W is a compile-time constant (MR or NR), so the
// loop over a panel's W rows unrolls: each step k reads one value from each of the W rows
// (or W adjacent values, when X is transposed) and writes W adjacent floats.
template <std::size_t W>
void pack_panels(const View& X, std::size_t i0, std::size_t rows, std::size_t k0, std::size_t depth,
                 float* __restrict out) {
    for (std::size_t q0 = 0; q0 < rows; q0 += W, out += W * depth) {
        const float* src = X.p + (i0 + q0) * X.rs + k0 * X.cs;
        const std::size_t w = std::min(W, rows - q0);
        if (w < W) {  // the last, partial panel: zeros, then the w rows that exist
            std::fill(out, out + W * depth, 0.0f);
            if (X.rs == 1)
                for (std::size_t k = 0; k < depth; ++k)
                    for (std::size_t r = 0; r < w; ++r) out[k * W + r] = src[k * X.cs + r];
            else
                for (std::size_t r = 0; r < w; ++r)
                    for (std::size_t k = 0; k < depth; ++k) out[k * W + r] = src[r * X.rs + k * X.cs];
        } else if (X.rs == 1) {  // the W values of one k are adjacent in memory: a plain copy
            for (std::size_t k = 0; k < depth; ++k)
#pragma GCC unroll 32
                for (std::size_t r = 0; r < W; ++r) out[k * W + r] = src[k * X.cs + r];
        } else {  // one value from each of W rows
            for (std::size_t k = 0; k < depth; ++k)
#pragma GCC unroll 32
                for (std::size_t r = 0; r < W; ++r) out[k * W + r] = src[r * X.rs + k * X.cs];
        }
    }
}

// A per-thread packing buffer, 64-byte aligned (a cache line, and a whole AVX-512 vector),
// kept between calls so that repeated products do not allocate fresh pages each time.
class PackBuffer {
public:
    float* get(std::size_t n) {
        if (n > capacity_) {
            data_.reset(static_cast<float*>(::operator new[](n * sizeof(float), std::align_val_t{64})));
            capacity_ = n;
        }
        return data_.get();
    }

private:
    struct Free {
        void operator()(float* p) const { ::operator delete[](p, std::align_val_t{64}); }
    };
    std::unique_ptr<float, Free> data_;
    std::size_t capacity_ = 0;
};

std::size_t round_up(std::size_t n, std::size_t multiple) { return (n + multiple - 1) / multiple * multiple; }

// One thread's share: C (m x n) = alpha * a · bᵀ + beta * C, with a an (m x K) view, b an
// (n x K) view and C(i, j) at C[i * c_rs + j * c_cs]. The five loops of the scheme at the
// top of this file.
void gemm_rectangle(const View& a, const View& b, std::size_t m, std::size_t n, std::size_t K, float alpha,
                    float beta, float* C, std::size_t c_rs, std::size_t c_cs) {
    thread_local PackBuffer a_buffer, b_buffer;
    float* a_pack = a_buffer.get(round_up(std::min(MC, m), MR) * std::min(KC, K));
    float* b_pack = b_buffer.get(std::min(KC, K) * round_up(std::min(NC, n), NR));
    // When C is at most one micro-tile wide, each A micro-panel meets a single B micro-panel,
    // so copying A would cost as much as using it: the micro-kernel reads whole panels of A
    // in place, and only a last, partial panel (fewer than MR rows) is packed.
    const bool a_in_place = n <= NR;

    for (std::size_t ic = 0; ic < m; ic += MC) {
        const std::size_t mc = std::min(MC, m - ic);
        const std::size_t whole_rows = a_in_place ? mc / MR * MR : 0;  // rows read in place
        for (std::size_t pc = 0; pc < K; pc += KC) {
            const std::size_t kc = std::min(KC, K - pc);
            const float beta_here = pc == 0 ? beta : 1.0f;  // later slices add to the first
            pack_panels<MR>(a, ic + whole_rows, mc - whole_rows, pc, kc, a_pack);
            for (std::size_t jc = 0; jc < n; jc += NC) {
                const std::size_t nc = std::min(NC, n - jc);
                pack_panels<NR>(b, jc, nc, pc, kc, b_pack);
                for (std::size_t ir = 0; ir < mc; ir += MR)
                    for (std::size_t jr = 0; jr < nc; jr += NR) {
                        float* c = C + (ic + ir) * c_rs + (jc + jr) * c_cs;
                        const std::size_t mr = std::min(MR, mc - ir), nr = std::min(NR, nc - jr);
                        if (ir < whole_rows)
                            micro_kernel<false>(kc, a.p + (ic + ir) * a.rs + pc * a.cs, a.rs, a.cs, b_pack + jr * kc,
                                                alpha, beta_here, c, c_rs, c_cs, mr, nr);
                        else
                            micro_kernel<true>(kc, a_pack + (ir - whole_rows) * kc, 1, MR, b_pack + jr * kc, alpha,
                                               beta_here, c, c_rs, c_cs, mr, nr);
                    }
            }
        }
    }
}

// How to cut C among `threads` threads: a grid of tm x tn rectangles (tm * tn = threads),
// in whole micro-tiles, choosing the grid whose busiest thread has the fewest tiles; on a
// tie, cut rows (then the threads share no rows of A, and B is the only copy both make).
struct Grid {
    std::size_t tm, tn;
};
Grid thread_grid(std::size_t M, std::size_t N, std::size_t threads) {
    const std::size_t row_tiles = (M + MR - 1) / MR, col_tiles = (N + NR - 1) / NR;
    Grid best{1, threads};
    std::size_t best_cost = SIZE_MAX;
    for (std::size_t tm = threads; tm >= 1; --tm) {
        if (threads % tm != 0) continue;
        const std::size_t tn = threads / tm;
        const std::size_t cost = ((row_tiles + tm - 1) / tm) * ((col_tiles + tn - 1) / tn);
        if (cost < best_cost) best = {tm, tn}, best_cost = cost;
    }
    return best;
}

// The part [begin, end) of `count` items (counted in tiles of `tile`, clipped to `count`)
// that part `index` of `parts` gets.
std::pair<std::size_t, std::size_t> share(std::size_t count, std::size_t tile, std::size_t parts, std::size_t index) {
    const std::size_t tiles = (count + tile - 1) / tile;
    const std::size_t begin = tiles * index / parts * tile, end = tiles * (index + 1) / parts * tile;
    return {std::min(begin, count), std::min(end, count)};
}

}  // namespace

GemmBlocking gemm_blocking() { return {MR, NR, MC, KC, NC}; }

void gemm_blocked(bool trans_a, bool trans_b, std::size_t M, std::size_t N, std::size_t K, float alpha,
                  const float* A, std::size_t lda, const float* B, std::size_t ldb, float beta, float* C,
                  std::size_t ldc) {
    if (M == 0 || N == 0) return;
    if (K == 0) {  // an empty sum: C = beta * C
        for (std::size_t i = 0; i < M; ++i)
            for (std::size_t j = 0; j < N; ++j) C[i * ldc + j] = beta == 0.0f ? 0.0f : beta * C[i * ldc + j];
        return;
    }
    View a = trans_a ? View{A, 1, lda} : View{A, lda, 1};  // op(A), M x K
    View b = trans_b ? View{B, ldb, 1} : View{B, 1, ldb};  // op(B)ᵀ, N x K
    std::size_t c_rs = ldc, c_cs = 1;                      // C(i, j) = C[i * c_rs + j * c_cs]

    // A narrow C -- fewer columns than the tile is wide, like the 20 hidden units of the
    // recommender -- would leave most vector lanes idle. Cᵀ = op(B)ᵀ·op(A)ᵀ puts those columns
    // in the tile's rows instead, where at most MR - 1 rows are wasted; swapping the two views
    // and transposing C's does it. The transposed writes to C go one float at a time, which
    // only pays off when each tile sums a long inner dimension.
    if (N < NR && K >= 128 && round_up(N, MR) * round_up(M, NR) < round_up(M, MR) * round_up(N, NR)) {
        std::swap(a, b);
        std::swap(M, N);
        std::swap(c_rs, c_cs);
    }

    // Threads pay for themselves from about 64^3 multiply-adds (a few microseconds on one
    // core; starting a parallel region of waiting OpenMP threads costs about one).
    const bool big = static_cast<double>(M) * N * K >= 64.0 * 64 * 64;
    [[maybe_unused]] const int threads = big ? num_threads() : 1;  // unused without OpenMP
#pragma omp parallel num_threads(threads) if (threads > 1)
    {
        std::size_t team = 1, id = 0;
#ifdef _OPENMP
        team = static_cast<std::size_t>(omp_get_num_threads());
        id = static_cast<std::size_t>(omp_get_thread_num());
#endif
        const Grid grid = thread_grid(M, N, team);
        const auto [m0, m1] = share(M, MR, grid.tm, id / grid.tn);
        const auto [n0, n1] = share(N, NR, grid.tn, id % grid.tn);
        if (m0 < m1 && n0 < n1)
            gemm_rectangle(a.shifted(m0), b.shifted(n0), m1 - m0, n1 - n0, K, alpha, beta,
                           C + m0 * c_rs + n0 * c_cs, c_rs, c_cs);
    }
}

}  // namespace hg::kernels
