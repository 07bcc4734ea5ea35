// Every number the README and the tutorials' pages quote is the one its run measured:
// results/results.py --check compares each quoted number with the stored result: line of
// its run (results/<id>.txt). A doc edited by hand, or a run stored without rewriting the
// docs (./lab results), fails here.
#include <doctest/doctest.h>

#include <string>

#include "requires.hpp"
#include "tutorial_runner.hpp"

#ifndef HG_SOURCE_DIR
#error "HG_SOURCE_DIR must name the repository's folder"
#endif

TEST_CASE("results: the docs quote exactly what their runs measured" * hg::test::requires_programs({"python3"})) {
    const auto run = hg::test::run_program("python3 '" + std::string(HG_SOURCE_DIR) + "/results/results.py' --check");
    INFO(run.output);
    CHECK(run.exit_code == 0);
    CHECK(run.output.find("every quoted number matches results/") != std::string::npos);
}
