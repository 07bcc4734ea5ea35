// The differential test against PyTorch: tests/oracle/oracle.py builds random small graphs
// over every op and loss (and runs of the five optimisers), evaluates them with hourglass
// (tests/oracle/oracle_hg) and with PyTorch in float64 and float32, and fails on any
// discrepancy beyond PyTorch float32's own error that is not in its list of known bugs.
// Without /usr/bin/python3 and PyTorch the case is skipped, and doctest counts it as skipped.
#include <doctest/doctest.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <string>
#include <sys/wait.h>

#include "oracle/oracle_paths.hpp"  // HG_ORACLE_PY, HG_ORACLE_EXE (written by tests/oracle/meson.build)

namespace {

const char* const python = "/usr/bin/python3";

// Looked up once, when the test is registered: a folder named torch beside Python's packages
// (Debian's python3-torch, or a pip install). Whether it imports is the driver's first check.
bool torch_installed() {
    namespace fs = std::filesystem;
    std::error_code ec;
    if (!fs::exists(python, ec)) return false;
    for (const char* root : {"/usr/lib/python3/dist-packages", "/usr/local/lib"}) {
        if (fs::exists(fs::path(root) / "torch", ec)) return true;
        for (const auto& dir : fs::directory_iterator(root, ec))  // /usr/local/lib/python3.11/dist-packages
            if (fs::exists(dir.path() / "dist-packages" / "torch", ec)) return true;
    }
    return false;
}

}  // namespace

TEST_CASE("oracle: hourglass against PyTorch on random graphs and optimiser runs" *
          doctest::skip(!torch_installed())) {
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
