// One smoke test per tutorial: run its --quick setting and assert its lesson.
#include <doctest/doctest.h>

#include "tutorial_runner.hpp"

using hg::test::run_tutorial;

TEST_CASE("tutorial 01: hand-written and autograd gradients agree, the graph is drawn") {
    const auto run = run_tutorial("01_tensors_and_autograd", "--quick --quiet");
    INFO(run.output);
    REQUIRE(run.exit_code == 0);
    CHECK(run.result.at("tutorial") == "01_tensors_and_autograd");
    CHECK(run.number("max_grad_diff") < 1e-5);
    CHECK(run.result.at("gradcheck") == "ok");
    CHECK(run.number("graph_nodes") == 15);
}

TEST_CASE("tutorial 02: backpropagation by hand equals autograd; online beats batch; biases help") {
    const auto run = run_tutorial("02_autoencoder_by_hand", "--quick --quiet");
    INFO(run.output);
    REQUIRE(run.exit_code == 0);
    CHECK(run.number("grad_diff") < 1e-6);
    CHECK(run.number("online_loss") < run.number("batch_loss"));
    CHECK(run.number("final_loss") < run.number("no_bias_loss"));
    CHECK(run.number("epochs") == 150);
}
