// How many threads the kernels may use. Default: the environment variable HG_THREADS
// if set, otherwise every core. Tutorials set it from --threads.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstddef>

#ifdef _OPENMP
#include <omp.h>
#endif

namespace hg {

void set_num_threads(int n);  // n >= 1
int num_threads();
bool openmp_enabled();        // false when built with -Dopenmp=disabled

// Below this many elements per thread, starting threads costs more than they save on an
// element-wise loop (the figure PyTorch uses for its CPU kernels, 2^15).
inline constexpr std::size_t parallel_grain = 32768;

// An element-wise loop over [0, n) cut into one contiguous range per thread: f(begin, end)
// runs on each range, in parallel when there are at least `grain` elements per thread.
// Every element is computed the same way whatever the thread count, so the results do not
// depend on it. f must not throw (an exception cannot leave an OpenMP thread).
//
//   hg::parallel_for(y.numel(), [&](std::size_t begin, std::size_t end) {
//       for (std::size_t i = begin; i < end; ++i) y[i] = std::expm1(x[i]);
//   });
template <class F>
void parallel_for(std::size_t n, F&& f, std::size_t grain = parallel_grain) {
    const std::size_t threads = std::min(static_cast<std::size_t>(num_threads()), n / std::max<std::size_t>(grain, 1));
#ifdef _OPENMP
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

}  // namespace hg
