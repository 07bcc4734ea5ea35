// Smoke test of tutorial 15 (the restricted Boltzmann machine): its --quick setting, and its lessons.
#include <doctest/doctest.h>

#include <cmath>
#include <filesystem>

#include "requires.hpp"
#include "tutorial_runner.hpp"

TEST_CASE("tutorial 15: CD-1 lowers the RBM's reconstruction error; the tied autoencoder reconstructs better" *
          hg::test::requires_fashion_mnist()) {
    const auto run = hg::test::run_tutorial("15_rbm", "--quick --quiet");
    INFO(run.output);
    REQUIRE(run.exit_code == 0);
    CHECK(run.result.at("tutorial") == "15_rbm");
    CHECK(run.result.at("dataset") == "fashion-mnist");
    for (const char* key : {"rbm_recon_first", "rbm_recon_last", "rbm_test_sampled", "rbm_test_mean", "ae1_test_error"}) {
        INFO(key);
        CHECK(std::isfinite(run.number(key)));
        CHECK(run.number(key) > 0.0);
        // Predicting the mean image leaves about 68 per image; a working model does better.
        CHECK(run.number(key) < 80.0);
    }
    // The lesson: CD-1 lowers the reconstruction error over the epochs — clearly (at the quick
    // setting it roughly halves).
    CHECK(run.number("rbm_recon_last") < 0.75 * run.number("rbm_recon_first"));
    // The deterministic reconstruction σ(c + Wᵀσ(b + Wv)) beats one through a binary draw of h.
    CHECK(run.number("rbm_test_mean") <= run.number("rbm_test_sampled"));
    // Trained on reconstruction itself, the same formula as an autoencoder reconstructs better.
    CHECK(run.number("ae1_test_error") < run.number("rbm_test_mean"));
    for (const char* file : {"filters.png", "reconstructions.png", "reconstruction_error.svg", "gibbs_chain.png"})
        CHECK(std::filesystem::exists(run.out / file));
}
