// Sharing an element-wise loop out between the threads (OpenMP), for the kernels and the
// optimisers. The thread count is hg::num_threads() (tensor/parallel.hpp).
//
// What it buys: on large tensors (a 1682-unit layer on a batch of 256, an optimiser step
// over a weight of a million numbers) the loop runs on every core; below parallel_grain
// elements per thread it runs on one, where starting threads would cost more than they
// save. `HG_THREADS=1 build/bench/bench_step` against the default shows the difference.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstddef>

#ifdef _OPENMP
#include <omp.h>
#endif

#include "tensor/parallel.hpp"

namespace hg::kernels {

// Below this many elements per thread, starting threads costs more than they save on an
// element-wise loop (the figure PyTorch uses for its CPU kernels, 2^15).
inline constexpr std::size_t parallel_grain = 32768;

// An element-wise loop over [0, n) cut into one contiguous range per thread: f(begin, end)
// runs on each range, in parallel when there are at least `grain` elements per thread.
// Every element is computed the same way whatever the thread count, so the results do not
// depend on it. f must not throw (an exception cannot leave an OpenMP thread).
//
//   hg::kernels::parallel_for(y.numel(), [&](std::size_t begin, std::size_t end) {
//       for (std::size_t i = begin; i < end; ++i) y[i] = std::expm1(x[i]);
//   });
template <class F>
void parallel_for(std::size_t n, F&& f, std::size_t grain = parallel_grain) {
#ifdef _OPENMP
    const std::size_t threads = std::min(static_cast<std::size_t>(num_threads()), n / std::max<std::size_t>(grain, 1));
    if (threads > 1) {
#pragma omp parallel num_threads(static_cast<int>(threads))
        {
            const auto t = static_cast<std::size_t>(omp_get_thread_num());
            const auto all = static_cast<std::size_t>(omp_get_num_threads());
            f(n * t / all, n * (t + 1) / all);
        }
        return;
    }
#endif
    (void)grain;
    f(std::size_t{0}, n);
}

// parallel_for for loops that also check something as they go (an optimiser's NaN check):
// f(begin, end) returns a bool, and the result is true when any range returned true.
template <class F>
bool parallel_any(std::size_t n, F&& f, std::size_t grain = parallel_grain) {
    std::atomic<bool> any{false};
    parallel_for(
        n, [&](std::size_t begin, std::size_t end) { if (f(begin, end)) any.store(true, std::memory_order_relaxed); },
        grain);
    return any.load(std::memory_order_relaxed);
}

}  // namespace hg::kernels
