// The symmetric eigen-solver: Householder tridiagonalisation, then implicit QR steps with
// the Wilkinson shift (see linalg.hpp). Everything runs in double precision on row-major
// n x n arrays; the rotations and reflections act on rows, so their loops run over
// contiguous memory.
#include "tensor/linalg.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <stdexcept>
#include <string>
#include <vector>

#include "tensor/format.hpp"

namespace hg {

namespace {

using Matrix = std::vector<double>;  // n x n, row-major

// Step 1. Reduce the symmetric A (in place) to tridiagonal T = Qᵀ A Q with Householder
// reflections. For column k, the reflection H = I − β v vᵀ maps x = A[k+1.., k] to
// (α, 0, ..., 0), α = −sign(x₀)·|x| (the sign that avoids cancellation in v = x − α e₁).
// Applied on both sides to the trailing block S = A[k+1.., k+1..]:
//   p = β S v,  q = p − (β/2)(vᵀp) v,   H S H = S − v qᵀ − q vᵀ.
// Returns the reflections (v, β) so their product Q can be applied later; fills the
// diagonal `diag` and the off-diagonal `off` (off[i] couples i and i + 1).
struct Reflection {
    std::size_t k;          // acts on indices k + 1 .. n − 1
    std::vector<double> v;  // length n − k − 1
    double beta;            // 0: H = I (the column was already reduced)
};

std::vector<Reflection> tridiagonalise(Matrix& A, std::size_t n, std::vector<double>& diag, std::vector<double>& off) {
    std::vector<Reflection> reflections;
    std::vector<double> p(n), q(n);
    for (std::size_t k = 0; k + 2 < n; ++k) {
        const std::size_t m = n - k - 1;  // the length of x
        Reflection r{k, std::vector<double>(m), 0.0};
        double norm2 = 0;
        for (std::size_t i = 0; i < m; ++i) {
            r.v[i] = A[(k + 1 + i) * n + k];
            norm2 += r.v[i] * r.v[i];
        }
        const double tail2 = norm2 - r.v[0] * r.v[0];
        if (tail2 > 0) {
            const double norm = std::sqrt(norm2);
            const double alpha = r.v[0] > 0 ? -norm : norm;
            r.v[0] -= alpha;
            const double vv = r.v[0] * r.v[0] + tail2;
            r.beta = 2.0 / vv;
            // p = β S v (S symmetric: read it by rows)
            for (std::size_t i = 0; i < m; ++i) {
                const double* row = &A[(k + 1 + i) * n + k + 1];
                double s = 0;
                for (std::size_t j = 0; j < m; ++j) s += row[j] * r.v[j];
                p[i] = r.beta * s;
            }
            double vp = 0;
            for (std::size_t i = 0; i < m; ++i) vp += r.v[i] * p[i];
            const double half = 0.5 * r.beta * vp;
            for (std::size_t i = 0; i < m; ++i) q[i] = p[i] - half * r.v[i];
            // S ← S − v qᵀ − q vᵀ
            for (std::size_t i = 0; i < m; ++i) {
                double* row = &A[(k + 1 + i) * n + k + 1];
                const double vi = r.v[i], qi = q[i];
                for (std::size_t j = 0; j < m; ++j) row[j] -= vi * q[j] + qi * r.v[j];
            }
            // Column and row k become (α, 0, ..., 0).
            for (std::size_t i = 0; i < m; ++i) A[(k + 1 + i) * n + k] = A[k * n + k + 1 + i] = 0.0;
            A[(k + 1) * n + k] = A[k * n + k + 1] = alpha;
        }
        reflections.push_back(std::move(r));
    }
    diag.resize(n);
    off.assign(n, 0.0);
    for (std::size_t i = 0; i < n; ++i) diag[i] = A[i * n + i];
    for (std::size_t i = 0; i + 1 < n; ++i) off[i] = A[(i + 1) * n + i];
    return reflections;
}

// Rotate rows i and i + 1 of U (n wide): row_i ← c·row_i + s·row_{i+1},
// row_{i+1} ← −s·row_i + c·row_{i+1}.
void rotate_rows(Matrix& U, std::size_t n, std::size_t i, double c, double s) {
    double* a = &U[i * n];
    double* b = &U[(i + 1) * n];
    for (std::size_t j = 0; j < n; ++j) {
        const double x = a[j], y = b[j];
        a[j] = c * x + s * y;
        b[j] = -s * x + c * y;
    }
}

// Step 2. One implicit QR step with the Wilkinson shift on the unreduced block lo..hi of
// the tridiagonal (diag, off). The shift μ is the eigenvalue of the block's bottom 2 x 2
// closer to its last entry. A rotation P = [[c, s], [−s, c]] on indices (k, k + 1) turns
// (x, z) into (r, 0); T ← P T Pᵀ creates a bulge z at (k + 2, k), which the next rotation
// removes, down to the bottom. The rotations are multiplied into U (T = Uᵀ Λ U at the end:
// the rows of U are T's eigenvectors).
void qr_step(std::vector<double>& d, std::vector<double>& e, std::size_t lo, std::size_t hi, Matrix& U, std::size_t n) {
    const double half_gap = (d[hi - 1] - d[hi]) / 2, b = e[hi - 1];
    const double mu = d[hi] - b * b / (half_gap + std::copysign(std::hypot(half_gap, b), half_gap));
    double x = d[lo] - mu, z = e[lo];
    for (std::size_t k = lo; k < hi; ++k) {
        const double r = std::hypot(x, z);
        const double c = r == 0 ? 1.0 : x / r, s = r == 0 ? 0.0 : z / r;
        if (k > lo) e[k - 1] = r;  // the bulge (x, z) in column k − 1 becomes (r, 0)
        // The 2 x 2 block [[d_k, e_k], [e_k, d_k+1]] ← P·block·Pᵀ
        const double dk = d[k], dk1 = d[k + 1], ek = e[k];
        d[k] = c * c * dk + 2 * c * s * ek + s * s * dk1;
        d[k + 1] = s * s * dk - 2 * c * s * ek + c * c * dk1;
        e[k] = c * s * (dk1 - dk) + (c * c - s * s) * ek;
        if (k + 1 < hi) {
            // Row k picks up s·e_{k+1} at column k + 2: the new bulge.
            x = e[k];
            z = s * e[k + 1];
            e[k + 1] *= c;
        }
        rotate_rows(U, n, k, c, s);
    }
}

}  // namespace

SymmetricEigen symmetric_eigen(const Tensor& a) {
    if (a.rank() != 2 || a.shape()[0] != a.shape()[1])
        throw ShapeError("symmetric_eigen: needs a square matrix (n x n), got " + a.shape().str());
    const std::size_t n = a.shape()[0];
    if (n == 0) throw ShapeError("symmetric_eigen: the matrix " + a.shape().str() + " is empty");
    // Symmetric? (Compare against the largest entry, so a covariance summed in float passes.)
    double biggest = 0, worst = 0;
    std::size_t wi = 0, wj = 0;
    for (std::size_t i = 0; i < n; ++i)
        for (std::size_t j = 0; j <= i; ++j) {
            const double aij = a[i * n + j], aji = a[j * n + i];
            if (!std::isfinite(aij))
                throw ValueError("symmetric_eigen: entry (" + std::to_string(i) + ", " + std::to_string(j) + ") of the " +
                                 a.shape().str() + " matrix is " + format_number(aij) + "; every entry must be finite");
            biggest = std::max(biggest, std::fabs(aij));
            if (std::fabs(aij - aji) > worst) {
                worst = std::fabs(aij - aji);
                wi = i;
                wj = j;
            }
        }
    if (worst > 1e-5 * biggest)
        throw ValueError("symmetric_eigen: the " + a.shape().str() + " matrix is not symmetric: entry (" +
                         std::to_string(wi) + ", " + std::to_string(wj) + ") = " + format_number(a[wi * n + wj]) + " but (" +
                         std::to_string(wj) + ", " + std::to_string(wi) + ") = " + format_number(a[wj * n + wi]) +
                         "; hint: symmetrise it first, (A + Aᵀ)/2");

    // The lower triangle, mirrored, in double.
    Matrix A(n * n);
    for (std::size_t i = 0; i < n; ++i)
        for (std::size_t j = 0; j <= i; ++j) A[i * n + j] = A[j * n + i] = a[i * n + j];

    // 1. T = Qᵀ A Q.
    std::vector<double> d, e;
    const std::vector<Reflection> reflections = tridiagonalise(A, n, d, e);

    // 2. Diagonalise T: QR steps on the bottom unreduced block until every off-diagonal
    //    entry is negligible next to its neighbours on the diagonal.
    Matrix U(n * n, 0.0);
    for (std::size_t i = 0; i < n; ++i) U[i * n + i] = 1.0;
    const double eps = std::numeric_limits<double>::epsilon();
    auto negligible = [&](std::size_t i) { return std::fabs(e[i]) <= eps * (std::fabs(d[i]) + std::fabs(d[i + 1])); };
    std::size_t hi = n - 1, steps = 0;
    while (hi > 0) {
        if (negligible(hi - 1)) {  // d[hi] is an eigenvalue: move up
            e[hi - 1] = 0;
            --hi;
            continue;
        }
        std::size_t lo = hi - 1;
        while (lo > 0 && !negligible(lo - 1)) --lo;
        if (++steps > 30 * n)
            throw std::runtime_error("symmetric_eigen: no convergence after " + std::to_string(steps - 1) +
                                     " QR steps on a " + a.shape().str() + " matrix");
        qr_step(d, e, lo, hi, U, n);
    }

    // 3. A = Q T Qᵀ = (Q Uᵀ) Λ (Q Uᵀ)ᵀ: the eigenvectors of A are the rows of U·Qᵀ =
    //    U·H_{n−3}···H_0. Each reflection acts on every row: row ← row − β (row·v) vᵀ.
    for (auto r = reflections.rbegin(); r != reflections.rend(); ++r) {
        if (r->beta == 0) continue;
        const std::size_t off = r->k + 1, m = r->v.size();
        for (std::size_t i = 0; i < n; ++i) {
            double* row = &U[i * n + off];
            double dot = 0;
            for (std::size_t j = 0; j < m; ++j) dot += row[j] * r->v[j];
            dot *= r->beta;
            for (std::size_t j = 0; j < m; ++j) row[j] -= dot * r->v[j];
        }
    }

    // Largest eigenvalue first; each vector's largest entry positive.
    std::vector<std::size_t> order(n);
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::stable_sort(order.begin(), order.end(), [&](std::size_t i, std::size_t j) { return d[i] > d[j]; });
    SymmetricEigen out{Tensor(Shape{n}), Tensor(Shape{n, n})};
    for (std::size_t r = 0; r < n; ++r) {
        const double* v = &U[order[r] * n];
        std::size_t big = 0;
        for (std::size_t j = 1; j < n; ++j)
            if (std::fabs(v[j]) > std::fabs(v[big])) big = j;
        const double sign = v[big] < 0 ? -1.0 : 1.0;
        out.values[r] = static_cast<float>(d[order[r]]);
        for (std::size_t j = 0; j < n; ++j) out.vectors[r * n + j] = static_cast<float>(sign * v[j]);
    }
    return out;
}

}  // namespace hg
