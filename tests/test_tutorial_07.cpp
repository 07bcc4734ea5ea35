// Smoke test of tutorial 07 (k-sparse autoencoders): its --quick setting, and its lessons.
#include <doctest/doctest.h>

#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include "requires.hpp"
#include "tutorial_runner.hpp"

namespace {
std::vector<double> numbers(const std::string& comma_list) {
    std::vector<double> v;
    std::stringstream in(comma_list);
    for (std::string item; std::getline(in, item, ',');) v.push_back(std::stod(item));
    return v;
}
}  // namespace

TEST_CASE("tutorial 07: k-sparse codes have exactly k non-zeros; error falls with k; small k, image-like filters" *
          hg::test::requires_fashion_mnist()) {
    const auto run = hg::test::run_tutorial("07_k_sparse", "--quick --quiet");
    INFO(run.output);
    REQUIRE(run.exit_code == 0);
    CHECK(run.result.at("tutorial") == "07_k_sparse");
    CHECK(run.result.at("exact_k") == "yes");
    // One test error per k, in increasing k; each is lower than the one before.
    const std::vector<double> ks = numbers(run.result.at("k")), mse = numbers(run.result.at("test_mse"));
    REQUIRE(ks.size() == mse.size());
    REQUIRE(ks.size() >= 2);
    for (std::size_t i = 1; i < ks.size(); ++i) {
        CHECK(ks[i] > ks[i - 1]);
        CHECK(mse[i] < mse[i - 1]);
    }
    // The smallest k's filters look more like whole images than the largest k's.
    CHECK(run.number("match_small_k") > run.number("match_large_k"));
    // Starting at the target k (no schedule) leaves more units dead.
    CHECK(run.number("dead_no_schedule") > run.number("dead_small_k"));
    const auto& out = run.out;
    CHECK(std::filesystem::exists(out / "error_vs_k.svg"));
    CHECK(std::filesystem::exists(out / ("filters_k" + run.result.at("k").substr(0, run.result.at("k").find(',')) + ".png")));
    CHECK(std::filesystem::exists(out / "reconstructions.png"));
}

TEST_CASE("tutorial 07: a k larger than the hidden layer is a clear error") {
    const auto run = hg::test::run_tutorial("07_k_sparse", "--quick --quiet --hidden 10 --k 20");
    CHECK(run.exit_code == 1);
    CHECK(run.output.find("--k 20 is larger than --hidden 10") != std::string::npos);
}
