#include <doctest/doctest.h>

#include "tensor/matmul.hpp"
#include "tensor/parallel.hpp"

using hg::Tensor;

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

TEST_CASE("matmul: 1 and 2 threads agree") {
    hg::Rng rng(5);
    Tensor a = Tensor::normal({97, 211}, 0, 1, rng), b = Tensor::normal({211, 133}, 0, 1, rng);
    const int before = hg::num_threads();
    hg::set_num_threads(1);
    Tensor one = hg::matmul(a, b);
    hg::set_num_threads(2);
    Tensor two = hg::matmul(a, b);
    hg::set_num_threads(before);
    CHECK(hg::allclose(one, two, 1e-5f, 1e-5f));
}

TEST_CASE("gemm: alpha and beta scale and accumulate") {
    Tensor a = Tensor::from({1, 2}, {1, 2}), b = Tensor::from({2, 1}, {3, 4});
    Tensor c = Tensor::full({1, 1}, 10.0f);
    hg::gemm(false, false, 1, 1, 2, 2.0f, a.data(), 2, b.data(), 1, 0.5f, c.data(), 1);
    CHECK(c[0] == 2.0f * 11.0f + 5.0f);
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
