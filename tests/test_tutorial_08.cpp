// Smoke test of tutorial 08 (denoising autoencoders): its --quick setting, and its lessons.
#include <doctest/doctest.h>

#include <filesystem>
#include <string>

#include "requires.hpp"
#include "tutorial_runner.hpp"

TEST_CASE("tutorial 08: on each kind of noise the denoising AE rebuilds the clean images better than a plain AE" *
          hg::test::requires_fashion_mnist()) {
    const auto run = hg::test::run_tutorial("08_denoising", "--quick --quiet");
    INFO(run.output);
    REQUIRE(run.exit_code == 0);
    CHECK(run.result.at("tutorial") == "08_denoising");
    const auto& out = run.out;
    for (const std::string noise : {"masking", "gaussian", "salt_pepper"}) {
        INFO("noise: " << noise);
        // Same corrupted test input: the DAE's reconstruction is closer to the clean image
        // than the plain AE's, and closer than the noisy input itself.
        CHECK(run.number("dae_" + noise) < run.number("plain_" + noise));
        CHECK(run.number("dae_" + noise) < run.number("noisy_" + noise));
        CHECK(std::filesystem::exists(out / ("denoise_" + noise + ".png")));
    }
    // A plain AE given clean input does better than on noisy input (the noise is what hurts).
    CHECK(run.number("plain_clean") < run.number("plain_masking"));
}

TEST_CASE("tutorial 08: a noise level outside [0, 0.95] is refused") {
    const auto run = hg::test::run_tutorial("08_denoising", "--quick --quiet --masking 1.5");
    CHECK(run.exit_code != 0);
    CHECK(run.output.find("--masking") != std::string::npos);
}
