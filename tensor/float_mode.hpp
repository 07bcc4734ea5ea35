// Denormal floats (below 1.2e-38 in magnitude) are computed by a slow path on most CPUs,
// often 100x slower than normal numbers. Long training runs can fill a weight or an
// optimiser's running average with them (a weight that weight decay pulls towards 0
// forever, its squared gradient smaller still), and then every step slows down.
//
//   hg::set_flush_denormal(true);   // treat denormals as 0, like torch.set_flush_denormal(True)
//
// This changes no result that matters (the numbers involved are below 1.2e-38) and is NOT
// -ffast-math: every other operation keeps IEEE semantics. Tutorials turn it on; the
// PyTorch peers in bench/pytorch/ do the same so timings compare like with like.
#pragma once

namespace hg {

// Flush denormal inputs and results to zero on this thread and on the kernel threads.
// Returns false (and changes nothing) on a CPU where this is not supported.
bool set_flush_denormal(bool on);

}  // namespace hg
