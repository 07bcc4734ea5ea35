// The course's stacked autoencoder, which tutorial 03 trains and the benchmarks time:
// n_items-20-10-20-n_items, sigmoid on the three hidden layers, a linear output.
//
//   hg::Rng rng(42);
//   auto model = hg::tutorial::course_model(1682, rng);   // ml-100k's 1682 movies
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

}  // namespace hg::tutorial
