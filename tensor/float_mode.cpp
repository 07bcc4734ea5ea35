#include "tensor/float_mode.hpp"

#if defined(__SSE__)
#include <xmmintrin.h>
#endif

namespace hg {

namespace {
bool set_on_this_thread(bool on) {
#if defined(__SSE__)
    // MXCSR bit 15 (FTZ) flushes denormal results, bit 6 (DAZ) reads denormal inputs as 0.
    constexpr unsigned bits = 0x8040;
    _mm_setcsr(on ? (_mm_getcsr() | bits) : (_mm_getcsr() & ~bits));
    return true;
#else
    (void)on;
    return false;
#endif
}
}  // namespace

bool set_flush_denormal(bool on) {
    const bool ok = set_on_this_thread(on);
    // The floating-point mode is per thread: set it in every OpenMP worker too.
#pragma omp parallel
    set_on_this_thread(on);
    return ok;
}

}  // namespace hg
