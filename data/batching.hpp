// Shuffled mini-batches of row indices, the same for every tutorial.
//
//   hg::Rng rng(seed);
//   BatchSampler batches(943, 32, rng);          // 943 users, 32 per batch, shuffled
//   for (int epoch = 0; epoch < epochs; ++epoch)
//       for (const std::vector<std::size_t>& rows : batches.epoch()) {
//           hg::Tensor x = matrix.dense_rows(rows);  // or images.gather_rows(rows)
//           ...
//       }
//
// Each epoch() visits every row once (a new random order each time when shuffle is on,
// drawn from the Rng you pass, so a seed gives the same batches). The last batch is
// smaller when batch_size does not divide n_rows, unless drop_last drops it.
#pragma once

#include <cstddef>
#include <vector>

#include "tensor/rng.hpp"

namespace hg::data {

class BatchSampler {
public:
    // rng must outlive the sampler (it is used at every epoch()).
    BatchSampler(std::size_t n_rows, std::size_t batch_size, Rng& rng, bool shuffle = true, bool drop_last = false);

    std::vector<std::vector<std::size_t>> epoch();  // the batches of one pass over the rows
    std::size_t batches_per_epoch() const;
    std::size_t n_rows() const { return n_rows_; }
    std::size_t batch_size() const { return batch_size_; }

private:
    std::size_t n_rows_, batch_size_;
    Rng* rng_;
    bool shuffle_, drop_last_;
};

}  // namespace hg::data
