#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "tensor/kernels/gemm_blocked.hpp"
#include "tensor/matmul.hpp"
#include "tensor/parallel.hpp"

using hg::Tensor;

namespace {

// One gemm call checked against gemm_naive: random operands stored with `pad` spare floats
// at the end of every row (lda, ldb, ldc larger than the rows), C starting from random
// values -- or NaN when beta = 0, which must not leak through. The padding of C is filled
// with a sentinel that neither kernel may touch.
struct GemmCase {
    std::size_t M, N, K;
    bool ta = false, tb = false;
    float alpha = 1.0f, beta = 0.0f;
    std::size_t pad = 0;
};

void check_against_naive(const GemmCase& g, hg::Rng& rng) {
    const std::size_t a_rows = g.ta ? g.K : g.M, a_cols = g.ta ? g.M : g.K;
    const std::size_t b_rows = g.tb ? g.N : g.K, b_cols = g.tb ? g.K : g.N;
    const std::size_t lda = a_cols + g.pad, ldb = b_cols + g.pad, ldc = g.N + g.pad;
    const Tensor a = Tensor::normal({a_rows, lda}, 0, 1, rng);
    const Tensor b = Tensor::normal({b_rows, ldb}, 0, 1, rng);
    Tensor c0 = Tensor::normal({g.M, ldc}, 0, 1, rng);
    constexpr float sentinel = -12345.0f;
    for (std::size_t i = 0; i < g.M; ++i)
        for (std::size_t j = 0; j < ldc; ++j)
            if (j >= g.N) c0.data()[i * ldc + j] = sentinel;
            else if (g.beta == 0.0f) c0.data()[i * ldc + j] = std::numeric_limits<float>::quiet_NaN();
    Tensor fast = c0, ref = c0;  // copies
    hg::gemm(g.ta, g.tb, g.M, g.N, g.K, g.alpha, a.data(), lda, b.data(), ldb, g.beta, fast.data(), ldc);
    hg::gemm_naive(g.ta, g.tb, g.M, g.N, g.K, g.alpha, a.data(), lda, b.data(), ldb, g.beta, ref.data(), ldc);

    std::size_t bad = 0, touched = 0;
    double worst = 0;
    // Float sums of K products of N(0,1) values: allow a rounding error growing with K.
    const float atol = 1e-5f * static_cast<float>(g.K + 1) * std::fabs(g.alpha) + 1e-5f;
    for (std::size_t i = 0; i < g.M; ++i)
        for (std::size_t j = 0; j < ldc; ++j) {
            const float f = fast.data()[i * ldc + j], r = ref.data()[i * ldc + j];
            if (j >= g.N) {
                touched += f != sentinel;
                continue;
            }
            const float diff = std::fabs(f - r);
            if (!(diff <= atol + 1e-4f * std::fabs(r))) ++bad;  // also catches NaN
            worst = std::max(worst, static_cast<double>(diff));
        }
    INFO("M=" << g.M << " N=" << g.N << " K=" << g.K << " ta=" << g.ta << " tb=" << g.tb << " alpha=" << g.alpha
              << " beta=" << g.beta << " pad=" << g.pad << " max diff=" << worst);
    CHECK(bad == 0);
    CHECK(touched == 0);
}

void check_all_transposes(GemmCase g, hg::Rng& rng) {
    for (int ta = 0; ta < 2; ++ta)
        for (int tb = 0; tb < 2; ++tb) {
            g.ta = ta;
            g.tb = tb;
            check_against_naive(g, rng);
        }
}

}  // namespace

TEST_CASE("matmul: a small product worked by hand") {
    Tensor a = Tensor::from({2, 3}, {1, 2, 3, 4, 5, 6});
    Tensor b = Tensor::from({3, 2}, {7, 8, 9, 10, 11, 12});
    Tensor want = Tensor::from({2, 2}, {58, 64, 139, 154});
    CHECK(hg::allclose(hg::matmul_naive(a, b), want, 0, 0));
    CHECK(hg::allclose(hg::matmul(a, b), want, 0, 0));
}

