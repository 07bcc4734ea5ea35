// The differential test against PyTorch: tests/oracle/oracle.py builds random small graphs
// over every op and loss (and runs of the five optimisers), evaluates them with hourglass
// (tests/oracle/oracle_hg) and with PyTorch in float64 and float32, and fails on any
// discrepancy beyond PyTorch float32's own error that is not in its list of known bugs.
// Without /usr/bin/python3 and PyTorch the case is skipped, and doctest counts it as skipped.
#include <doctest/doctest.h>

#include <array>
#include <cstdio>
#include <string>
#include <sys/wait.h>

#include "oracle/oracle_paths.hpp"  // HG_ORACLE_PY, HG_ORACLE_EXE (written by tests/oracle/meson.build)
#include "requires.hpp"

namespace {
const char* const python = "/usr/bin/python3";
}  // namespace

TEST_CASE("oracle: hourglass against PyTorch on random graphs and optimiser runs" *
          hg::test::requires_torch()) {
    const std::string command =
        std::string(python) + " " + HG_ORACLE_PY + " --hg " + HG_ORACLE_EXE + " 2>&1";
    FILE* pipe = ::popen(command.c_str(), "r");
    REQUIRE(pipe != nullptr);
    std::string output;
    std::array<char, 4096> buf{};
    while (std::fgets(buf.data(), buf.size(), pipe)) output += buf.data();
    const int status = ::pclose(pipe);
    const int code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    MESSAGE(command << "\n" << output);
    CHECK(code == 0);
}
