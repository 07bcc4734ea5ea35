// The LSTM cell of nn/lstm.hpp, one thread: is it worth a fused cell? The cell is a composite
// of 14 autograd ops per step (a concat, four linear ops, three sigmoids, two tanh, three
// products and a sum), each a graph node with its own temporaries; a fused cell would make
// it one node. These cases measure what that could save, at tutorial 17's two sizes
// (batch 32; 1 input and 64 units, the waves' decoder; 64 inputs and 128 units, the ratings'):
//
//   build/bench/bench_lstm
//
//   lstm_step/in/hidden       one step, forward + backward, as the tutorial's models take it
//   lstm_products/in/hidden   only the step's matrix products, on plain tensors: the four gates'
//                             z·Wᵀ forward, and backward dW += daᵀ·z and dz += da·W for each
//                             (what any cell, fused or not, has to compute)
//   sequence_step             one training step of tutorial 17's waves model (32 steps in,
//                             32 out, batch 32): forward, backward, Adam
// The difference between lstm_step and lstm_products bounds what fusing can save.
#include <benchmark/benchmark.h>

#include <cstddef>

#include "autograd/loss.hpp"
#include "autograd/ops.hpp"
#include "models/sequence_autoencoder.hpp"
#include "nn/adam.hpp"
#include "nn/lstm.hpp"
#include "tensor/float_mode.hpp"
#include "tensor/matmul.hpp"
#include "tensor/parallel.hpp"

namespace {

using hg::Tensor;
using hg::Var;
constexpr std::size_t kBatch = 32;

void setup() {
    hg::set_num_threads(1);
    hg::set_flush_denormal(true);
}

void lstm_step(benchmark::State& state) {
    setup();
    const auto in = static_cast<std::size_t>(state.range(0)), hidden = static_cast<std::size_t>(state.range(1));
    hg::Rng rng(1);
    hg::LstmCell cell(in, hidden, rng);
    const Var x = Var::constant(Tensor::normal({kBatch, in}, 0, 1, rng));
    const hg::LstmState s{Var::constant(Tensor::normal({kBatch, hidden}, 0, 0.5f, rng)),
                          Var::constant(Tensor::normal({kBatch, hidden}, 0, 0.5f, rng))};
    for (auto _ : state) {
        const hg::LstmState next = cell.step(x, s);
        hg::sum(next.h + next.c).backward();
        benchmark::ClobberMemory();
    }
}

void lstm_products(benchmark::State& state) {
    setup();
    const auto in = static_cast<std::size_t>(state.range(0)), hidden = static_cast<std::size_t>(state.range(1));
    hg::Rng rng(1);
    const Tensor z = Tensor::normal({kBatch, in + hidden}, 0, 1, rng), da = Tensor::normal({kBatch, hidden}, 0, 1, rng);
    Tensor w[4], dw[4];
    for (int k = 0; k < 4; ++k) w[k] = Tensor::normal({hidden, in + hidden}, 0, 0.1f, rng), dw[k] = Tensor::zeros(w[k].shape());
    for (auto _ : state) {
        Tensor dz = Tensor::zeros(z.shape());
        for (int k = 0; k < 4; ++k) {
            benchmark::DoNotOptimize(hg::matmul(z, w[k], false, true));
            dw[k] += hg::matmul(da, z, true, false);
            dz += hg::matmul(da, w[k]);
        }
        benchmark::DoNotOptimize(dz);
    }
}

void sequence_step(benchmark::State& state) {
    setup();
    hg::Rng rng(1);
    hg::models::SequenceAutoencoder model({.features = 1, .steps = 32, .code = 16, .hidden = 64}, rng);
    hg::Adam opt(model.parameters(), hg::AdamOptions(3e-3f));
    const Var x = Var::constant(Tensor::normal({kBatch, 32}, 0, 0.5f, rng));
    for (auto _ : state) {
        Var loss = hg::mse(model(x), x);
        opt.zero_grad();
        loss.backward();
        opt.step();
    }
}

}  // namespace

BENCHMARK(lstm_step)->ArgNames({"in", "hidden"})->Args({1, 64})->Args({64, 128})->Unit(benchmark::kMicrosecond);
BENCHMARK(lstm_products)->ArgNames({"in", "hidden"})->Args({1, 64})->Args({64, 128})->Unit(benchmark::kMicrosecond);
BENCHMARK(sequence_step)->Unit(benchmark::kMillisecond);

BENCHMARK_MAIN();
