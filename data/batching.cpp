#include "data/batching.hpp"

#include <algorithm>
#include <numeric>
#include <string>

#include "tensor/error.hpp"

namespace hg::data {

BatchSampler::BatchSampler(std::size_t n_rows, std::size_t batch_size, Rng& rng, bool shuffle, bool drop_last)
    : n_rows_(n_rows), batch_size_(batch_size), rng_(&rng), shuffle_(shuffle), drop_last_(drop_last) {
    if (batch_size == 0) throw ValueError("BatchSampler: batch_size must be at least 1");
    if (drop_last && batch_size > n_rows)
        throw ValueError("BatchSampler: batch_size " + std::to_string(batch_size) + " is larger than the " +
                         std::to_string(n_rows) + " rows, so drop_last would leave no batch at all");
}

std::size_t BatchSampler::batches_per_epoch() const {
    return drop_last_ ? n_rows_ / batch_size_ : (n_rows_ + batch_size_ - 1) / batch_size_;
}

std::vector<std::vector<std::size_t>> BatchSampler::epoch() {
    std::vector<std::size_t> order(n_rows_);
    std::iota(order.begin(), order.end(), std::size_t{0});
    if (shuffle_) rng_->shuffle(order);
    std::vector<std::vector<std::size_t>> batches;
    batches.reserve(batches_per_epoch());
    for (std::size_t b = 0; b < batches_per_epoch(); ++b) {
        const std::size_t begin = b * batch_size_, end = std::min(begin + batch_size_, n_rows_);
        batches.emplace_back(order.begin() + static_cast<std::ptrdiff_t>(begin),
                             order.begin() + static_cast<std::ptrdiff_t>(end));
    }
    return batches;
}

}  // namespace hg::data
