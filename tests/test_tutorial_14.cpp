// Smoke test of tutorial 14 (item-based AutoRec): its --quick setting on the built-in set, and
// a short run on ml-100k when it is around.
#include <doctest/doctest.h>

#include <filesystem>

#include "requires.hpp"
#include "tutorial_runner.hpp"

TEST_CASE("tutorial 14: I-AutoRec beats the per-item mean on the built-in set") {
    const auto run = hg::test::run_tutorial("14_autorec", "--quick --quiet --data builtin");
    INFO(run.output);
    REQUIRE(run.exit_code == 0);
    CHECK(run.result.at("tutorial") == "14_autorec");
    CHECK(run.result.at("dataset") == "synthetic");
    CHECK(run.number("test_rmse") < run.number("baseline_rmse"));
    // λ and the epochs come from the quick sweep (λ in {20, 200}, at most 15 epochs).
    CHECK((run.number("lambda") == 20 || run.number("lambda") == 200));
    CHECK(run.number("epochs") >= 5);
    CHECK(run.number("epochs") <= 15);
    // The recipe chosen on validation is never worse there than the paper's model, and the
    // blend weight is a weight.
    CHECK(run.number("val_rmse") <= run.number("val_rmse_paper"));
    CHECK(run.number("blend_weight") >= 0);
    CHECK(run.number("blend_weight") <= 1);
    CHECK(run.number("epoch_seconds") > 0);
    CHECK(std::filesystem::exists(run.out / "validation.svg"));
}

TEST_CASE("tutorial 14 on ml-100k: a short I-AutoRec run reaches test RMSE <= 0.92" * hg::test::requires_movielens()) {
    const std::string dir = hg::test::movielens_100k_dir();
    // One λ, no noise run, at most 40 full-batch epochs per model: both targets and U-AutoRec
    // on the validation split, then I- and U-AutoRec on u1.base, about 200 epochs of work.
    const auto run =
        hg::test::run_tutorial("14_autorec", "--quick --quiet --lambdas 200 --noise 0 --epochs 40 --data '" + dir + "'");
    INFO(run.output);
    REQUIRE(run.exit_code == 0);
    CHECK(run.result.at("dataset") == "ml-100k");
    CHECK(run.number("baseline_rmse") > 1.0);  // the per-item mean on u1.test: 1.0334
    CHECK(run.number("test_rmse") <= 0.92);
    // Residuals on the bias baseline win on validation (about 0.90 vs 0.91 for the paper's
    // target within 40 epochs), and so does a blend with U-AutoRec (w = 0.8 when written).
    CHECK(run.number("residual") == 1);
    CHECK(run.number("blend_weight") < 1);
    CHECK(run.number("test_rmse") < run.number("bias_rmse"));
}

TEST_CASE("tutorial 14: bad input gets a clear error") {
    SUBCASE("an unknown user id") {
        const auto run = hg::test::run_tutorial("14_autorec", "--quick --quiet --data builtin --user 99999");
        CHECK(run.exit_code == 1);
        CHECK(run.output.find("--user 99999: no such user in synthetic (user ids run from 1 to 600)") != std::string::npos);
    }
    SUBCASE("a malformed list of penalties") {
        const auto run = hg::test::run_tutorial("14_autorec", "--quick --quiet --data builtin --lambdas 10,abc");
        CHECK(run.exit_code == 1);
        CHECK(run.output.find("'abc' is not a non-negative number") != std::string::npos);
    }
}
