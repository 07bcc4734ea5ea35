// Smoke test of tutorial 16 (RBM pretraining of the deep autoencoder): its --quick setting, and its lesson.
#include <doctest/doctest.h>

#include <cmath>
#include <filesystem>

#include "requires.hpp"
#include "tutorial_runner.hpp"

TEST_CASE("tutorial 16: an unrolled RBM stack is a good start, and beats a random start after the same fine-tuning" *
          hg::test::requires_fashion_mnist()) {
    const auto run = hg::test::run_tutorial("16_rbm_pretraining", "--quick --quiet");
    INFO(run.output);
    REQUIRE(run.exit_code == 0);
    CHECK(run.result.at("tutorial") == "16_rbm_pretraining");
    CHECK(run.result.at("dataset") == "fashion-mnist");
    for (const char* key : {"unrolled_error", "pretrained_error", "random_error"}) {
        INFO(key);
        CHECK(std::isfinite(run.number(key)));
        CHECK(run.number(key) > 0.0);
        // Predicting the mean image leaves about 68 per image; a working model does better
        // (the random start after a few seconds of fine-tuning is allowed to stay near it).
        CHECK(run.number(key) < 80.0);
    }
    // The unrolled RBM stack is a good start, and fine-tuning improves it.
    CHECK(run.number("unrolled_error") < 60.0);
    CHECK(run.number("pretrained_error") < run.number("unrolled_error"));
    // Pretraining's advantage holds by a wide margin at the quick setting (about 20 against 68
    // for seeds 1, 2, 3, 42): with the same few epochs, the random sigmoid network is still
    // near the mean image.
    CHECK(run.number("pretrained_error") < 0.6 * run.number("random_error"));
    for (const char* file : {"deep_reconstructions.png", "fine_tuning.svg"}) CHECK(std::filesystem::exists(run.out / file));
}
