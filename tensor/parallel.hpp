// How many threads the kernels may use. Default: the environment variable HG_THREADS
// if set, otherwise every core. Tutorials set it from --threads. (The kernels share out
// their work with tensor/kernels/parallel_for.hpp.)
#pragma once

namespace hg {

void set_num_threads(int n);  // n >= 1
int num_threads();
bool openmp_enabled();        // false when built with -Dopenmp=disabled

}  // namespace hg