TEST_CASE("matmul: the fast kernel agrees with the naive one on odd shapes and transposes") {
    hg::Rng rng(3);
    const std::size_t sizes[][3] = {{1, 1, 1},  {1, 1682, 20}, {1, 20, 1682}, {7, 13, 5},  {5, 300, 3},
                                    {33, 65, 17}, {64, 257, 129}, {130, 70, 260}, {3, 1, 9}};
    for (auto& s : sizes) {
        const std::size_t M = s[0], K = s[1], N = s[2];
        for (int ta = 0; ta < 2; ++ta)
            for (int tb = 0; tb < 2; ++tb) {
                Tensor a = ta ? Tensor::normal({K, M}, 0, 1, rng) : Tensor::normal({M, K}, 0, 1, rng);
                Tensor b = tb ? Tensor::normal({N, K}, 0, 1, rng) : Tensor::normal({K, N}, 0, 1, rng);
                Tensor ref = hg::matmul_naive(a, b, ta, tb);
                Tensor fast = hg::matmul(a, b, ta, tb);
                INFO("M=" << M << " K=" << K << " N=" << N << " ta=" << ta << " tb=" << tb
                          << " max diff=" << hg::max_abs_diff(fast, ref));
                CHECK(hg::allclose(fast, ref, 1e-4f, 1e-4f));
            }
    }
}

TEST_CASE("gemm: the models' shapes, scaled down, in the three products of a Linear layer") {
    // A Linear layer (batch x in -> out) computes Y = X·Wᵀ, dX = dY·W and dW = dYᵀ·X.
    // Scaled-down versions of the recommender (batch x 1682 -> 20, and back), the
    // Fashion-MNIST encoder (128 x 784 -> 1000) and the full-batch MovieLens one (943 x 1682 -> 500).
    hg::Rng rng(11);
    struct Layer {
        std::size_t batch, in, out;
    };
    for (Layer l : {Layer{1, 1682, 20}, Layer{1, 20, 1682}, Layer{32, 421, 20}, Layer{32, 20, 421},
                    Layer{16, 196, 250}, Layer{95, 168, 50}}) {
        check_against_naive({l.batch, l.out, l.in, false, true}, rng);   // Y = X·Wᵀ
        check_against_naive({l.batch, l.in, l.out, false, false}, rng);  // dX = dY·W
        check_against_naive({l.out, l.in, l.batch, true, false}, rng);   // dW = dYᵀ·X
    }
}

TEST_CASE("gemm: sizes around the register tile and the cache blocks") {
    const hg::kernels::GemmBlocking blk = hg::kernels::gemm_blocking();
    INFO("tile " << blk.mr << "x" << blk.nr << ", blocks mc=" << blk.mc << " kc=" << blk.kc << " nc=" << blk.nc);
    hg::Rng rng(12);
    const std::size_t mr = blk.mr, nr = blk.nr;
    // One below, at and one above a tile, and several tiles plus a ragged edge.
    for (std::size_t M : {mr - 1, mr, mr + 1, 3 * mr + 5})
        for (std::size_t N : {nr - 1, nr, nr + 1, 2 * nr + 3}) check_all_transposes({M, N, 9}, rng);
    // Inner dimension across the KC slices (later slices add to the first one's result).
    for (std::size_t K : {blk.kc - 1, blk.kc, blk.kc + 1, 2 * blk.kc + 7}) check_all_transposes({2 * mr + 3, nr + 5, K}, rng);
    // More rows than one MC block and more columns than one NC block.
    check_all_transposes({blk.mc + mr + 2, blk.nc + nr + 3, 5}, rng);
}

TEST_CASE("gemm: the paths for one or a few rows, on every remainder of their unrolled loops") {
    // One example at a time (the recommender) goes through in-place loops that handle 8
    // rows of B or 4 rows of B per pass; check every leftover count, alpha, beta and padding.
    hg::Rng rng(14);
    for (std::size_t M : {1, 2, 4, 5, 8})
        for (std::size_t N : {1, 3, 7, 8, 9, 16, 17, 20})
            for (std::size_t K : {1, 2, 3, 4, 5, 8, 9, 20})
                check_all_transposes({M, N, K, false, false, 0.5f, K % 2 ? 1.0f : 0.0f, M % 2}, rng);
}

