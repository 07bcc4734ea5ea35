// matmul kernels, naive vs fast, reported as FLOPS (2·M·N·K per product).
//
//   build/bench/bench_matmul --benchmark_filter=matmul_fast
//   build/bench/bench_matmul --benchmark_format=json     (names: matmul_<kernel>/<sizes>)
#include <benchmark/benchmark.h>

#include <string>

#include "tensor/matmul.hpp"

namespace {

using Kernel = hg::Tensor (*)(const hg::Tensor&, const hg::Tensor&, bool, bool);

void run(benchmark::State& state, Kernel kernel, std::size_t M, std::size_t K, std::size_t N, bool ta, bool tb) {
    hg::Rng rng(1);
    const hg::Tensor a = ta ? hg::Tensor::normal({K, M}, 0, 1, rng) : hg::Tensor::normal({M, K}, 0, 1, rng);
    const hg::Tensor b = tb ? hg::Tensor::normal({N, K}, 0, 1, rng) : hg::Tensor::normal({K, N}, 0, 1, rng);
    for (auto _ : state) {
        hg::Tensor c = kernel(a, b, ta, tb);
        benchmark::DoNotOptimize(c.data());
    }
    state.counters["FLOPS"] =
        benchmark::Counter(2.0 * static_cast<double>(M * N * K), benchmark::Counter::kIsIterationInvariantRate);
}

void register_all() {
    const std::pair<const char*, Kernel> kernels[] = {{"naive", &hg::matmul_naive}, {"fast", &hg::matmul}};
    for (auto [name, kernel] : kernels) {
        for (std::size_t n : {64, 128, 256, 512, 1024}) {
            if (kernel == &hg::matmul_naive && n > 512) continue;  // minutes per run; 512 makes the point
            benchmark::RegisterBenchmark(("matmul_" + std::string(name) + "/" + std::to_string(n)).c_str(),
                                         [=](benchmark::State& s) { run(s, kernel, n, n, n, false, false); })
                ->Unit(benchmark::kMillisecond);
        }
        // The recommender's shapes: one user's ratings (1 x 1682) into 20 hidden units, and
        // the backward products dX = dY·Wᵀ and dW = xᵀ·dY.
        struct Case {
            const char* label;
            std::size_t M, K, N;
            bool ta, tb;
        };
        for (const Case& c : {Case{"1x1682x20", 1, 1682, 20, false, false},
                              Case{"1x20x1682", 1, 20, 1682, false, false},
                              Case{"1x20x1682_nt", 1, 20, 1682, false, true},
                              Case{"1682x1x20_tn", 1682, 1, 20, true, false}})
            benchmark::RegisterBenchmark(("matmul_" + std::string(name) + "/" + c.label).c_str(),
                                         [=](benchmark::State& s) { run(s, kernel, c.M, c.K, c.N, c.ta, c.tb); })
                ->Unit(benchmark::kMicrosecond);
    }
}

}  // namespace

int main(int argc, char** argv) {
    register_all();
    benchmark::Initialize(&argc, argv);
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
