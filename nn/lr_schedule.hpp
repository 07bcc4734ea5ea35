// StepLR — step decay of the learning rate (torch.optim.lr_scheduler.StepLR): after every
// step_size epochs the learning rate is multiplied by gamma,
//
//   lr(epoch) = lr₀ · γ^⌊epoch / step_size⌋
//
//   hg::SGD opt(model.parameters(), hg::SGDOptions(0.1f));
//   hg::StepLR schedule(opt, 30, 0.1f);     // 0.1 for epochs 0..29, 0.01 for 30..59, ...
//   for (int epoch = 0; epoch < 100; ++epoch) {
//       train_one_epoch(opt);
//       schedule.step();                    // once per epoch, after the optimiser's steps
//   }
#pragma once

#include <cstddef>

#include "nn/optimizer.hpp"

namespace hg {

class StepLR {
public:
    StepLR(Optimizer& optimizer, std::size_t step_size, float gamma = 0.1f);

    void step();  // one epoch done: set the optimiser's lr for the next one
    std::size_t epoch() const { return epoch_; }
    float lr() const { return optimizer_.lr(); }

private:
    Optimizer& optimizer_;
    float base_lr_;
    std::size_t step_size_;
    float gamma_;
    std::size_t epoch_ = 0;
};

}  // namespace hg
