// Smoke test of tutorial 09 (contractive autoencoders): its --quick setting, and its lessons.
#include <doctest/doctest.h>

#include <filesystem>

#include "requires.hpp"
#include "tutorial_runner.hpp"

TEST_CASE("tutorial 09: the closed-form penalty is ||J||_F^2; the CAE's code is less sensitive than a plain AE's" *
          hg::test::requires_fashion_mnist()) {
    const auto run = hg::test::run_tutorial("09_contractive", "--quick --quiet");
    INFO(run.output);
    REQUIRE(run.exit_code == 0);
    CHECK(run.result.at("tutorial") == "09_contractive");
    // The closed form against the Jacobian built by autograd (rows) and finite differences (columns).
    CHECK(run.number("jacobian_rel_diff") < 1e-5);
    CHECK(run.number("penalty_rel_diff") < 1e-5);
    CHECK(run.number("fd_rel_diff") < 1e-2);
    // The penalty works: a smaller Jacobian on test data, and a code that moves less under
    // small random perturbations ...
    CHECK(run.number("jnorm_cae") < run.number("jnorm_plain"));
    CHECK(run.number("code_change_cae") < run.number("code_change_plain"));
    // ... while directions towards other images are contracted less than random ones.
    CHECK(run.number("data_ratio_cae") > run.number("data_ratio_plain"));
    CHECK(std::filesystem::exists(run.out / "filters_cae.png"));
}

TEST_CASE("tutorial 09: a --data folder without Fashion-MNIST is a clear error") {
    const auto run = hg::test::run_tutorial("09_contractive", "--quick --quiet --data /nonexistent-hg-folder");
    CHECK(run.exit_code == 1);
    CHECK(run.output.find("/nonexistent-hg-folder") != std::string::npos);
}
