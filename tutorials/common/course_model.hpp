// The course's stacked autoencoder, which tutorial 03 trains and the benchmarks time:
// n_items-20-10-20-n_items, sigmoid on the three hidden layers, a linear output; and the
// course's optimiser for it.
//
//   hg::Rng rng(42);
//   auto model = hg::tutorial::course_model(1682, rng);   // ml-100k's 1682 movies
//   hg::RMSprop opt(model->parameters(), hg::tutorial::course_rmsprop());
#pragma once

#include <cstddef>
#include <memory>

#include "nn/nn.hpp"

namespace hg::tutorial {

inline std::shared_ptr<Sequential> course_model(std::size_t n_items, Rng& rng) {
    return sequential({std::make_shared<Linear>(n_items, 20, rng), std::make_shared<Sigmoid>(),
                       std::make_shared<Linear>(20, 10, rng), std::make_shared<Sigmoid>(),
                       std::make_shared<Linear>(10, 20, rng), std::make_shared<Sigmoid>(),
                       std::make_shared<Linear>(20, n_items, rng)});
}

// RMSprop(lr 0.01, alpha 0.99, eps 1e-8, weight_decay 0.5), as the course's code sets it.
inline RMSpropOptions course_rmsprop() { return RMSpropOptions(0.01f).alpha(0.99f).eps(1e-8f).weight_decay(0.5f); }

}  // namespace hg::tutorial
