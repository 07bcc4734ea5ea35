// Gradient checking: compare an op's analytic backward with central differences.
//
// For a function f of some input tensors, the check builds the scalar
//   L(x) = Σ f(x) ⊙ R       (R: fixed random weights, so every output element matters)
// and compares dL/dx from backward() with (L(x + ε e_i) − L(x − ε e_i)) / 2ε for every
// element i of every input. An element passes when |analytic − numeric| ≤ atol + rtol·|numeric|.
//
//   auto r = hg::gradcheck([](const std::vector<hg::Var>& v) { return hg::tanh(v[0]); },
//                          {hg::Tensor::normal({3, 4}, 0, 1, rng)});
//   if (!r.ok) std::cout << r.str();   // names the worst element, analytic vs numeric
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "autograd/var.hpp"

namespace hg {

struct GradCheckOptions {
    float eps = 1e-2f;    // the step of the central difference
    double atol = 1e-3;
    double rtol = 1e-2;
    std::uint64_t seed = 1234;  // for the weights R
};

struct GradCheckResult {
    bool ok = true;
    std::size_t input = 0;  // where the worst element is: which input ...
    std::size_t index = 0;  // ... and which flat index in it
    double analytic = 0, numeric = 0;
    double worst_ratio = 0;  // |analytic − numeric| / (atol + rtol·|numeric|); ok when ≤ 1
    std::string str() const;
};

using GradCheckFn = std::function<Var(const std::vector<Var>&)>;

GradCheckResult gradcheck(const GradCheckFn& f, const std::vector<Tensor>& inputs,
                          const GradCheckOptions& options = {});

}  // namespace hg
