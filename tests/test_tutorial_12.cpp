// Smoke test of tutorial 12 (a convolutional autoencoder against a fully connected one, then
// the denoising convolutional autoencoder): its --quick setting, and its lessons.
#include <doctest/doctest.h>

#include <filesystem>

#include "requires.hpp"
#include "tutorial_runner.hpp"

TEST_CASE("tutorial 12: the convolutional autoencoder learns; both are compared on the same test images; the "
          "denoiser beats the noisy input and the plain autoencoder" *
          hg::test::requires_fashion_mnist()) {
    const auto run = hg::test::run_tutorial("12_conv_autoencoder", "--quick --quiet");
    INFO(run.output);
    REQUIRE(run.exit_code == 0);
    CHECK(run.result.at("tutorial") == "12_conv_autoencoder");
    CHECK(run.result.at("dataset") == "fashion-mnist");
    CHECK(run.number("epochs") >= 1);
    // The architecture: the Keras-blog shape has 4,385 weights, the 784-128-784 one 201,616.
    CHECK(run.number("conv_params") == 4385);
    CHECK(run.number("fc_params") == 201616);

    // The lesson: the convolutional autoencoder learns. Its test BCE falls from its value at
    // initialisation by more than half the distance to the floor (the BCE of a perfect
    // reconstruction), and below that of predicting every image by the mean image.
    const double floor = run.number("floor_bce"), start = run.number("conv_start_bce");
    const double conv = run.number("conv_bce"), fc = run.number("fc_bce");
    CHECK(conv < start - 0.5 * (start - floor));
    CHECK(conv < run.number("baseline_bce"));
    CHECK(run.number("conv_sq_error") < run.number("baseline_sq_error"));
    CHECK(fc < run.number("baseline_bce"));
    CHECK(run.number("fc_sq_error") < run.number("baseline_sq_error"));

    // Sane numbers: no BCE below the floor; squared errors per image between 0 and 784 (the
    // largest possible with pixels in [0, 1]); the winner named is the one with the smaller error.
    CHECK(floor > 0.1);
    CHECK(floor < conv);
    CHECK(floor < fc);
    CHECK(run.number("baseline_bce") < 1.0);
    for (const char* key : {"conv_sq_error", "fc_sq_error", "baseline_sq_error"}) {
        INFO(key);
        CHECK(run.number(key) > 1.0);
        CHECK(run.number(key) < 784.0);
    }
    const bool conv_wins = run.number("conv_sq_error") < run.number("fc_sq_error");
    CHECK(run.result.at("winner") == (conv_wins ? "conv" : "fc"));

    // Step 7, the denoiser: the Keras-blog shape (32-filter 3x3 convs to a 7x7x32 code) has
    // 28,353 weights. Scored against the clean test images, it beats both baselines on both
    // measures: the noisy input itself, and the plain convolutional autoencoder on that input.
    CHECK(run.number("denoise_params") == 28353);
    CHECK(run.number("noise_factor") == doctest::Approx(0.5));
    const double denoise = run.number("denoise_bce"), denoise_sq = run.number("denoise_sq_error");
    CHECK(denoise < run.number("noisy_input_bce"));
    CHECK(denoise_sq < run.number("noisy_input_sq_error"));
    CHECK(denoise < run.number("plain_on_noisy_bce"));
    CHECK(denoise_sq < run.number("plain_on_noisy_sq_error"));
    CHECK(floor < denoise);
    CHECK(denoise_sq > 1.0);
    // The noise has the strength it claims. Clipping to [0, 1] only moves a pixel toward its
    // clean value, so a pixel's expected squared error is at most 0.5² = 0.25. And one of the
    // two directions has room >= 0.5, so it is at least ½·0.25·E[min(z², 1)] = 0.0645 (z ~ N(0, 1)):
    // per image, between 784·0.0645 = 50.6 and 784·0.25 = 196.
    CHECK(run.number("noisy_input_sq_error") > 50.0);
    CHECK(run.number("noisy_input_sq_error") < 196.0);

    const auto& dir = run.out;
    CHECK(std::filesystem::exists(dir / "reconstructions.png"));
    CHECK(std::filesystem::exists(dir / "test_bce.svg"));
    CHECK(std::filesystem::exists(dir / "denoising.png"));
}
