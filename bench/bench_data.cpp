// Reading the data sets: MovieLens ml-100k u1.base (text parsing, id maps, duplicate
// check) and Fashion-MNIST's gzipped training images (zlib + conversion to floats).
//
//   HG_DATA=/folder/holding/ml-100k build/bench/bench_data
//   build/bench/bench_data --benchmark_filter=movielens
// A data set that is not there is reported as skipped, with where it was looked for.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include "data/idx.hpp"
#include "data/movielens.hpp"
#include "data/ratings.hpp"

namespace {

std::string ml100k_dir() {
    const char* env = std::getenv("HG_DATA");
    if (!env) return "";
    const auto dir = std::filesystem::path(env) / "ml-100k";
    return std::filesystem::exists(dir / "u1.base") ? dir.string() : "";
}

void movielens_u1_base(benchmark::State& state) {
    const std::string dir = ml100k_dir();
    if (dir.empty()) {
        state.SkipWithError("ml-100k not found: set HG_DATA to a folder holding ml-100k/");
        return;
    }
    for (auto _ : state) {
        hg::data::RatingSet set = hg::data::load_movielens(dir + "/u1.base");
        benchmark::DoNotOptimize(set.ratings.data());
    }
    state.counters["ratings"] = 80000;
}

void movielens_u1_split_and_matrix(benchmark::State& state) {
    const std::string dir = ml100k_dir();
    if (dir.empty()) {
        state.SkipWithError("ml-100k not found: set HG_DATA to a folder holding ml-100k/");
        return;
    }
    for (auto _ : state) {
        hg::data::Split s = hg::data::load_movielens_split(dir, "u1");
        hg::data::RatingMatrix m = hg::data::RatingMatrix::from(s.train);
        benchmark::DoNotOptimize(m.by_user().value.data());
    }
}

void fashion_mnist_train(benchmark::State& state) {
    if (!hg::data::fashion_mnist_available()) {
        state.SkipWithError("Fashion-MNIST not found in /usr/share/datasets/fashion-mnist (dataset-fashion-mnist)");
        return;
    }
    const auto n = static_cast<std::size_t>(state.range(0));
    for (auto _ : state) {
        hg::data::ImageSet set = hg::data::fashion_mnist("train", n);
        benchmark::DoNotOptimize(set.images.data());
    }
    state.counters["images"] = static_cast<double>(n == 0 ? 60000 : n);
}

}  // namespace

BENCHMARK(movielens_u1_base)->Unit(benchmark::kMillisecond);
BENCHMARK(movielens_u1_split_and_matrix)->Unit(benchmark::kMillisecond);
BENCHMARK(fashion_mnist_train)->Arg(1000)->Arg(0)->Unit(benchmark::kMillisecond);

BENCHMARK_MAIN();
