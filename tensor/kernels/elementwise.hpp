// Element-wise loops over a whole tensor, shared out between the threads when it is large
// (tensor/kernels/parallel_for.hpp). autograd's activations compute their values and their
// gradients with them.
//
// What it buys: the lambda is inlined into the loop (hg::map calls a std::function for each
// element), and above parallel_grain elements per thread the loop runs on every core.
#pragma once

#include <cstddef>

#include "tensor/kernels/parallel_for.hpp"
#include "tensor/tensor.hpp"

namespace hg::kernels {

// out[i] = f(a[i])
template <class F>
Tensor map(const Tensor& a, F f) {
    Tensor out = Tensor::empty(a.shape());
    parallel_for(a.numel(), [&](std::size_t begin, std::size_t end) {
        for (std::size_t i = begin; i < end; ++i) out[i] = f(a[i]);
    });
    return out;
}

// out[i] = dy[i] · d(at[i]): the chain rule through an element-wise function whose
// derivative d is a function of one tensor `at` (the function's input or its output).
template <class D>
Tensor map_times(const Tensor& at, const Tensor& dy, D d) {
    Tensor out = Tensor::empty(at.shape());
    parallel_for(at.numel(), [&](std::size_t begin, std::size_t end) {
        for (std::size_t i = begin; i < end; ++i) out[i] = dy[i] * d(at[i]);
    });
    return out;
}

}  // namespace hg::kernels
