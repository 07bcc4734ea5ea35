// Smoke test of tutorial 11 (deep autoencoders against PCA): its --quick setting, and its lesson.
#include <doctest/doctest.h>

#include <filesystem>

#include "requires.hpp"
#include "tutorial_runner.hpp"

TEST_CASE("tutorial 11: PCA from the framework's eigen-solver; the deep autoencoder beats PCA-10 in seconds" *
          hg::test::requires_fashion_mnist()) {
    const auto run = hg::test::run_tutorial("11_deep", "--quick --quiet");
    INFO(run.output);
    REQUIRE(run.exit_code == 0);
    CHECK(run.result.at("tutorial") == "11_deep");
    // PCA-30 on Fashion-MNIST's test images leaves 12.24 per image (measured with PyTorch on
    // the full training set; the quick setting fits it on 3,000 images). A broken
    // eigen-solver or projection lands far from it.
    CHECK(run.number("pca_error") > 11.0);
    CHECK(run.number("pca_error") < 14.0);
    CHECK(run.number("pca10_error") > run.number("pca_error"));
    // The lesson at the quick setting: the non-linear 30-number code already beats PCA
    // with 10 components.
    CHECK(run.number("ae_error") < run.number("pca10_error"));
    const auto& dir = run.out;
    CHECK(std::filesystem::exists(dir / "reconstructions.png"));
    CHECK(std::filesystem::exists(dir / "test_error.svg"));
}
