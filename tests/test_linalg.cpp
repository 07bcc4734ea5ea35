// The symmetric eigen-solver (tensor/linalg.hpp) against decompositions known in advance.
#include <doctest/doctest.h>

#include <cmath>
#include <string>
#include <vector>

#include "tensor/linalg.hpp"
#include "tensor/matmul.hpp"

using hg::Shape;
using hg::Tensor;

namespace {

// Q = I − 2 u uᵀ / uᵀu: a symmetric orthogonal matrix (a Householder reflection), so that
// A = Q diag(λ) Qᵀ has eigenvalues λ and eigenvectors the columns (= rows) of Q.
Tensor reflection(const std::vector<float>& u) {
    const std::size_t n = u.size();
    float uu = 0;
    for (float x : u) uu += x * x;
    Tensor q(Shape{n, n});
    for (std::size_t i = 0; i < n; ++i)
        for (std::size_t j = 0; j < n; ++j) q[i * n + j] = (i == j ? 1.0f : 0.0f) - 2.0f * u[i] * u[j] / uu;
    return q;
}

Tensor diag(const std::vector<float>& values) {
    const std::size_t n = values.size();
    Tensor d(Shape{n, n});
    for (std::size_t i = 0; i < n; ++i) d[i * n + i] = values[i];
    return d;
}

// max over i of |A·v_i − λ_i·v_i|, and max |V·Vᵀ − I|.
struct Residuals {
    float eigen = 0, orthogonality = 0;
};
Residuals residuals(const Tensor& a, const hg::SymmetricEigen& e) {
    const std::size_t n = a.rows();
    const Tensor av = hg::matmul(e.vectors, a, false, true);  // row i: (A·v_i)ᵀ
    Residuals r;
    for (std::size_t i = 0; i < n; ++i)
        for (std::size_t j = 0; j < n; ++j)
            r.eigen = std::max(r.eigen, std::fabs(av[i * n + j] - e.values[i] * e.vectors[i * n + j]));
    const Tensor vvt = hg::matmul(e.vectors, e.vectors, false, true);
    for (std::size_t i = 0; i < n; ++i)
        for (std::size_t j = 0; j < n; ++j)
            r.orthogonality = std::max(r.orthogonality, std::fabs(vvt[i * n + j] - (i == j ? 1.0f : 0.0f)));
    return r;
}

}  // namespace

TEST_CASE("symmetric_eigen: a 2 x 2 example worked by hand") {
    // [[2, 1], [1, 2]]: λ = 3 with (1, 1)/√2, λ = 1 with (1, −1)/√2.
    const hg::SymmetricEigen e = hg::symmetric_eigen(Tensor::from({2, 2}, {2, 1, 1, 2}));
    const float r = 1.0f / std::sqrt(2.0f);
    CHECK(e.values[0] == doctest::Approx(3.0).epsilon(1e-6));
    CHECK(e.values[1] == doctest::Approx(1.0).epsilon(1e-6));
    CHECK(hg::allclose(e.vectors, Tensor::from({2, 2}, {r, r, r, -r}), 0, 1e-6f));
}

TEST_CASE("symmetric_eigen: A = Q diag(λ) Qᵀ gives back λ and Q") {
    const std::vector<float> lambda = {-2.0f, 7.5f, 0.25f, 3.0f, -0.5f};  // distinct, mixed signs
    const Tensor q = reflection({1.0f, -2.0f, 0.5f, 3.0f, 1.5f});
    const Tensor a = hg::matmul(hg::matmul(q, diag(lambda)), q, false, true);
    const hg::SymmetricEigen e = hg::symmetric_eigen(a);
    const std::vector<float> sorted = {7.5f, 3.0f, 0.25f, -0.5f, -2.0f};
    const std::vector<std::size_t> column = {1, 3, 2, 4, 0};  // where each sorted λ sits in diag
    for (std::size_t i = 0; i < 5; ++i) {
        INFO("eigenvalue " << i);
        CHECK(e.values[i] == doctest::Approx(sorted[i]).epsilon(1e-5));
        // The eigenvector is Q's column (up to sign: here its largest entry is positive).
        float dot = 0;
        for (std::size_t j = 0; j < 5; ++j) dot += e.vectors[i * 5 + j] * q[j * 5 + column[i]];
        CHECK(std::fabs(dot) == doctest::Approx(1.0).epsilon(1e-5));
        std::size_t big = 0;
        for (std::size_t j = 1; j < 5; ++j)
            if (std::fabs(e.vectors[i * 5 + j]) > std::fabs(e.vectors[i * 5 + big])) big = j;
        CHECK(e.vectors[i * 5 + big] > 0);
    }
}

