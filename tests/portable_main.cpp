// The runner of the 'portable' suite (tests/meson.build): the tensor suite's tests against
// the tensor library built without AVX, AVX-512 or OpenMP, the paths WebAssembly takes. It
// checks that this build really is portable before running them.
#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>

#include <iostream>

#include "tensor/parallel.hpp"

int main(int argc, char** argv) {
#if defined(__AVX__) || defined(__AVX512F__) || defined(_OPENMP)
    std::cerr << "hg_tests_portable was compiled with AVX or OpenMP: it would not test the portable paths\n";
    return 1;
#endif
    if (hg::openmp_enabled()) {
        std::cerr << "hg_tests_portable: the tensor library it links uses OpenMP: not the portable build\n";
        return 1;
    }
    doctest::Context context(argc, argv);
    return context.run();
}
