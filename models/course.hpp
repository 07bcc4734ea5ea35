// The course's stacked autoencoder for the movie recommender (tutorial 03), and the
// optimiser settings the course's code uses; bench/pytorch/course_sae.py is the same recipe
// in PyTorch, and the course reports a course metric of 0.9495 with it.
//
//   n_items-20-10-20-n_items, sigmoid on the three hidden layers, a linear output.
//
//   hg::Rng rng(42);
//   auto model = hg::models::course_model(1682, rng);   // ml-100k's 1682 movies
//   hg::RMSprop opt(model->parameters(), hg::models::course_rmsprop());
//
// Its loss is hg::masked_mse(model(x), x, x != 0): the squared error on the rated movies,
// divided by ALL n_items (as nn.MSELoss on the masked row). The course never zeroes the
// gradients between steps; tutorial 03 shows why that matters.
#pragma once

#include <cstddef>
#include <memory>

#include "nn/rmsprop.hpp"
#include "nn/sequential.hpp"
#include "tensor/rng.hpp"

namespace hg::models {

std::shared_ptr<Sequential> course_model(std::size_t n_items, Rng& rng);

// RMSprop(lr 0.01, alpha 0.99, eps 1e-8, weight_decay 0.5), as the course's code sets it.
RMSpropOptions course_rmsprop();

}  // namespace hg::models
