// Smoke test of tutorial 17 (the sequence autoencoder): its --quick setting, and its lesson.
#include <doctest/doctest.h>

#include <filesystem>
#include <string>

#include "requires.hpp"
#include "tutorial_runner.hpp"

namespace {
// What both data sets must show, from the run's result line.
void check_lessons(const hg::test::TutorialRun& run) {
    CHECK(run.result.at("tutorial") == "17_sequence_autoencoder");
    // The baseline predicts each step's mean training value. The waves' steps all have mean
    // about 0 and variance 0.7²/2 + 1/12 ≈ 0.33; an autoencoder that learnt nothing scores it.
    const double waves = run.number("mean_baseline_mse_synthetic");
    CHECK(waves > 0.28);
    CHECK(waves < 0.38);
    // After a few seconds both autoencoders must beat their baselines clearly (the full run: half).
    CHECK(run.number("recon_mse_synthetic") < 0.8 * waves);
    CHECK(run.number("recon_mse_movielens") < 0.8 * run.number("mean_baseline_mse_movielens"));
    // Sequences whose codes are neighbours look alike (1: no more alike than random pairs).
    CHECK(run.number("neighbour_ratio_synthetic") < 0.5);
    CHECK(run.number("neighbour_ratio_movielens") < 0.9);
    CHECK(run.number("truncated_early_ratio_movielens") > 0);
    CHECK(std::filesystem::exists(run.out / "waves.svg"));
    CHECK(std::filesystem::exists(run.out / "codes_waves.svg"));
    CHECK(std::filesystem::exists(run.out / "codes_movielens.svg"));
    CHECK(std::filesystem::exists(run.out / "truncation_ratings.svg"));
}
}  // namespace

TEST_CASE("tutorial 17: hand BPTT equals autograd; the sequence autoencoder beats the step means (built-in data)") {
    const auto run = hg::test::run_tutorial("17_sequence_autoencoder", "--quick --quiet --data builtin");
    INFO(run.output);
    REQUIRE(run.exit_code == 0);
    CHECK(run.result.at("dataset") == "synthetic");
    check_lessons(run);
}

TEST_CASE("tutorial 17 on ml-100k: users' ratings in time order, windows of held-out users" *
          hg::test::requires_movielens()) {
    const std::string dir = hg::test::movielens_100k_dir();
    const auto run = hg::test::run_tutorial("17_sequence_autoencoder", "--quick --quiet --data '" + dir + "'");
    INFO(run.output);
    REQUIRE(run.exit_code == 0);
    CHECK(run.result.at("dataset") == "ml-100k");
    CHECK(run.number("windows") == 1000);  // --quick's cap; ml-100k's 943 users have 9,596 windows of 10
    check_lessons(run);
}

TEST_CASE("tutorial 17: a bad flag gets a clear error") {
    const auto run = hg::test::run_tutorial("17_sequence_autoencoder", "--quick --quiet --truncate 0");
    CHECK(run.exit_code != 0);
    CHECK(run.output.find("--truncate") != std::string::npos);
}
