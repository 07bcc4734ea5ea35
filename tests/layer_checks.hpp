// Checks for the author of a new layer (EXTENDING.md): does a training step allocate, and
// are the layer's buffers really what save() writes and load() fills?
//
//   CHECK(hg::test::allocations_in_autoencoder_steps([] {
//       hg::Rng rng(1);
//       return hg::sequential({std::make_shared<MyLayer>(8), std::make_shared<hg::Linear>(8, 8, rng)});
//   }, hg::Shape{16, 8}) == 0);
//   CHECK(hg::test::buffer_round_trip_problems([] { return std::make_shared<MyLayer>(4); }, x) == "");
//
// tests/layer_checks.cpp replaces the global operator new of the program it is linked into
// to count its calls: only the nn suite links it (tests/meson.build).
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <string>

#include "nn/module.hpp"

namespace hg::test {

// Calls of the global operator new since the program started.
std::size_t operator_new_calls();

// Whether every allocation is counted and the memory pool recycles: false in the
// sanitizer build (./lab sanitize), which keeps its own operator new and no pool.
bool allocations_counted();

// The calls of operator new during `steps` calls of a step, after `warmup` calls that fill
// the memory pool (tensor/kernels/pool.hpp). make_step builds what the step needs and
// returns the step; it runs on a new thread, whose pool starts empty whatever ran before.
std::size_t allocations_in_steps(const std::function<std::function<void()>()>& make_step, int warmup = 5,
                                 int steps = 100);

// The same for the usual step of a model trained as an autoencoder: mse(model(x), x) on one
// fixed batch x of shape `input` (uniform in [0, 1]), zero_grad, backward, an Adam step.
std::size_t allocations_in_autoencoder_steps(const std::function<std::shared_ptr<Module>()>& make_model,
                                             const Shape& input, int warmup = 5, int steps = 100);

// For a layer whose buffers move in training mode (running statistics): what is wrong with
// its state, or "" if nothing is. A layer from make() runs `passes` training-mode forward
// passes on x; its buffers must then differ from a fresh layer's (else they never moved, or
// moved in tensors that are not the registered ones); it is saved, a fresh layer loads the
// file, and both must give the same evaluation-mode output on x.
std::string buffer_round_trip_problems(const std::function<std::shared_ptr<Module>()>& make, const Tensor& x,
                                       int passes = 3);

}  // namespace hg::test
