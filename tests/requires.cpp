#include "requires.hpp"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <sstream>

#include "data/idx.hpp"

namespace hg::test {

namespace {

// What is missing -> the number of test cases that need it. Filled while the test cases
// register (before main), so it is a function-local static.
std::map<std::string, int>& missing() {
    static std::map<std::string, int> m;
    return m;
}

doctest::skip skip_unless(bool available, const std::string& reason) {
    if (!available) ++missing()[reason];
    return doctest::skip(!available);
}

bool on_path(const std::string& program) {
    const char* path = std::getenv("PATH");
    std::istringstream dirs(path ? path : "");
    for (std::string dir; std::getline(dirs, dir, ':');)
        if (!dir.empty() && ::access((std::filesystem::path(dir) / program).c_str(), X_OK) == 0) return true;
    return false;
}

// A folder named torch beside /usr/bin/python3's packages (Debian's python3-torch, or a pip
// install). Whether it imports is the Python script's own first check.
bool torch_installed() {
    namespace fs = std::filesystem;
    std::error_code ec;
    if (!fs::exists("/usr/bin/python3", ec)) return false;
    for (const char* root : {"/usr/lib/python3/dist-packages", "/usr/local/lib"}) {
        if (fs::exists(fs::path(root) / "torch", ec)) return true;
        for (const auto& dir : fs::directory_iterator(root, ec))  // /usr/local/lib/python3.11/dist-packages
            if (fs::exists(dir.path() / "dist-packages" / "torch", ec)) return true;
    }
    return false;
}

}  // namespace

std::string movielens_100k_dir() {
    const char* env = std::getenv("HG_DATA");
    if (!env) return "";
    const std::filesystem::path dir = std::filesystem::path(env) / "ml-100k";
    return std::filesystem::exists(dir / "u1.base") ? dir.string() : "";
}

doctest::skip requires_movielens() {
    return skip_unless(!movielens_100k_dir().empty(),
                       "MovieLens ml-100k not found (set HG_DATA to a folder holding ml-100k/, "
                       "e.g. HG_DATA=data after ./lab fetch movielens 100k)");
}

doctest::skip requires_fashion_mnist() {
    return skip_unless(hg::data::fashion_mnist_available(),
                       std::string("Fashion-MNIST not found in ") + hg::data::fashion_mnist_dir +
                           " (Debian's package dataset-fashion-mnist; ./lab installs it)");
}

doctest::skip requires_torch() {
    return skip_unless(torch_installed(), "PyTorch not found for /usr/bin/python3 (Debian's python3-torch)");
}

doctest::skip requires_programs(std::initializer_list<const char*> programs) {
    std::string absent;
    for (const char* p : programs)
        if (!on_path(p)) absent += std::string(absent.empty() ? "" : ", ") + p;
    return skip_unless(absent.empty(), "not on the PATH: " + absent);
}

void report_missing() {
    for (const auto& [reason, count] : missing())
        std::printf("[hg] %d test case%s skipped: %s\n", count, count == 1 ? "" : "s", reason.c_str());
}

}  // namespace hg::test
