// Smoke test of tutorial 10 (stacked autoencoders): its --quick setting, and its lesson.
#include <doctest/doctest.h>

#include <filesystem>

#include "requires.hpp"
#include "tutorial_runner.hpp"

TEST_CASE("tutorial 10: greedy pretraining gives codes that separate the classes; fine-tuning improves on them" *
          hg::test::requires_fashion_mnist()) {
    const auto run = hg::test::run_tutorial("10_stacked", "--quick --quiet");
    INFO(run.output);
    REQUIRE(run.exit_code == 0);
    CHECK(run.result.at("tutorial") == "10_stacked");
    // A linear probe on the codes, learned without labels, is far above chance (0.1) ...
    CHECK(run.number("probe_codes") > 0.4);
    // ... and so is one on raw pixels (the baseline the codes are compared with).
    CHECK(run.number("probe_pixels") > 0.6);
    // Fine-tuning the whole stack beats the frozen codes, and the pretrained start beats a
    // random one after the same number of epochs on the same few labels.
    CHECK(run.number("finetuned_pretrained") > run.number("probe_codes"));
    CHECK(run.number("finetuned_pretrained") > run.number("finetuned_random"));
    CHECK(std::filesystem::exists(run.out / "filters_layer1.png"));
}

TEST_CASE("tutorial 10: a --data folder without Fashion-MNIST is a clear error") {
    const auto run = hg::test::run_tutorial("10_stacked", "--quick --quiet --data /nonexistent-hg-folder");
    CHECK(run.exit_code == 1);
    CHECK(run.output.find("/nonexistent-hg-folder") != std::string::npos);
}
