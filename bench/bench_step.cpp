// One training step of the course's recommender, and its parts, on one thread: the
// per-step cost that decides how fast a batch-1 epoch runs (the README's course SAE row: at least 10x PyTorch).
//
//   build/bench/bench_step                                  every case
//   build/bench/bench_step --benchmark_filter=course_step   the whole step
//
// The data is the synthetic MovieLens-shaped set at ml-100k's size (943 users x 1682
// movies, ~6% rated), so the benchmark needs no download; each iteration takes the next
// user, as an epoch does. Reported: time per step (on a shared machine quote the median of
// --benchmark_repetitions=5 --benchmark_report_aggregates_only, and its CPU time).
//   course_step         forward + backward + RMSprop(wd 0.5) step, gradients never zeroed
//   course_fwd_bwd      forward + backward only
//   course_optimizer    RMSprop's step alone, over the model's 68,702 parameters
//   batch_step/B        the same model with B users per step, zeroed gradients (the
//                       mini-batch variant); items/s counts users
//   graph_overhead      forward + backward of the same model shrunk to 16 movies: what
//                       building and walking the graph costs when the products cost nothing
//   course_products/P   each of the step's five products over the two 1682x20 layers, alone,
//                       as the step calls hg::gemm (dW accumulates: beta = 1)
// And the floors of the batch-1 step on this machine (README, "Performance"):
//   floor_sqrt_div        a square root and a division for each of 69,412 floats and nothing
//                         else: what any exact RMSprop update of the model costs at least
//   floor_read_1682x20    one read of a 1682x20 weight (134 KB, in L2): y = x·W1ᵀ, y = h·W4ᵀ
//                         and dh = dy·W4 each read such a matrix once
//   floor_update_1682x20  one read and write of it: dW1 += dyᵀ·x and dW4 += dyᵀ·h update one
#include <benchmark/benchmark.h>

#include <cmath>
#include <memory>
#include <vector>

#include "autograd/loss.hpp"
#include "data/builtin.hpp"
#include "data/ratings.hpp"
#include "models/course.hpp"
#include "nn/rmsprop.hpp"
#include "nn/sequential.hpp"
#include "tensor/float_mode.hpp"
#include "tensor/kernels/pool.hpp"
#include "tensor/matmul.hpp"
#include "tensor/parallel.hpp"

namespace {

using hg::Tensor;
using hg::Var;

const hg::data::RatingMatrix& ratings() {
    static const hg::data::RatingMatrix m =
        hg::data::RatingMatrix::from(hg::data::synthetic_movielens(7, 943, 1682).ratings);
    return m;
}

hg::RMSprop course_optimizer(hg::Sequential& model) {
    return hg::RMSprop(model.parameters(), hg::models::course_rmsprop());
}

// One thread (unless asked), denormals flushed to zero as in the tutorials.
void setup(int threads) {
    hg::set_num_threads(threads);
    hg::set_flush_denormal(true);
}

// The users' rows, made once (the tutorial makes each when it needs it).
struct Batches {
    std::vector<Tensor> x, mask;
    explicit Batches(std::size_t batch) {
        const auto& m = ratings();
        for (std::size_t u = 0; u + batch <= m.n_users(); u += batch) {
            std::vector<std::size_t> users;
            for (std::size_t k = 0; k < batch; ++k) users.push_back(u + k);
            x.push_back(m.dense_rows(users));
            mask.push_back(m.observed_rows(users));
        }
    }
};

void course(benchmark::State& state, bool optimise, bool backprop) {
    setup(1);
    hg::Rng rng(1);
    auto model = hg::models::course_model(ratings().n_items(), rng);
    hg::RMSprop opt = course_optimizer(*model);
    const Batches b(1);
    std::size_t u = 0;
    for (auto _ : state) {
        const Var input = Var::constant(b.x[u]);
        Var loss = hg::masked_mse((*model)(input), input, b.mask[u]);
        if (backprop) loss.backward();
        if (optimise) opt.step();
        u = (u + 1) % b.x.size();
    }
    state.SetItemsProcessed(state.iterations());
}

void optimizer_only(benchmark::State& state) {
    setup(1);
    hg::Rng rng(1);
    auto model = hg::models::course_model(ratings().n_items(), rng);
    hg::RMSprop opt = course_optimizer(*model);
    for (Var& p : model->parameters()) p.grad().fill(1e-3f);
    for (auto _ : state) opt.step();
    state.counters["params"] = static_cast<double>(model->num_parameters());
}

void batch_step(benchmark::State& state) {
    setup(static_cast<int>(state.range(1)));
    const std::size_t batch = static_cast<std::size_t>(state.range(0));
    hg::Rng rng(1);
    auto model = hg::models::course_model(ratings().n_items(), rng);
    hg::RMSprop opt = course_optimizer(*model);
    const Batches b(batch);
    std::size_t k = 0;
    for (auto _ : state) {
        const Var input = Var::constant(b.x[k]);
        opt.zero_grad();
        Var loss = hg::masked_mse((*model)(input), input, b.mask[k]);
        loss.backward();
        opt.step();
        k = (k + 1) % b.x.size();
    }
    state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(batch));
}

