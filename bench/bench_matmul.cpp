// matmul kernels, naive vs fast, reported as FLOPS (2·M·N·K per product), on as many
// threads as hg::num_threads() (HG_THREADS=1 for one). The time includes allocating the
// result tensor, as a training step does; bench_gemm_vs_openblas times raw gemm calls.
//
//   build/bench/bench_matmul --benchmark_filter=matmul_fast
//   build/bench/bench_matmul --benchmark_format=json     (names: matmul_<kernel>/<sizes>)
#include <benchmark/benchmark.h>

#include <string>

#include "tensor/kernels/pool.hpp"
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
        for (std::size_t n : {64, 128, 256, 512, 1024, 2048}) {
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
                              Case{"1x1682x20_nt", 1, 1682, 20, false, true},
                              Case{"1x20x1682", 1, 20, 1682, false, false},
                              Case{"1x20x1682_nt", 1, 20, 1682, false, true},
                              Case{"1682x1x20_tn", 1682, 1, 20, true, false}})
            benchmark::RegisterBenchmark(("matmul_" + std::string(name) + "/" + c.label).c_str(),
                                         [=](benchmark::State& s) { run(s, kernel, c.M, c.K, c.N, c.ta, c.tb); })
                ->Unit(benchmark::kMicrosecond);
    }
    // The models' Linear layers (batch x in -> out), each as its three products: forward
    // Y = X·Wᵀ (_nt), input gradient dX = dY·W, weight gradient dW = dYᵀ·X (_tn). Fast kernel
    // only; bench_gemm_vs_openblas runs the same shapes next to OpenBLAS.
    struct Layer {
        std::size_t batch, in, out;
    };
    for (Layer l : {Layer{32, 1682, 20}, Layer{32, 20, 1682}, Layer{128, 784, 1000}, Layer{943, 1682, 500}}) {
        auto label = [](std::size_t m, std::size_t k, std::size_t n, const char* suffix) {
            return std::to_string(m) + "x" + std::to_string(k) + "x" + std::to_string(n) + suffix;
        };
        struct Product {
            std::string label;
            std::size_t M, K, N;
            bool ta, tb;
        };
        for (const Product& p : {Product{label(l.batch, l.in, l.out, "_nt"), l.batch, l.in, l.out, false, true},
                                 Product{label(l.batch, l.out, l.in, ""), l.batch, l.out, l.in, false, false},
                                 Product{label(l.out, l.batch, l.in, "_tn"), l.out, l.batch, l.in, true, false}})
            benchmark::RegisterBenchmark(("matmul_fast/" + p.label).c_str(),
                                         [=](benchmark::State& s) { run(s, &hg::matmul, p.M, p.K, p.N, p.ta, p.tb); })
                ->Unit(benchmark::kMicrosecond);
    }
}

}  // namespace

int main(int argc, char** argv) {
    hg::kernels::keep_freed_memory();  // as the tutorials do (tensor/kernels/pool.hpp)
    register_all();
    benchmark::Initialize(&argc, argv);
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