TEST_CASE("symmetric_eigen: diagonal, 1 x 1 and repeated eigenvalues") {
    SUBCASE("a diagonal matrix is already decomposed") {
        const hg::SymmetricEigen e = hg::symmetric_eigen(diag({1.0f, 4.0f, -3.0f}));
        CHECK(hg::allclose(e.values, Tensor::from({3}, {4, 1, -3})));
        CHECK(hg::allclose(e.vectors, Tensor::from({3, 3}, {0, 1, 0, 1, 0, 0, 0, 0, 1})));
    }
    SUBCASE("1 x 1") {
        const hg::SymmetricEigen e = hg::symmetric_eigen(Tensor::from({1, 1}, {-2.5f}));
        CHECK(e.values[0] == -2.5f);
        CHECK(e.vectors[0] == 1.0f);
    }
    SUBCASE("a repeated eigenvalue: any orthonormal basis of its space will do") {
        const Tensor q = reflection({2.0f, 1.0f, -1.0f, 0.5f});
        const Tensor a = hg::matmul(hg::matmul(q, diag({5, 5, 1, 1})), q, false, true);
        const hg::SymmetricEigen e = hg::symmetric_eigen(a);
        CHECK(hg::allclose(e.values, Tensor::from({4}, {5, 5, 1, 1}), 0, 1e-5f));
        const Residuals r = residuals(a, e);
        CHECK(r.eigen < 1e-5f);
        CHECK(r.orthogonality < 1e-5f);
    }
}

TEST_CASE("symmetric_eigen: a covariance-sized random matrix") {
    // B·Bᵀ for a random B: symmetric, positive semi-definite, eigenvalues spread out.
    hg::Rng rng(7);
    for (std::size_t n : {3, 17, 120}) {
        const Tensor b = Tensor::normal({n, n / 2 + 1}, 0, 1, rng);
        const Tensor a = hg::matmul(b, b, false, true);
        const hg::SymmetricEigen e = hg::symmetric_eigen(a);
        INFO("n = " << n);
        const Residuals r = residuals(a, e);
        const float scale = e.values[0];
        CHECK(r.eigen < 1e-5f * scale);
        CHECK(r.orthogonality < 1e-5f);
        for (std::size_t i = 1; i < n; ++i) CHECK(e.values[i] <= e.values[i - 1]);
        // Rank n/2 + 1: the rest of the eigenvalues are 0 (to rounding).
        CHECK(std::fabs(e.values[n - 1]) < 1e-5f * scale);
        // The trace is the sum of the eigenvalues.
        double trace = 0, total = 0;
        for (std::size_t i = 0; i < n; ++i) {
            trace += a[i * n + i];
            total += e.values[i];
        }
        CHECK(total == doctest::Approx(trace).epsilon(1e-5));
    }
}

TEST_CASE("symmetric_eigen: bad input gets a clear error") {
    CHECK_THROWS_WITH_AS(hg::symmetric_eigen(Tensor(Shape{2, 3})),
                         "symmetric_eigen: needs a square matrix (n x n), got (2x3)", hg::ShapeError);
    const std::string msg = [] {
        try {
            hg::symmetric_eigen(Tensor::from({3, 3}, {1, 2, 0, 2, 1, 0, 0, 0.5f, 1}));
        } catch (const hg::ValueError& e) {
            return std::string(e.what());
        }
        return std::string("no error");
    }();
    CHECK(msg.find("not symmetric: entry (2, 1) = 0.5 but (1, 2) = 0") != std::string::npos);
    CHECK(msg.find("(A + Aᵀ)/2") != std::string::npos);
    Tensor nan = diag({1, 2});
    nan[2] = std::nanf("");
    CHECK_THROWS_AS(hg::symmetric_eigen(nan), hg::ValueError);
}
