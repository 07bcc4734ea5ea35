#include "tutorials/common/epochs.hpp"

#include <algorithm>
#include <cmath>

#include "autograd/anomaly.hpp"

namespace hg::tutorial {

EpochLoop::EpochLoop(Tutorial& t, std::string label, const Tensor& data, std::size_t batch_size, int epochs,
                     std::uint64_t seed)
    : t_(t), label_(std::move(label)), data_(data), epochs_(epochs), own_rng_(std::in_place, seed),
      sampler_(data.rows(), batch_size, *own_rng_) {}

EpochLoop::EpochLoop(Tutorial& t, std::string label, const Tensor& data, std::size_t batch_size, int epochs, Rng& rng)
    : t_(t), label_(std::move(label)), data_(data), epochs_(epochs), sampler_(data.rows(), batch_size, rng) {}

bool EpochLoop::next_epoch() {
    if (epoch_ == 0 && !label_.empty()) progress_.emplace(t_, label_ + " epoch", epochs_);
    if (epoch_ >= epochs_) return false;
    ++epoch_;
    order_ = sampler_.epoch();
    current_ = 0;
    loss_ = {};
    return true;
}

EpochLoop::Batches EpochLoop::batches() { return Batches(*this); }

EpochLoop::Batches::Iterator EpochLoop::Batches::begin() {
    loop_.batches_start_ = loop_.t_.seconds();
    return {loop_, 0};
}

EpochLoop::Batches::Iterator& EpochLoop::Batches::Iterator::operator++() {
    if (++i_ == loop_->order_.size()) loop_->seconds_.push_back(loop_->t_.seconds() - loop_->batches_start_);
    return *this;
}

double EpochLoop::median_epoch_seconds() const {
    if (seconds_.empty()) return 0;
    std::vector<double> sorted = seconds_;
    std::sort(sorted.begin(), sorted.end());
    return sorted[sorted.size() / 2];
}

Batch EpochLoop::Batches::Iterator::operator*() const {
    loop_->current_ = i_;
    const std::vector<std::size_t>& rows = loop_->order_[i_];
    return {rows, Var::constant(loop_->data_.gather_rows(rows))};
}

void EpochLoop::add(const Var& loss) {
    const double value = loss.item();
    auto where = [&] {  // built only for an error: a batch allocates nothing here
        return " in epoch " + std::to_string(epoch_) + ", batch " + std::to_string(current_ + 1) + " of " +
               std::to_string(order_.size());
    };
    if (!std::isfinite(value)) throw hg::NumericError(label_ + ": the loss is " + std::to_string(value) + where());
    if (epoch_ == 1 && current_ == 0 && value > 0) first_loss_ = value;
    constexpr double kDiverged = 1000;  // no run that learns grows its loss a thousandfold
    if (first_loss_ > 0 && value > kDiverged * first_loss_)
        throw hg::NumericError(label_ + ": the loss grew from " + scientific(first_loss_, 3) + " in the first batch to " +
                               scientific(value, 3) + where() + " (more than 1000 times): training is diverging");
    loss_.add(value, order_[current_].size());
}

void EpochLoop::report(const std::string& status) {
    if (!progress_) return;
    progress_->update(epoch_, status);
    if (epoch_ == epochs_) progress_->finish();
}

}  // namespace hg::tutorial
