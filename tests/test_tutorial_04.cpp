// Tutorial 04's smoke test: its --quick run, and the lesson on its result line.
#include <doctest/doctest.h>

#include "data/idx.hpp"
#include "tutorial_runner.hpp"

using hg::test::run_tutorial;

TEST_CASE("tutorial 04: a bigger bottleneck holds more; a wide hidden layer lets noise through, a narrow one cannot") {
    if (!hg::data::fashion_mnist_available()) {
        MESSAGE("SKIPPED: Fashion-MNIST not found (install Debian's package dataset-fashion-mnist)");
        return;
    }
    const auto run = run_tutorial("04_bottlenecks", "--quick --quiet");
    INFO(run.output);
    REQUIRE(run.exit_code == 0);
    CHECK(run.result.at("tutorial") == "04_bottlenecks");
    // Part 1: the largest n that k tanh units encode without error grows with k.
    CHECK(run.number("n_max_2") >= 4);
    CHECK(run.number("n_max_2") < run.number("n_max_3"));
    CHECK(run.number("n_max_3") < run.number("n_max_4"));
    // Part 2: the wide autoencoder fits real images better and passes noise far better; the
    // narrow one does worse on noise than drawing flat grey (it turns noise into clothes).
    CHECK(run.number("wide_real_mse") < run.number("narrow_real_mse"));
    CHECK(run.number("narrow_noise_mse") > run.number("noise_var"));
    CHECK(run.number("wide_noise_mse") < 0.75 * run.number("narrow_noise_mse"));
}

TEST_CASE("tutorial 04: a --data folder without Fashion-MNIST is a clear error, before any training") {
    const auto run = run_tutorial("04_bottlenecks", "--quick --quiet --data /nonexistent-hg-folder");
    CHECK(run.exit_code == 1);
    CHECK(run.output.find("/nonexistent-hg-folder: --data names a folder without fashion-mnist") != std::string::npos);
    CHECK(run.output.find("check:") == std::string::npos);  // failed before step 1
}
