#include "tensor/parallel.hpp"

#include <cstdlib>
#include <string>
#include <thread>

#include "tensor/error.hpp"

#ifdef _OPENMP
#include <omp.h>
#endif

namespace hg {

namespace {
int initial_threads() {
    if (const char* env = std::getenv("HG_THREADS")) {
        char* end = nullptr;
        long n = std::strtol(env, &end, 10);
        if (end != env && *end == '\0' && n >= 1) return static_cast<int>(n);
        throw ValueError(std::string("HG_THREADS='") + env + "' is not a positive whole number");
    }
    unsigned hw = std::thread::hardware_concurrency();
    return hw ? static_cast<int>(hw) : 1;
}

int& thread_setting() {
    static int n = [] {
        int t = initial_threads();
#ifdef _OPENMP
        omp_set_num_threads(t);
#endif
        return t;
    }();
    return n;
}
}  // namespace

void set_num_threads(int n) {
    if (n < 1) throw ValueError("set_num_threads: needs at least 1 thread, got " + std::to_string(n));
    thread_setting() = n;
#ifdef _OPENMP
    omp_set_num_threads(n);
#endif
}

int num_threads() { return thread_setting(); }

bool openmp_enabled() {
#ifdef _OPENMP
    return true;
#else
    return false;
#endif
}

}  // namespace hg
