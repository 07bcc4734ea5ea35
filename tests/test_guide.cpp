// The code on the documentation pages is code the tests build. A page quotes a marked region
// of a source file:
//
//   in the page:        <!-- code: nn/batchnorm.cpp batchnorm forward -->
//                       ```cpp
//                       ...the region's lines, without their common indentation...
//                       ```
//   in the source:      // >>> EXTENDING.md: batchnorm forward
//                       ...
//                       // <<< EXTENDING.md: batchnorm forward
//
// and this test fails when the two differ, printing the region as the page must show it.
// Every C++ block of EXTENDING.md is such a quote, so none of its examples can drift from
// what compiles and runs.
#include <doctest/doctest.h>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "temp_dir.hpp"

namespace {

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> out;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) out.push_back(line);
    return out;
}

std::string source(const std::string& relative) { return std::string(HG_SOURCE_DIR) + "/" + relative; }

std::string trim(const std::string& s) {
    const auto b = s.find_first_not_of(" \t"), e = s.find_last_not_of(" \t");
    return b == std::string::npos ? "" : s.substr(b, e - b + 1);
}

// The lines between "// >>> PAGE: NAME" and "// <<< PAGE: NAME" (or "# >>> ..." in Python
// and Meson), without the indentation they all share; "" with a note in `problem` if absent.
std::string region(const std::string& file, const std::string& page, const std::string& name, std::string& problem) {
    std::ifstream f(source(file));
    if (!f) {
        problem = file + " does not exist";
        return "";
    }
    std::stringstream buf;
    buf << f.rdbuf();
    const std::vector<std::string> lines = lines_of(buf.str());
    const std::string begin = ">>> " + page + ": " + name, end = "<<< " + page + ": " + name;
    auto is_marker = [](const std::string& line, const std::string& marker) {
        const std::string t = trim(line);
        return t == "// " + marker || t == "# " + marker;
    };
    std::size_t b = 0;
    while (b < lines.size() && !is_marker(lines[b], begin)) ++b;
    std::size_t e = b;
    while (e < lines.size() && !is_marker(lines[e], end)) ++e;
    if (e >= lines.size()) {
        problem = file + " has no region between '" + begin + "' and '" + end + "'";
        return "";
    }
    std::size_t indent = std::string::npos;
    for (std::size_t i = b + 1; i < e; ++i)
        if (!trim(lines[i]).empty()) indent = std::min(indent, lines[i].find_first_not_of(' '));
    std::string out;
    for (std::size_t i = b + 1; i < e; ++i) out += (trim(lines[i]).empty() ? "" : lines[i].substr(indent)) + "\n";
    return out;
}

struct Quote {
    std::size_t line;  // of the <!-- code: ... --> comment, 1-based
    std::string file, name, block;
    bool cpp_block_unmarked = false;  // a ```cpp block with no code: comment before it
};

// The quotes of a page, and its unmarked C++ blocks.
std::vector<Quote> quotes(const std::string& page_text) {
    const std::vector<std::string> lines = lines_of(page_text);
    std::vector<Quote> out;
    for (std::size_t i = 0; i < lines.size(); ++i) {
        const std::string t = trim(lines[i]);
        const bool marked = t.rfind("<!-- code: ", 0) == 0;
        if (!marked && t != "```cpp") continue;
        Quote q;
        q.line = i + 1;
        if (marked) {
            const std::string spec = trim(t.substr(11, t.size() - 11 - 3));  // "FILE NAME WITH SPACES"
            q.file = spec.substr(0, spec.find(' '));
            q.name = trim(spec.substr(q.file.size()));
            ++i;  // the fence
        } else {
            q.cpp_block_unmarked = true;
        }
        // A block inside a list item is indented: its lines lose the fence's indentation.
        const std::size_t indent = i < lines.size() ? lines[i].find_first_not_of(' ') : 0;
        for (++i; i < lines.size() && trim(lines[i]) != "```"; ++i)
            q.block += (lines[i].size() > indent ? lines[i].substr(indent) : trim(lines[i])) + "\n";
        out.push_back(q);
    }
    return out;
}

void check_page(const std::string& page, bool every_cpp_block_quoted) {
    const std::string text = hg::test::TempDir::read(source(page));
    REQUIRE(!text.empty());
    std::size_t checked = 0;
    for (const Quote& q : quotes(text)) {
        if (q.cpp_block_unmarked) {
            INFO(page << ":" << q.line << ": a C++ block with no <!-- code: FILE NAME --> line before it");
            CHECK(!every_cpp_block_quoted);
            continue;
        }
        std::string problem;
        const std::string expected = region(q.file, page, q.name, problem);
        INFO(page << ":" << q.line << " quotes " << q.file << " '" << q.name << "'");
        INFO(problem);
        INFO("the region, as the page must show it:\n" << expected);
        CHECK(problem.empty());
        CHECK(q.block == expected);
        ++checked;
    }
    CHECK(checked > 0);
}

}  // namespace

TEST_CASE("guide: every C++ block of EXTENDING.md is a region of a file the tests build") {
    check_page("EXTENDING.md", true);
}

TEST_CASE("guide: the custom layer of nn/README.md is the one tests/test_nn_module.cpp runs") {
    check_page("nn/README.md", false);
}

TEST_CASE("guide: a quote that differs from its region is caught") {
    std::string problem;
    const std::string gelu = region("autograd/ops_activation.cpp", "EXTENDING.md", "gelu", problem);
    REQUIRE(problem.empty());
    CHECK(gelu.rfind("Var gelu(const Var& a) {\n", 0) == 0);  // the region, dedented
    const std::vector<Quote> q = quotes("<!-- code: autograd/ops_activation.cpp gelu -->\n```cpp\n" + gelu + "```\n");
    REQUIRE(q.size() == 1);
    CHECK(q[0].block == gelu);
    CHECK(quotes("```cpp\nint x;\n```\n")[0].cpp_block_unmarked);
    region("autograd/ops_activation.cpp", "EXTENDING.md", "no such region", problem);
    CHECK(problem.find("has no region between") != std::string::npos);
}
