#include "tensor/parallel.hpp"

#include <cerrno>
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
        errno = 0;
        const long n = std::strtol(env, &end, 10);
        if (end == env || *end != '\0' || n < 1 || errno == ERANGE)
            throw ValueError(std::string("HG_THREADS='") + env + "' is not a positive whole number");
        if (n > max_threads)
            throw ValueError(std::string("HG_THREADS=") + env + " is more threads than hourglass uses (at most " +
                             std::to_string(max_threads) + "; this machine has " +
                             std::to_string(std::thread::hardware_concurrency()) + " cores)");
        return static_cast<int>(n);
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
    if (n > max_threads)
        throw ValueError("set_num_threads: " + std::to_string(n) + " threads is more than hourglass uses (at most " +
                         std::to_string(max_threads) + "; this machine has " +
                         std::to_string(std::thread::hardware_concurrency()) + " cores)");
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
