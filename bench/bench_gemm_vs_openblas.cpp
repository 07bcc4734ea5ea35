// hourglass's fast gemm next to OpenBLAS's cblas_sgemm, same shapes, same process, same
// thread counts, reported as FLOPS (2·M·N·K per product). Built only when Meson finds
// OpenBLAS (Debian: libopenblas-dev or libopenblas-openmp-dev). Quote the ratio of the two
// in the same run: the machine is shared, absolute numbers drift.
//
//   build/bench/bench_gemm_vs_openblas --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
//   build/bench/bench_gemm_vs_openblas --benchmark_filter='/1024/'
//
// Names: matmul_<fast|openblas>/<M>x<K>x<N>[_nt|_tn]/t<threads>  (square: matmul_fast/1024/t1).
// _nt is op(A)·Bᵀ (a Linear layer's forward, X·Wᵀ), _tn is Aᵀ·B (its weight gradient
// dYᵀ·X); no suffix is A·B (its input gradient dY·W).
#include <benchmark/benchmark.h>
#include <cblas.h>

#include <string>
#include <vector>

#include "tensor/kernels/pool.hpp"
#include "tensor/matmul.hpp"
#include "tensor/parallel.hpp"

namespace {

struct Case {
    std::string label;
    std::size_t M, K, N;
    bool ta, tb;
};

enum class Library { hourglass, openblas };

void run(benchmark::State& state, Library lib, const Case& c, int threads) {
    hg::set_num_threads(threads);
    openblas_set_num_threads(threads);
    hg::Rng rng(1);
    // Stored shapes: A is (M x K) or, transposed, (K x M); B is (K x N) or (N x K).
    const std::size_t lda = c.ta ? c.M : c.K, ldb = c.tb ? c.K : c.N;
    const hg::Tensor a = hg::Tensor::normal({c.M * c.K}, 0, 1, rng);
    const hg::Tensor b = hg::Tensor::normal({c.K * c.N}, 0, 1, rng);
    std::vector<float> out(c.M * c.N, 0.0f);
    for (auto _ : state) {
        if (lib == Library::hourglass)
            hg::gemm(c.ta, c.tb, c.M, c.N, c.K, 1.0f, a.data(), lda, b.data(), ldb, 0.0f, out.data(), c.N);
        else
            cblas_sgemm(CblasRowMajor, c.ta ? CblasTrans : CblasNoTrans, c.tb ? CblasTrans : CblasNoTrans,
                        static_cast<int>(c.M), static_cast<int>(c.N), static_cast<int>(c.K), 1.0f, a.data(),
                        static_cast<int>(lda), b.data(), static_cast<int>(ldb), 0.0f, out.data(), static_cast<int>(c.N));
        benchmark::DoNotOptimize(out.data());
        benchmark::ClobberMemory();
    }
    state.counters["FLOPS"] = benchmark::Counter(2.0 * static_cast<double>(c.M) * c.N * c.K,
                                                 benchmark::Counter::kIsIterationInvariantRate);
}

std::vector<Case> cases() {
    std::vector<Case> all;
    for (std::size_t n : {256, 512, 1024, 2048}) all.push_back({std::to_string(n), n, n, n, false, false});
    // The models' Linear layers (batch x in -> out), each as its three products:
    //   forward Y = X·Wᵀ (W stored out x in), input gradient dX = dY·W, weight gradient dW = dYᵀ·X.
    struct Layer {
        std::size_t batch, in, out;
    };
    for (Layer l : {Layer{32, 1682, 20},    // the course recommender's encoder, mini-batch 32
                    Layer{32, 20, 1682},    // ... and its decoder
                    Layer{128, 784, 1000},  // a Fashion-MNIST autoencoder's encoder
                    Layer{943, 1682, 500}}) {  // a full-batch MovieLens autoencoder
        auto label = [](std::size_t m, std::size_t k, std::size_t n, const char* suffix) {
            return std::to_string(m) + "x" + std::to_string(k) + "x" + std::to_string(n) + suffix;
        };
        all.push_back({label(l.batch, l.in, l.out, "_nt"), l.batch, l.in, l.out, false, true});
        all.push_back({label(l.batch, l.out, l.in, ""), l.batch, l.out, l.in, false, false});
        all.push_back({label(l.out, l.batch, l.in, "_tn"), l.out, l.batch, l.in, true, false});
    }
    return all;
}

}  // namespace

int main(int argc, char** argv) {
    hg::kernels::keep_freed_memory();  // as the tutorials do (tensor/kernels/pool.hpp)
    for (int threads : {1, 2})
        for (const Case& c : cases())
            for (auto [name, lib] : {std::pair{"fast", Library::hourglass}, std::pair{"openblas", Library::openblas}}) {
                const std::string full = "matmul_" + std::string(name) + "/" + c.label + "/t" + std::to_string(threads);
                benchmark::RegisterBenchmark(full.c_str(), [=](benchmark::State& s) { run(s, lib, c, threads); })
                    ->Unit(benchmark::kMillisecond)
                    ->UseRealTime();
            }
    benchmark::AddCustomContext("openblas", openblas_get_config());
    benchmark::AddCustomContext("openblas_core", openblas_get_corename());
    benchmark::Initialize(&argc, argv);
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
