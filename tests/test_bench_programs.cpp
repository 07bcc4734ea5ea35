// The benchmark programs that train models/ for bench/compare.py keep their contracts:
// recommender_predictions writes what bench/pytorch/load_hourglass.py reads, and
// model_epochs trains what it says. They are built with the tests (bench/meson.build).
#include <doctest/doctest.h>

#include <filesystem>
#include <memory>
#include <numeric>
#include <string>

#include "autograd/var.hpp"
#include "data/builtin.hpp"
#include "data/idx.hpp"
#include "data/ratings.hpp"
#include "nn/activation.hpp"
#include "nn/linear.hpp"
#include "nn/safetensors.hpp"
#include "nn/sequential.hpp"
#include "requires.hpp"
#include "temp_dir.hpp"
#include "tutorial_runner.hpp"

#ifndef HG_BENCH_DIR
#error "HG_BENCH_DIR must name the folder of the built benchmark programs"
#endif

namespace {

// Runs build/bench/<name> with flags.
hg::test::TutorialRun run_bench(const std::string& name, const std::string& flags) {
    return hg::test::run_program(std::string(HG_BENCH_DIR) + "/" + name + " " + flags);
}

}  // namespace

TEST_CASE("recommender_predictions: every user's training row and the saved model's output on it") {
    // The contract bench/pytorch/load_hourglass.py relies on: "input" is the training matrix
    // (users in index order) and "predictions" is what the saved model gives for it.
    hg::test::TempDir dir("predictions");
    const auto save = hg::test::run_tutorial("03_recommender", "--quick --quiet --data builtin --mode course --epochs 1 --save '" +
                                                                   dir.file("m.safetensors") + "'");
    INFO(save.output);
    REQUIRE(save.exit_code == 0);
    const auto run = run_bench("recommender_predictions", "--mode course --data builtin --model '" + dir.file("m.safetensors") +
                                                              "' --out '" + dir.file("p.safetensors") + "'");
    INFO(run.output);
    REQUIRE(run.exit_code == 0);
    const hg::NamedTensors file = hg::load_safetensors(dir.file("p.safetensors"));
    REQUIRE(file.size() == 2);
    CHECK(file[0].first == "input");
    CHECK(file[1].first == "predictions");
    const hg::data::RatingMatrix train = hg::data::RatingMatrix::from(hg::data::synthetic_movielens().split().train);
    std::vector<std::size_t> users(train.n_users());
    std::iota(users.begin(), users.end(), std::size_t{0});
    const hg::Tensor& input = file[0].second;
    CHECK(input.shape() == hg::Shape{train.n_users(), train.n_items()});
    CHECK(hg::max_abs_diff(input, train.dense_rows(users)) == 0.0f);
    CHECK(run.number("users") == train.n_users());
    // The course's model, written out here (not models/course.hpp: the file must fit the
    // architecture the course describes), loaded from the saved file.
    hg::Rng rng(1);
    const std::size_t n = train.n_items();
    auto model = hg::sequential({std::make_shared<hg::Linear>(n, 20, rng), std::make_shared<hg::Sigmoid>(),
                                 std::make_shared<hg::Linear>(20, 10, rng), std::make_shared<hg::Sigmoid>(),
                                 std::make_shared<hg::Linear>(10, 20, rng), std::make_shared<hg::Sigmoid>(),
                                 std::make_shared<hg::Linear>(20, n, rng)});
    hg::load(*model, dir.file("m.safetensors"));
    hg::NoGradGuard no_grad;
    const hg::Tensor expected = (*model)(hg::Var::constant(input)).value();
    CHECK(hg::max_abs_diff(expected, file[1].second) < 1e-5f);
    CHECK(hg::max_abs_diff(file[1].second, hg::Tensor::zeros(file[1].second.shape())) > 0.1f);  // not a blank file
}

TEST_CASE("model_epochs deep_ae: only tutorial 11's autoencoder, timed, for bench/compare.py" *
          hg::test::requires_fashion_mnist()) {
    const auto run = run_bench("model_epochs", "--quiet --epochs 1 deep_ae --train-images 1000 --test-images 1000 --batch 32");
    INFO(run.output);
    REQUIRE(run.exit_code == 0);
    CHECK(run.result.count("pca_error") == 0);  // no PCA
    CHECK(run.result.at("model") == "deep_ae");
    CHECK(run.number("epochs") == 1);
    CHECK(run.number("train_images") == 1000);
    CHECK(run.number("epoch_seconds") > 0.0);
    CHECK(run.number("start_error") > 100.0);  // ~134 per image before training
    CHECK(run.number("ae_error") < 100.0);     // trained
}

TEST_CASE("model_epochs kernel_recommender: tutorial 18's GLocal-K gradients, both stages timed" * hg::test::requires_movielens()) {
    const auto run = run_bench("model_epochs", "--quiet --epochs 2 --data '" + hg::test::movielens_100k_dir() +
                                                   "' kernel_recommender --hidden 20");
    INFO(run.output);
    REQUIRE(run.exit_code == 0);
    CHECK(run.result.at("model") == "kernel_recommender");
    CHECK(run.number("items") == 1682);
    CHECK(run.number("users") == 943);
    CHECK(run.number("hidden") == 20);
    CHECK(run.number("pre_seconds") > 0.0);
    CHECK(run.number("epoch_seconds") > 0.0);
}
