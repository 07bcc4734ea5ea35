// Linear algebra beyond the matrix product: the eigen-decomposition of a symmetric matrix.
//
// Every real symmetric matrix A (n x n) has n real eigenvalues λ_i and orthonormal
// eigenvectors v_i with A·v_i = λ_i·v_i, so that A = Σ_i λ_i v_i v_iᵀ. PCA is one use:
// the eigenvectors of the covariance matrix of the data, by decreasing eigenvalue, are the
// directions of largest variance (tutorial 11).
//
//   hg::Tensor a = hg::Tensor::from({2, 2}, {2, 1,
//                                            1, 2});
//   hg::SymmetricEigen e = hg::symmetric_eigen(a);
//   e.values;    // Tensor(2) [3, 1]                    largest first
//   e.vectors;   // Tensor(2x2) [[0.707, 0.707],         row i is the eigenvector of values[i]
//                //              [0.707, -0.707]]
//
// How (Golub & Van Loan, "Matrix Computations", 4th ed., sections 8.3.1-8.3.3), in double
// precision:
//   1. Householder tridiagonalisation: n − 2 reflections H_k = I − β v vᵀ make
//      T = Qᵀ A Q tridiagonal (Q = H_0 H_1 ... H_{n−3}), with the same eigenvalues as A.
//   2. Implicit symmetric QR steps with the Wilkinson shift on T: each step chases a
//      "bulge" down the diagonal with Givens rotations; the off-diagonal entries at the
//      bottom shrink (cubically, near convergence) and are set to 0 once negligible, until
//      T is diagonal. The rotations, multiplied up, give T's eigenvectors.
//   3. A's eigenvectors are Q times T's.
// The cost is O(n³): about a second for n = 784 (the covariance of 28 x 28 images).
#pragma once

#include "tensor/tensor.hpp"

namespace hg {

struct SymmetricEigen {
    Tensor values;   // (n): the eigenvalues, largest first
    Tensor vectors;  // (n x n): row i is the unit eigenvector of values[i]; so A = Vᵀ·diag(λ)·V
};

// The eigen-decomposition of a symmetric matrix a (n x n). An eigenvector's sign is
// arbitrary; here the entry of largest magnitude of each is made positive, so the result
// is reproducible. a must be symmetric to within 1e-5 of its largest entry (ValueError
// otherwise, naming the worst pair); only its lower triangle is read.
SymmetricEigen symmetric_eigen(const Tensor& a);

}  // namespace hg
