// Tutorial 04's smoke test: its --quick run, and the lesson on its result line. It needs no
// data set: the inputs are one-hot vectors.
#include <doctest/doctest.h>

#include "tutorial_runner.hpp"

using hg::test::run_tutorial;

TEST_CASE("tutorial 04: a bigger bottleneck holds more inputs within the same training budget") {
    const auto run = run_tutorial("04_bottlenecks", "--quick --quiet");
    INFO(run.output);
    REQUIRE(run.exit_code == 0);
    CHECK(run.result.at("tutorial") == "04_bottlenecks");
    // The largest n that k tanh units encode without error grows with k.
    CHECK(run.number("n_max_2") >= 4);
    CHECK(run.number("n_max_2") < run.number("n_max_3"));
    CHECK(run.number("n_max_3") < run.number("n_max_4"));
}