TEST_CASE("gemm: one example through rows of up to 32 floats, around every edge of their paths") {
    // With AVX-512, rows of up to 32 floats (a layer of 20 units) are two registers, loaded
    // whole for 16, 20, 24 and 32 floats and masked otherwise, and dot products are summed 16
    // rows at a time (gemm_small.cpp); without it the same shapes take the portable loops.
    // Row lengths around 16 and 32 and each whole-row length, row counts around 16, and
    // each kind of beta (0 overwrites, 1 accumulates, others scale).
    hg::Rng rng(16);
    for (std::size_t len : {1, 4, 15, 16, 17, 20, 24, 31, 32, 33})
        for (std::size_t rows : {1, 5, 16, 17, 40, 83})
            for (float beta : {0.0f, 1.0f, 0.25f}) {
                const float alpha = rows % 2 ? 1.0f : -0.5f;
                const std::size_t pad = rows % 3;
                check_against_naive({1, rows, len, false, true, alpha, beta, pad}, rng);   // y = x·Wᵀ
                check_against_naive({3, rows, len, false, true, alpha, beta, pad}, rng);
                check_against_naive({rows, len, 1, true, false, alpha, beta, pad}, rng);   // dW = dyᵀ·x
                check_against_naive({rows, len, 5, true, false, alpha, beta, pad}, rng);
                check_against_naive({1, len, rows, false, false, alpha, beta, pad}, rng);  // dx = dy·W
                check_against_naive({2, len, rows, true, false, alpha, beta, pad}, rng);
            }
}

TEST_CASE("gemm: M, N or K = 1, and empty products") {
    hg::Rng rng(13);
    for (GemmCase g : {GemmCase{1, 1, 1}, GemmCase{1, 40, 70}, GemmCase{40, 1, 70}, GemmCase{40, 70, 1},
                       GemmCase{1, 1, 300}, GemmCase{300, 70, 1}, GemmCase{1, 300, 1}})
        check_all_transposes(g, rng);
    // K = 0: the empty sum leaves C = beta * C.
    check_all_transposes({7, 50, 0, false, false, 1.0f, 0.5f}, rng);
    check_all_transposes({30, 50, 0, false, false, 1.0f, 0.0f}, rng);
}

TEST_CASE("gemm: leading dimensions longer than the rows, alpha and beta") {
    hg::Rng rng(14);
    // Shapes for each path of hg::gemm: few rows with Bᵀ (dot products), a short inner
    // dimension with Aᵀ (outer products), few rows (sums of rows of B), the blocked kernel,
    // and the blocked kernel on a narrow C, computed as Cᵀ = op(B)ᵀ·op(A)ᵀ.
    const std::size_t shapes[][3] = {{3, 50, 40}, {60, 50, 4}, {2, 45, 33}, {37, 70, 45}, {70, 37, 300}, {50, 20, 200}};
    for (auto& s : shapes)
        for (float alpha : {1.0f, -0.75f})
            for (float beta : {0.0f, 1.0f, 0.5f})
                for (std::size_t pad : {0, 3}) check_all_transposes({s[0], s[1], s[2], false, false, alpha, beta, pad}, rng);
}

TEST_CASE("gemm: beta = 0 overwrites NaN in C, beta = 1 accumulates") {
    hg::Rng rng(15);
    for (std::size_t M : {2, 40}) {  // a tiny-product path and the blocked kernel
        const std::size_t N = 35, K = 50;
        const Tensor a = Tensor::normal({M, K}, 0, 1, rng), b = Tensor::normal({K, N}, 0, 1, rng);
        const Tensor ab = hg::matmul_naive(a, b);
        Tensor c = Tensor::full({M, N}, std::numeric_limits<float>::quiet_NaN());
        hg::gemm(false, false, M, N, K, 1.0f, a.data(), K, b.data(), N, 0.0f, c.data(), N);
        CHECK(hg::allclose(c, ab, 1e-4f, 1e-4f));
        hg::gemm(false, false, M, N, K, 1.0f, a.data(), K, b.data(), N, 1.0f, c.data(), N);  // c = 2 ab
        CHECK(hg::allclose(c, ab * 2.0f, 1e-4f, 1e-4f));
    }
}

TEST_CASE("matmul: 1 and 2 threads agree, bit for bit") {
    // Each element of C is summed in the same order whatever the number of threads (the
    // threads split C, never the inner dimension), so the results are identical.
    hg::Rng rng(5);
    const int before = hg::num_threads();
    // Shapes that cut C into rows, into columns, and a Linear layer's forward product.
    const std::size_t shapes[][3] = {{97, 211, 133}, {12, 300, 700}, {300, 500, 20}, {128, 784, 100}};
    for (auto& s : shapes) {
        const std::size_t M = s[0], K = s[1], N = s[2];
        Tensor a = Tensor::normal({M, K}, 0, 1, rng), b = Tensor::normal({K, N}, 0, 1, rng);
        hg::set_num_threads(1);
        Tensor one = hg::matmul(a, b), one_t = hg::matmul(a, b.transpose(), false, true);
        hg::set_num_threads(2);
        Tensor two = hg::matmul(a, b), two_t = hg::matmul(a, b.transpose(), false, true);
        INFO("M=" << M << " K=" << K << " N=" << N);
        CHECK(hg::max_abs_diff(one, two) == 0.0f);
        CHECK(hg::max_abs_diff(one_t, two_t) == 0.0f);
        CHECK(hg::allclose(one, hg::matmul_naive(a, b), 1e-4f, 1e-3f));
    }
    hg::set_num_threads(before);
}

