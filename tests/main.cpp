// The test runner: doctest's main, with anomaly mode on (autograd/anomaly.hpp), so that
// any NaN or Inf an op or a gradient produces in a test stops it with the op's name. The
// tutorials the smoke tests run inherit it through HG_ANOMALY (HG_ANOMALY=0 turns it off).
// Every suite's program (tests/meson.build) links this main.
#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>

#include <cstdlib>

#include "autograd/anomaly.hpp"
#include "requires.hpp"

int main(int argc, char** argv) {
    ::setenv("HG_ANOMALY", "1", 0);
    const char* env = std::getenv("HG_ANOMALY");
    hg::set_anomaly_mode(!(env && env[0] == '0'));
    doctest::Context context(argc, argv);
    const int status = context.run();
    if (!context.shouldExit()) hg::test::report_missing();
    return status;
}