void graph_overhead(benchmark::State& state) {
    setup(1);
    hg::Rng rng(1);
    auto model = hg::models::course_model(16, rng);
    const Tensor x = hg::gt(Tensor::uniform({1, 16}, 0.0f, 1.0f, rng), 0.7f) * 4.0f;
    const Tensor observed = hg::ne(x, 0.0f);
    for (auto _ : state) {
        const Var input = Var::constant(x);
        Var loss = hg::masked_mse((*model)(input), input, observed);
        loss.backward();
    }
}

// The products of one user's step through the first layer (W1: 20 x 1682) and the last
// (W4: 1682 x 20).
void course_products(benchmark::State& state) {
    setup(1);
    constexpr std::size_t n = 1682, h = 20;
    std::vector<float> w(n * h, 0.01f), dw(n * h, 0.0f), x(n, 1.0f), y(n), dy(n, 0.1f), z(h), dz(h, 0.1f);
    const auto which = state.range(0);
    for (auto _ : state) {
        switch (which) {
            case 0: hg::gemm(false, true, 1, h, n, 1.0f, x.data(), n, w.data(), n, 0.0f, z.data(), h); break;  // z = x·W1ᵀ
            case 1: hg::gemm(true, false, h, n, 1, 1.0f, dz.data(), h, x.data(), n, 1.0f, dw.data(), n); break;  // dW1 += dzᵀ·x
            case 2: hg::gemm(false, true, 1, n, h, 1.0f, z.data(), h, w.data(), h, 0.0f, y.data(), n); break;  // y = z·W4ᵀ
            case 3: hg::gemm(true, false, n, h, 1, 1.0f, dy.data(), n, z.data(), h, 1.0f, dw.data(), h); break;  // dW4 += dyᵀ·z
            default: hg::gemm(false, false, 1, h, n, 1.0f, dy.data(), n, w.data(), h, 0.0f, dz.data(), h); break;  // dz = dy·W4
        }
        benchmark::ClobberMemory();
    }
}

void floor_sqrt_div(benchmark::State& state) {
    std::vector<float> v(69412, 0.5f), g(69412, 1e-3f);
    for (auto _ : state) {
        float acc = 0.0f;
#pragma omp simd reduction(+ : acc)
        for (std::size_t k = 0; k < v.size(); ++k) acc += g[k] / std::sqrt(v[k]);
        benchmark::DoNotOptimize(acc);
    }
}

void floor_read(benchmark::State& state) {
    std::vector<float> w(1682 * 20, 0.5f);
    for (auto _ : state) {
        float acc[64] = {};  // 64 sums in flight: the loop waits on memory, not on additions
        std::size_t k = 0;
        for (; k + 64 <= w.size(); k += 64)
            for (std::size_t j = 0; j < 64; ++j) acc[j] += w[k + j];
        for (; k < w.size(); ++k) acc[0] += w[k];
        benchmark::DoNotOptimize(acc);
    }
    state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(w.size() * sizeof(float)));
}

void floor_update(benchmark::State& state) {
    std::vector<float> w(1682 * 20, 0.5f);
    float* p = w.data();
    for (auto _ : state) {
#pragma omp simd simdlen(16)
        for (std::size_t k = 0; k < w.size(); ++k) p[k] = 0.999f * p[k] + 1e-3f;
        benchmark::ClobberMemory();
    }
    state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(2 * w.size() * sizeof(float)));
}

}  // namespace

BENCHMARK_CAPTURE(course, course_step, true, true)->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(course, course_fwd_bwd, false, true)->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(course, course_forward, false, false)->Unit(benchmark::kMicrosecond);
BENCHMARK(optimizer_only)->Name("course_optimizer")->Unit(benchmark::kMicrosecond);
BENCHMARK(batch_step)->Name("batch_step")->ArgNames({"batch", "threads"})->Args({64, 1})->Args({64, 2})->Unit(benchmark::kMicrosecond);

BENCHMARK(course_products)
    ->ArgNames({"P"})
    ->DenseRange(0, 4)  // 0: z = x·W1ᵀ, 1: dW1 += dzᵀ·x, 2: y = z·W4ᵀ, 3: dW4 += dyᵀ·z, 4: dz = dy·W4
    ->Unit(benchmark::kMicrosecond);
BENCHMARK(graph_overhead)->Unit(benchmark::kMicrosecond);
BENCHMARK(floor_sqrt_div)->Unit(benchmark::kMicrosecond);
BENCHMARK(floor_read)->Name("floor_read_1682x20")->Unit(benchmark::kMicrosecond);
BENCHMARK(floor_update)->Name("floor_update_1682x20")->Unit(benchmark::kMicrosecond);

int main(int argc, char** argv) {
    hg::kernels::keep_freed_memory();  // as the tutorials do (tensor/kernels/pool.hpp)
    benchmark::Initialize(&argc, argv);
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
