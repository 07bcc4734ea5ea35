// The rules of the repository's layout that DESIGN.md and the README promise a reader, checked
// so that they stay true:
//   - the files of the README's reading path show concepts only: none of them names the pool,
//     the allocator, OpenMP, SIMD intrinsics or the live-tensor count (those live behind them,
//     in tensor/kernels/ and autograd/detail/);
//   - every differentiable op is in autograd/: no file of nn/ calls make_op;
//   - every tutorial is a short lab notebook: at most 350 lines, with its page beside it.
#include <doctest/doctest.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

namespace {

namespace fs = std::filesystem;

const fs::path root = HG_SOURCE_DIR;

std::string read(const fs::path& p) {
    std::ifstream in(p);
    REQUIRE_MESSAGE(in.good(), "cannot read " << p.string());
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

// The files of the README's "Reading hourglass" list, in order. A bare file name
// (`ops_activation.cpp`) is in the folder of the path named before it.
std::vector<std::string> reading_path() {
    const std::string readme = read(root / "README.md");
    const auto begin = readme.find("## Reading hourglass");
    REQUIRE_MESSAGE(begin != std::string::npos, "README.md has no section \"## Reading hourglass\"");
    const auto end = readme.find("\nBehind them", begin);
    const std::string list = readme.substr(begin, end - begin);
    const std::regex file(R"(`([A-Za-z0-9_/]+\.(?:hpp|cpp))`)");
    std::vector<std::string> files;
    std::string folder;
    for (std::sregex_iterator m(list.begin(), list.end(), file), last; m != last; ++m) {
        std::string name = (*m)[1];
        if (name.find('/') == std::string::npos) name = folder + name;
        folder = name.substr(0, name.rfind('/') + 1);
        files.push_back(name);
    }
    return files;
}

// Identifiers of the speed machinery (as code, not as English words in a comment).
const std::regex machinery(
    R"(\b(PoolAllocator|pool_stats|PoolStats|keep_freed_memory|mallopt|live_tensors|LiveTensor)"
    R"(|StepVector|immintrin|__m(128|256|512)\w*|_mm(256|512)?_\w+|omp_\w+)\b|#\s*pragma\s+omp)");

std::vector<std::string> offending_lines(const std::string& text, const std::regex& pattern) {
    std::vector<std::string> found;
    std::istringstream in(text);
    int n = 0;
    for (std::string line; std::getline(in, line);) {
        ++n;
        if (std::regex_search(line, pattern)) found.push_back(std::to_string(n) + ": " + line);
    }
    return found;
}

}  // namespace

TEST_CASE("layout: the README's reading path names existing files that show no speed machinery") {
    const std::vector<std::string> files = reading_path();
    CHECK(files.size() >= 10);
    for (const std::string& f : files) {
        INFO("reading-path file " << f);
        REQUIRE(fs::is_regular_file(root / f));
        for (const std::string& line : offending_lines(read(root / f), machinery))
            FAIL_CHECK(f << ":" << line << "  (move it behind the reading path: tensor/kernels/ or autograd/detail/)");
    }
}

TEST_CASE("layout: the machinery pattern finds what it is meant to find") {
    // The check above could pass by matching nothing: these must match, the English must not.
    for (const char* code : {"#pragma omp parallel for", "__m512 v = _mm512_loadu_ps(p);", "kernels::PoolAllocator<float>",
                             "hg::kernels::keep_freed_memory();", "omp_get_max_threads()"})
        CHECK_MESSAGE(!offending_lines(code, machinery).empty(), code);
    for (const char* prose : {"// computes the gradient", "// the memory pool keeps blocks", "// allocated once"})
        CHECK_MESSAGE(offending_lines(prose, machinery).empty(), prose);
}

TEST_CASE("layout: every differentiable op is in autograd/ (no make_op in nn/)") {
    const std::regex make_op(R"(\bmake_op\s*\()");
    int files = 0;
    for (const auto& entry : fs::directory_iterator(root / "nn")) {
        const std::string ext = entry.path().extension().string();
        if (ext != ".cpp" && ext != ".hpp") continue;
        ++files;
        for (const std::string& line : offending_lines(read(entry.path()), make_op))
            FAIL_CHECK("nn/" << entry.path().filename().string() << ":" << line << "  (an op belongs in autograd/)");
    }
    CHECK(files > 10);
}

TEST_CASE("layout: every tutorial is at most 350 lines and has its page") {
    int tutorials = 0;
    for (const auto& entry : fs::directory_iterator(root / "tutorials")) {
        const fs::path p = entry.path();
        if (p.extension() != ".cpp" || !std::isdigit(static_cast<unsigned char>(p.filename().string()[0]))) continue;
        ++tutorials;
        INFO("tutorial " << p.filename().string());
        const std::string text = read(p);
        const auto lines = std::count(text.begin(), text.end(), '\n');
        CHECK_MESSAGE(lines <= 350, p.filename().string() << " has " << lines
                                                          << " lines: a tutorial is a short notebook (move explanation to its page, "
                                                             "shared scaffolding to tutorials/common)");
        fs::path page = p;
        page.replace_extension(".md");
        CHECK_MESSAGE(fs::is_regular_file(page), p.filename().string() << " has no page " << page.filename().string());
    }
    CHECK(tutorials >= 16);
}
