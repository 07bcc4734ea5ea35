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

bool identifier_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

// The files of the README's "Reading hourglass" list, in order. A bare file name
// (`ops_activation.cpp`) is in the folder of the path named before it.
std::vector<std::string> reading_path() {
    const std::string readme = read(root / "README.md");
    const auto begin = readme.find("## Reading hourglass");
    REQUIRE_MESSAGE(begin != std::string::npos, "README.md has no section \"## Reading hourglass\"");
    const std::string list = readme.substr(begin, readme.find("\nBehind them", begin) - begin);
    std::vector<std::string> files;
    std::string folder;
    for (std::size_t open = list.find('`'); open != std::string::npos; open = list.find('`', open + 1)) {
        const std::size_t close = list.find('`', open + 1);
        if (close == std::string::npos) break;
        std::string name = list.substr(open + 1, close - open - 1);
        open = close;
        const bool source = name.ends_with(".hpp") || name.ends_with(".cpp");
        if (!source || name.find(' ') != std::string::npos) continue;
        if (name.find('/') == std::string::npos) name = folder + name;
        folder = name.substr(0, name.rfind('/') + 1);
        files.push_back(name);
    }
    return files;
}

// Does `line` use `word` as (the start of) an identifier: not preceded by an identifier
// character, and, unless `prefix`, not followed by one?
bool uses(const std::string& line, const std::string& word, bool prefix = false) {
    for (std::size_t at = line.find(word); at != std::string::npos; at = line.find(word, at + 1)) {
        const bool starts = at == 0 || !identifier_char(line[at - 1]);
        const std::size_t end = at + word.size();
        const bool ends = prefix || end == line.size() || !identifier_char(line[end]);
        if (starts && ends) return true;
    }
    return false;
}

// The speed machinery's identifiers (as code, not as English words in a comment).
bool names_machinery(const std::string& line) {
    for (const char* word : {"PoolAllocator", "pool_stats", "PoolStats", "keep_freed_memory", "mallopt", "live_tensors",
                             "LiveTensor", "StepVector", "immintrin"})
        if (uses(line, word)) return true;
    for (const char* prefix : {"__m128", "__m256", "__m512", "_mm_", "_mm256_", "_mm512_", "omp_"})
        if (uses(line, prefix, true)) return true;
    std::string squeezed;  // "#  pragma   omp" -> "#pragma omp"
    for (char c : line)
        if (!(c == ' ' && (squeezed.empty() || squeezed.back() == ' ' || squeezed.back() == '#'))) squeezed += c;
    return squeezed.find("#pragma omp") != std::string::npos;
}

bool calls_make_op(const std::string& line) {
    for (std::size_t at = line.find("make_op"); at != std::string::npos; at = line.find("make_op", at + 1)) {
        std::size_t next = at + 7;
        while (next < line.size() && line[next] == ' ') ++next;
        if ((at == 0 || !identifier_char(line[at - 1])) && next < line.size() && line[next] == '(') return true;
    }
    return false;
}

template <class Rule>
std::vector<std::string> offending_lines(const std::string& text, Rule rule) {
    std::vector<std::string> found;
    std::istringstream in(text);
    int n = 0;
    for (std::string line; std::getline(in, line);) {
        ++n;
        if (rule(line)) found.push_back(std::to_string(n) + ": " + line);
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
        for (const std::string& line : offending_lines(read(root / f), names_machinery))
            FAIL_CHECK(f << ":" << line << "  (move it behind the reading path: tensor/kernels/ or autograd/detail/)");
    }
}

TEST_CASE("layout: the rules find what they are meant to find") {
    // The checks could pass by matching nothing: these must match, the English must not.
    for (const char* code : {"#pragma omp parallel for", "#  pragma  omp simd", "__m512 v = _mm512_loadu_ps(p);", "kernels::PoolAllocator<float>",
                             "hg::kernels::keep_freed_memory();", "omp_get_max_threads()"})
        CHECK_MESSAGE(!offending_lines(code, names_machinery).empty(), code);
    for (const char* prose : {"// computes the gradient", "// the memory pool keeps blocks", "// allocated once"})
        CHECK_MESSAGE(offending_lines(prose, names_machinery).empty(), prose);
    CHECK(calls_make_op("    return hg::make_op (\"relu\", y, {a}, rule);"));
    CHECK_FALSE(calls_make_op("// make_op records the node; remake_op(x) is another function"));
}

TEST_CASE("layout: every differentiable op is in autograd/ (no make_op in nn/)") {
    int files = 0;
    for (const auto& entry : fs::directory_iterator(root / "nn")) {
        const std::string ext = entry.path().extension().string();
        if (ext != ".cpp" && ext != ".hpp") continue;
        ++files;
        for (const std::string& line : offending_lines(read(entry.path()), calls_make_op))
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
