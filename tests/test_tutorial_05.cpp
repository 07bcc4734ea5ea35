// Tutorial 05's smoke test: its --quick run, and the lesson on its result line.
#include <doctest/doctest.h>

#include "requires.hpp"
#include "tutorial_runner.hpp"

using hg::test::run_tutorial;

TEST_CASE("tutorial 05: a wide code heads for the copy, which passes noise; a narrow one cannot" *
          hg::test::requires_fashion_mnist()) {
    const auto run = run_tutorial("05_overcomplete", "--quick --quiet");
    INFO(run.output);
    REQUIRE(run.exit_code == 0);
    CHECK(run.result.at("tutorial") == "05_overcomplete");
    // The wide autoencoder fits real images better and passes noise far better; the narrow
    // one does worse on noise than drawing flat grey (it turns noise into clothes).
    CHECK(run.number("wide_real_mse") < run.number("narrow_real_mse"));
    CHECK(run.number("narrow_noise_mse") > run.number("noise_var"));
    CHECK(run.number("wide_noise_mse") < 0.75 * run.number("narrow_noise_mse"));
    // Step 5, the minimum of the loss for a linear code (PCA, in closed form): the best narrow
    // code keeps most of a real image and little noise; the best wide one copies every
    // direction the training images vary in (all but a constant pixel or so), so it passes
    // noise about as well as real images; the trained wide autoencoder is still short of it.
    CHECK(run.number("varied_directions") >= 780);
    CHECK(run.number("optimum_narrow_real_explained") > 0.75);
    CHECK(run.number("optimum_narrow_noise_explained") < 0.2);
    CHECK(run.number("optimum_wide_noise_explained") >= 0.95);
    CHECK(run.number("optimum_wide_noise_explained") > run.number("optimum_wide_real_explained") - 0.03);
    CHECK(run.number("wide_noise_explained") < run.number("optimum_wide_noise_explained") - 0.1);
    CHECK(run.number("wide_real_explained") > run.number("wide_noise_explained"));
}

TEST_CASE("tutorial 05: a --data folder without Fashion-MNIST is a clear error, before any training") {
    const auto run = run_tutorial("05_overcomplete", "--quick --quiet --data /nonexistent-hg-folder");
    CHECK(run.exit_code == 1);
    CHECK(run.output.find("/nonexistent-hg-folder: --data names a folder without fashion-mnist") != std::string::npos);
    CHECK(run.output.find("check:") == std::string::npos);  // failed before step 1
}
