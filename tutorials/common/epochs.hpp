// Mini-batch epochs with the bookkeeping every training loop shares: a shuffled pass over
// the rows of the data each epoch, each batch's rows as a Var, the epoch's running mean
// loss, and a progress line. The training step itself stays in the tutorial, in sight:
//
//   tut::EpochLoop loop(t, "plain", x_train, 64, epochs, seed);  // label, data, batch size, epochs, shuffle seed
//   while (loop.next_epoch()) {
//       for (const tut::Batch& b : loop.batches()) {
//           Var loss = hg::mse(model(b.x), b.x);
//           opt.zero_grad();
//           loss.backward();
//           opt.step();
//           loop.add(loss);  // into the epoch's mean, weighted by the batch's rows
//       }
//       losses.push_back(loop.mean_loss());
//       loop.report("train MSE " + tut::fixed(loop.mean_loss(), 4));  // "plain epoch 3/10  train MSE 0.0123  ..."
//   }
//
// b.rows says which rows of the data the batch holds (to pick their labels). The loop also
// times each epoch's batches; median_epoch_seconds() is the figure a tutorial reports. An
// empty label trains silently (no progress line). A loss that is NaN or Inf, or that grows
// to more than 1000 times the first batch's (training is diverging, though the numbers are
// still finite), stops the run with hg::NumericError, which the tutorial reports with
// advice on what to try.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "autograd/var.hpp"
#include "data/batching.hpp"
#include "tensor/rng.hpp"
#include "tensor/tensor.hpp"
#include "tutorials/common/tutorial.hpp"

namespace hg::tutorial {

// A mean over examples, from per-batch means: add(batch_mean, batch_rows), then mean().
struct RunningMean {
    double sum = 0;
    std::size_t count = 0;
    void add(double value, std::size_t n = 1) {
        sum += value * static_cast<double>(n);
        count += n;
    }
    double mean() const { return count > 0 ? sum / static_cast<double>(count) : 0.0; }
};

struct Batch {
    const std::vector<std::size_t>& rows;  // which rows of the data
    Var x;                                 // those rows, a constant (batch x columns)
};

class EpochLoop {
public:
    // Shuffles with an Rng of its own, seeded with `seed`.
    EpochLoop(Tutorial& t, std::string label, const Tensor& data, std::size_t batch_size, int epochs, std::uint64_t seed);
    // Shuffles with `rng`, shared with the caller (who may draw noise from it between batches).
    EpochLoop(Tutorial& t, std::string label, const Tensor& data, std::size_t batch_size, int epochs, Rng& rng);

    bool next_epoch();        // starts the next epoch (a new shuffled order); false after the last
    int epoch() const { return epoch_; }  // 1, 2, ..., epochs

    class Batches;
    Batches batches();        // this epoch's batches, each gathered when the loop reaches it

    void add(const Var& loss);                      // the batch's mean loss, into the epoch's mean
    double mean_loss() const { return loss_.mean(); }
    void report(const std::string& status);         // the progress line for this epoch

    // The seconds each finished epoch spent in its batches (from the first batch to the end
    // of the last one: training, not the evaluation after it), and their median.
    const std::vector<double>& epoch_seconds() const { return seconds_; }
    double median_epoch_seconds() const;

private:
    Tutorial& t_;
    std::string label_;
    const Tensor& data_;
    int epochs_, epoch_ = 0;
    std::optional<Rng> own_rng_;
    hg::data::BatchSampler sampler_;
    std::vector<std::vector<std::size_t>> order_;  // this epoch's batches of row indices
    std::size_t current_ = 0;                      // the batch the loop is at
    RunningMean loss_;
    double first_loss_ = 0;  // the first batch's, when positive: the yardstick of a diverging run
    std::optional<Progress> progress_;
    double batches_start_ = 0;     // t_.seconds() when this epoch's first batch began
    std::vector<double> seconds_;  // of each finished epoch
};

class EpochLoop::Batches {
public:
    class Iterator {
    public:
        Iterator(EpochLoop& loop, std::size_t i) : loop_(&loop), i_(i) {}
        Batch operator*() const;
        Iterator& operator++();
        bool operator!=(const Iterator& other) const { return i_ != other.i_; }

    private:
        EpochLoop* loop_;
        std::size_t i_;
    };
    explicit Batches(EpochLoop& loop) : loop_(loop) {}
    Iterator begin();
    Iterator end() { return {loop_, loop_.order_.size()}; }

private:
    EpochLoop& loop_;
};

}  // namespace hg::tutorial