TEST_CASE("gemm: alpha and beta scale and accumulate") {
    Tensor a = Tensor::from({1, 2}, {1, 2}), b = Tensor::from({2, 1}, {3, 4});
    Tensor c = Tensor::full({1, 1}, 10.0f);
    hg::gemm(false, false, 1, 1, 2, 2.0f, a.data(), 2, b.data(), 1, 0.5f, c.data(), 1);
    CHECK(c[0] == 2.0f * 11.0f + 5.0f);
}

TEST_CASE("matmul_into: C = op(A)·op(B) + beta·C on tensors and on blocks of one, with shape checks") {
    hg::Rng rng(12);
    const Tensor a = Tensor::normal({3, 4}, 0, 1, rng), b = Tensor::normal({5, 4}, 0, 1, rng);
    Tensor c = Tensor::normal({3, 5}, 0, 1, rng);
    const Tensor c0 = c;
    hg::matmul_into(c, a, b, false, true, 1.0f);  // C += A·Bᵀ
    CHECK(hg::allclose(c, c0 + hg::matmul_naive(a, b, false, true), 1e-5f, 1e-5f));
    hg::matmul_into(c, a, b, false, true);  // beta = 0: C = A·Bᵀ
    CHECK(hg::allclose(c, hg::matmul_naive(a, b, false, true), 1e-5f, 1e-5f));
    // A block of a larger tensor: the second (3 x 5) matrix of a (2 x 3 x 5) batch.
    Tensor batch(hg::Shape{2, 3, 5});
    hg::matmul_into(hg::MatrixRef{batch.data() + 15, 3, 5}, a, b, false, true);
    CHECK(hg::max(hg::abs(batch.slice_rows(0, 1))).item() == 0.0f);
    CHECK(hg::allclose(batch.slice_rows(1, 2).reshape({3, 5}), hg::matmul_naive(a, b, false, true), 1e-5f, 1e-5f));
    CHECK_THROWS_WITH_AS(hg::matmul_into(c, a, b), "matmul_into: C (3x5) = A (3x4) · B (5x4): needs A (M x K), B (K x N) and C (M x N)",
                         hg::ShapeError);
    Tensor wrong(hg::Shape{5, 3});
    CHECK_THROWS_WITH_AS(hg::matmul_into(wrong, a, b, false, true),
                         "matmul_into: C (5x3) = A (3x4) · B (5x4, transposed): needs A (M x K), B (K x N) and C (M x N)",
                         hg::ShapeError);
    CHECK_THROWS_WITH_AS(hg::matmul_into(c, Tensor({3}), b), "matmul_into: needs 2-D tensors (matrices), got (3)",
                         hg::ShapeError);
}

TEST_CASE("matmul: a shape mismatch names both shapes and the inner sizes") {
    CHECK_THROWS_WITH_AS(hg::matmul(Tensor({64, 1568}), Tensor({6272, 10})),
                         "matmul: cannot multiply (64x1568) by (6272x10): inner sizes 1568 != 6272", hg::ShapeError);
    CHECK_THROWS_WITH_AS(hg::matmul(Tensor({3}), Tensor({3, 1})),
                         "matmul: needs two 2-D tensors, got (3) and (3x1) (reshape a vector to (1xN) or (Nx1) first)",
                         hg::ShapeError);
    CHECK_THROWS_WITH_AS(hg::matmul(Tensor({2, 3}), Tensor({3, 4}), false, true),
                         "matmul: cannot multiply (2x3) by (4x3, transposed): inner sizes 3 != 4", hg::ShapeError);
}

TEST_CASE("threads: a thread count beyond max_threads is refused with a clear error, not handed to OpenMP") {
    const int before = hg::num_threads();
    CHECK_THROWS_WITH_AS(hg::set_num_threads(100000),
                         doctest::Contains("set_num_threads: 100000 threads is more than hourglass uses (at most 1024"),
                         hg::ValueError);
    CHECK_THROWS_AS(hg::set_num_threads(0), hg::ValueError);
    CHECK(hg::num_threads() == before);  // unchanged
    hg::set_num_threads(hg::max_threads);  // the largest allowed is accepted
    hg::set_num_threads(before);
}
