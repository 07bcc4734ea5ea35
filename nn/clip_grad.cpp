#include "nn/clip_grad.hpp"

#include <cmath>

#include "nn/optimizer.hpp"

namespace hg {

float clip_grad_norm(const std::vector<Var>& params, float max_norm) {
    if (!(max_norm > 0.0f)) throw ValueError("clip_grad_norm: max_norm = " + std::to_string(max_norm) + " must be > 0");
    double total = 0;  // Σ g², in double
    for (const Var& p : params) {
        if (!p.has_grad()) continue;
        const Tensor& g = p.grad();
        double sq = 0;
        for (std::size_t k = 0; k < g.numel(); ++k) sq += static_cast<double>(g[k]) * g[k];
        if (!std::isfinite(sq))
            throw NumericError("clip_grad_norm: the gradient of '" + p.label() + "' " + g.shape().str() +
                               " holds NaN or Inf; the loss or a backward rule overflowed");
        total += sq;
    }
    const double norm = std::sqrt(total);
    const double coef = static_cast<double>(max_norm) / (norm + 1e-6);
    if (coef < 1.0)
        for (Var p : params)  // a Var is a handle: the copy shares the node and its grad
            if (p.has_grad()) p.grad() *= static_cast<float>(coef);
    return static_cast<float>(norm);
}

}  // namespace hg
