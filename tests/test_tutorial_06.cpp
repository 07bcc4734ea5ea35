// Tutorial 06's smoke test: its --quick run, and the lesson on its result line.
#include <doctest/doctest.h>

#include "requires.hpp"
#include "tutorial_runner.hpp"

using hg::test::run_tutorial;

TEST_CASE("tutorial 06: L1 and KL penalties make the code sparse at a bounded cost in reconstruction" *
          hg::test::requires_fashion_mnist()) {
    const auto run = run_tutorial("06_sparse", "--quick --quiet");
    INFO(run.output);
    REQUIRE(run.exit_code == 0);
    CHECK(run.result.at("tutorial") == "06_sparse");
    const double rho = run.number("rho");
    // KL sparsity holds the mean activation near rho, far below the plain autoencoder's.
    CHECK(run.number("kl_mean_act") > rho / 2);
    CHECK(run.number("kl_mean_act") < 2 * rho);
    CHECK(run.number("kl_mean_act") < run.number("plain_mean_act") / 3);
    // The L1 penalty switches most activations off; the plain autoencoder does not.
    CHECK(run.number("l1_off") > 2 * run.number("plain_off"));
    // Sparse codes still reconstruct: within 3x the plain autoencoder's error.
    CHECK(run.number("l1_mse") < 3 * run.number("plain_mse"));
    CHECK(run.number("kl_mse") < 3 * run.number("plain_mse"));
    // KL units each prefer one kind of garment more than plain units do.
    CHECK(run.number("kl_selectivity") > 1.25 * run.number("plain_selectivity"));
    // The same on an over-complete layer.
    CHECK(run.number("wide_kl_mean_act") < 2 * rho);
    CHECK(run.number("wide_kl_mean_act") < run.number("wide_plain_mean_act") / 3);
    CHECK(run.number("wide_kl_selectivity") > 1.25 * run.number("wide_plain_selectivity"));
}
