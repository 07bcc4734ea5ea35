// Smoke test of tutorial 18 (GLocal-K, and its blend with tutorial 14's models): its --quick
// setting on the built-in set, a short run on ml-100k when it is around, and bad input; and
// the two helpers it takes from tutorials/common/recommend.hpp.
#include <doctest/doctest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "requires.hpp"
#include "tensor/error.hpp"
#include "tutorial_runner.hpp"
#include "tutorials/common/recommend.hpp"

TEST_CASE("tutorial 18: GLocal-K and its blend on the built-in set") {
    const auto run = hg::test::run_tutorial("18_kernel_recommender", "--quick --data builtin");  // not --quiet: the table is checked
    INFO(run.output);
    REQUIRE(run.exit_code == 0);
    CHECK(run.result.at("tutorial") == "18_kernel_recommender");
    CHECK(run.result.at("dataset") == "synthetic");
    CHECK(run.result.at("fold") == "u1");
    // The counts come from the validation curves (every 5 iterations, at most 10 under --quick);
    // 0 fine-tuning iterations when neither start beat the pre-trained model there.
    CHECK(run.number("pre_iterations") >= 5);
    CHECK(run.number("pre_iterations") <= 10);
    const double fine = run.number("fine_iterations");
    CHECK((fine == 0 || (fine >= 5 && fine <= 10)));
    CHECK((fine == 0) == (run.result.at("fine_start") == "none"));
    CHECK(run.number("val_rmse_glocal") <= run.number("val_rmse_pre"));
    // Least squares on the validation ratings can only improve on each of its parts there.
    CHECK(run.number("val_rmse") <= run.number("val_rmse_glocal"));
    CHECK(run.number("val_rmse") <= run.number("val_rmse_item"));
    CHECK(run.number("val_rmse") <= run.number("val_rmse_user"));
    CHECK(run.number("epoch_seconds") > 0);
    CHECK(run.number("fine_epoch_seconds") > 0);
    CHECK(run.output.find("predicted  recommended") != std::string::npos);  // the recommendations table
}

TEST_CASE("tutorial 18 with --seeds 2: each model from two starts, their predictions averaged") {
    const auto run = hg::test::run_tutorial("18_kernel_recommender", "--quick --quiet --data builtin --seeds 2");
    INFO(run.output);
    REQUIRE(run.exit_code == 0);
    CHECK(run.number("seeds") == 2);
    // GLocal-K's validation RMSE from each start, "a/b"; the first start is the run without --seeds.
    const std::string each = run.result.at("val_rmse_glocal_each");
    const std::size_t slash = each.find('/');
    REQUIRE(slash != std::string::npos);
    CHECK(each.find('/', slash + 1) == std::string::npos);
    const double first = std::stod(each.substr(0, slash)), second = std::stod(each.substr(slash + 1));
    const auto single = hg::test::run_tutorial("18_kernel_recommender", "--quick --quiet --data builtin");
    REQUIRE(single.exit_code == 0);
    CHECK(first == doctest::Approx(single.number("val_rmse_glocal")).epsilon(1e-4));
    // The RMSE of an average of predictions is at most the average of their RMSEs (the
    // triangle inequality of the Euclidean norm), whatever the starts learnt.
    CHECK(run.number("val_rmse_glocal") <= (first + second) / 2 + 1e-4);
    CHECK(run.number("val_rmse") <= run.number("val_rmse_glocal"));
}

TEST_CASE("tutorial 18 on ml-100k: a short run beats the bias baseline" * hg::test::requires_movielens()) {
    const std::string dir = hg::test::movielens_100k_dir();
    // 20 pre-training and 5 fine-tuning L-BFGS iterations at most (each start), 100 hidden
    // units, the AutoRec partners 10 epochs at most: about 16 s on two cores (a minute under
    // the sanitizers). When written: test 0.933 against the bias baseline's 0.955.
    const auto run = hg::test::run_tutorial(
        "18_kernel_recommender", "--quiet --hidden 100 --pre 20 --fine 5 --autorec-epochs 10 --data '" + dir + "'");
    INFO(run.output);
    REQUIRE(run.exit_code == 0);
    CHECK(run.result.at("dataset") == "ml-100k");
    CHECK(run.number("test_rmse") < run.number("bias_rmse"));
    CHECK(run.number("val_rmse_glocal") < 0.97);  // 0.958 after 20 + 5 iterations when written
}

