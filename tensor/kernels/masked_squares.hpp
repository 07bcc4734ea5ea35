// The forward pass of masked_mse (autograd/ops_loss.cpp) in one vectorised loop.
//
// What it buys: the course's recommender computes the loss on every step over 1682 movies;
// as the composite scale(sum(mask(square(p − t)))) that is five ops, five tensors and
// four passes, here it is one pass (bench/bench_step --benchmark_filter=course times the
// whole step). masked_squares_naive is the same sum, written as the definition, which the
// tests hold it to (tests/test_losses.cpp).
#pragma once

#include <cstddef>

namespace hg::kernels {

struct MaskedSquares {
    float squares = 0;   // Σ m_i (p_i − t_i)²
    float mask_sum = 0;  // Σ m_i
};

// Over n entries of p, t and the 0/1 mask m. When r is not null, also r_i = m_i (p_i − t_i)
// (the masked residual the backward rule needs). Sums are kept in a vector of partial sums
// (exact for the mask's count; ~1e-7 relative error for the squares).
MaskedSquares masked_squares(const float* p, const float* t, const float* m, std::size_t n, float* r);
MaskedSquares masked_squares_naive(const float* p, const float* t, const float* m, std::size_t n, float* r);

}  // namespace hg::kernels
