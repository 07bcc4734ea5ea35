// Gradient-norm clipping (torch.nn.utils.clip_grad_norm_): if the gradients of all the
// parameters together, seen as one long vector, are longer than max_norm, scale them
// all down to length max_norm. The direction of the step is kept; only its size is capped.
//
//   ‖g‖ = √(Σ_p Σ_k g_pk²),   g ← g · min(1, max_norm / (‖g‖ + 1e-6))
//
//   loss.backward();
//   float norm = hg::clip_grad_norm(model.parameters(), 5.0f);   // the norm before clipping
//   opt.step();
#pragma once

#include <vector>

#include "autograd/var.hpp"

namespace hg {

// Returns the total norm before clipping. Throws NumericError (nn/optimizer.hpp) naming
// the parameter if a gradient holds NaN or Inf. Parameters without a gradient are skipped.
float clip_grad_norm(const std::vector<Var>& params, float max_norm);

}  // namespace hg
