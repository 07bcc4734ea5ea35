// How many threads the kernels may use. Default: the environment variable HG_THREADS
// if set, otherwise every core. Tutorials set it from --threads. (The kernels share out
// their work with tensor/kernels/parallel_for.hpp.)
#pragma once

namespace hg {

// More threads than this is a mistake (a typo, or a value meant for something else): the
// thread library fails to start tens of thousands, and past the cores each one only waits.
inline constexpr int max_threads = 1024;

void set_num_threads(int n);  // 1 <= n <= max_threads, else ValueError
int num_threads();
bool openmp_enabled();        // false when built with -Dopenmp=disabled

}  // namespace hg