TEST_CASE("tutorial 18: bad input gets a clear error") {
    SUBCASE("an unknown user id") {
        const auto run = hg::test::run_tutorial("18_kernel_recommender", "--quick --quiet --data builtin --user 99999");
        CHECK(run.exit_code == 1);
        CHECK(run.output.find("--user 99999: no such user in synthetic (user ids run from 1 to 600)") != std::string::npos);
    }
    SUBCASE("a fold the built-in set does not have") {
        const auto run = hg::test::run_tutorial("18_kernel_recommender", "--quick --quiet --data builtin --fold u3");
        CHECK(run.exit_code == 1);
        CHECK(run.output.find("--fold u3: the built-in synthetic set has one split (u1)") != std::string::npos);
    }
    SUBCASE("a fold that is no fold") {
        const auto run = hg::test::run_tutorial("18_kernel_recommender", "--quick --quiet --data builtin --fold u6");
        CHECK(run.exit_code == 1);
        CHECK(run.output.find("--fold") != std::string::npos);
    }
    SUBCASE("no random start") {
        const auto run = hg::test::run_tutorial("18_kernel_recommender", "--quick --quiet --data builtin --seeds 0");
        CHECK(run.exit_code == 1);
        CHECK(run.output.find("--seeds") != std::string::npos);
    }
    SUBCASE("a negative penalty") {
        const auto run = hg::test::run_tutorial("18_kernel_recommender", "--quick --quiet --data builtin --lambda-2 -1");
        CHECK(run.exit_code == 1);
        CHECK(run.output.find("--lambda-2") != std::string::npos);
    }
}

TEST_CASE("blend_weights: the least-squares weights of the parts, and an error when they are dependent") {
    using hg::data::Rating;
    const std::vector<float> a = {1, 2, 3, 4, 5, 2}, b = {3, 1, 4, 1, 5, 9}, c = {2, 7, 1, 8, 2, 8};
    std::vector<Rating> ratings;
    for (std::size_t j = 0; j < a.size(); ++j)  // exactly 0.5·a − 0.25·b + 0.75·c
        ratings.push_back({0, static_cast<std::uint32_t>(j), 0.5f * a[j] - 0.25f * b[j] + 0.75f * c[j], 0});
    const std::vector<double> w = hg::tutorial::blend_weights({a, b, c}, ratings);
    REQUIRE(w.size() == 3);
    CHECK(w[0] == doctest::Approx(0.5).epsilon(1e-6));
    CHECK(w[1] == doctest::Approx(-0.25).epsilon(1e-6));
    CHECK(w[2] == doctest::Approx(0.75).epsilon(1e-6));
    // A part that is a combination of the others has no unique weight: an error, not inf or NaN.
    std::vector<float> twice_a;
    for (float x : a) twice_a.push_back(2 * x);
    CHECK_THROWS_WITH_AS(hg::tutorial::blend_weights({a, b, twice_a}, ratings),
                         doctest::Contains("linearly dependent"), hg::ValueError);
    CHECK_THROWS_WITH_AS(hg::tutorial::blend_weights({a, {1, 2}}, ratings), doctest::Contains("2 predictions for 6 ratings"),
                         hg::ValueError);
}

TEST_CASE("mean_over_seeds: the mean of the tables made from seed, seed + 1, ...") {
    std::vector<std::uint64_t> seen;
    const hg::Tensor mean = hg::tutorial::mean_over_seeds(3, 10, [&](std::uint64_t seed) {
        seen.push_back(seed);
        return hg::Tensor::full({2}, static_cast<float>(seed));
    });
    CHECK(seen == std::vector<std::uint64_t>{10, 11, 12});
    CHECK(mean[0] == doctest::Approx(11));
    CHECK(mean[1] == doctest::Approx(11));
    CHECK_THROWS_AS(hg::tutorial::mean_over_seeds(0, 10, [](std::uint64_t) { return hg::Tensor::full({1}, 0.0f); }),
                    hg::ValueError);
}
