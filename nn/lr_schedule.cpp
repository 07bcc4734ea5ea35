#include "nn/lr_schedule.hpp"

#include <cmath>

#include "tensor/error.hpp"

namespace hg {

StepLR::StepLR(Optimizer& optimizer, std::size_t step_size, float gamma)
    : optimizer_(optimizer), base_lr_(optimizer.lr()), step_size_(step_size), gamma_(gamma) {
    if (step_size == 0) throw ValueError("StepLR: step_size must be at least 1 epoch");
    if (!(gamma > 0.0f && gamma <= 1.0f))
        throw ValueError("StepLR: gamma = " + std::to_string(gamma) + " must be in (0, 1]");
}

void StepLR::step() {
    ++epoch_;
    // Computed from lr₀ each time (not multiplied in place), so no rounding drift builds up.
    const double decays = static_cast<double>(epoch_ / step_size_);
    optimizer_.set_lr(static_cast<float>(base_lr_ * std::pow(static_cast<double>(gamma_), decays)));
}

}  // namespace hg
