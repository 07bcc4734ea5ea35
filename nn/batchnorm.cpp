#include "nn/batchnorm.hpp"

#include <string>

#include "autograd/ops.hpp"
#include "tensor/format.hpp"

namespace hg {

// >>> EXTENDING.md: batchnorm constructor
BatchNorm1d::BatchNorm1d(std::size_t features, float eps, float momentum)
    : Module("BatchNorm1d"), features_(features), eps_(eps), momentum_(momentum) {
    if (features == 0) throw ValueError("BatchNorm1d: the number of features must be positive");
    if (!(eps > 0) || !(momentum >= 0 && momentum <= 1))
        throw ValueError("BatchNorm1d: eps = " + format_number(eps) + " must be positive and momentum = " +
                         format_number(momentum) + " in [0, 1]");
    weight_ = register_parameter("weight", Tensor::ones({features}));  // γ, trained
    bias_ = register_parameter("bias", Tensor::zeros({features}));     // β, trained
    running_mean_ = register_buffer("running_mean", Tensor::zeros({features}));  // saved, not trained
    running_var_ = register_buffer("running_var", Tensor::ones({features}));
}
// <<< EXTENDING.md: batchnorm constructor

// >>> EXTENDING.md: batchnorm forward
Var BatchNorm1d::forward(const Var& x) {
    const Shape& s = x.shape();
    if (s.rank() != 2 || s[1] != features_)  // the message is built only when the check fails
        throw ShapeError("BatchNorm1d: the input has shape " + s.str() + " but the layer expects (N x " +
                         std::to_string(features_) + ")");
    if (!is_training())  // evaluation: the running statistics, constants of the graph
        return (x - running_mean_) * pow(running_var_ + eps_, -0.5f) * weight_ + bias_;

    const std::size_t n = s[0];
    if (n < 2)
        throw ShapeError("BatchNorm1d: training needs at least 2 rows per batch, got " + s.str() +
                         " (a variance of one value is 0; call eval() to use the running statistics)");
    Var mean = hg::mean(x, 0, true);                      // μ_B (1 x F)
    Var centred = x - mean;
    Var var = hg::mean(square(centred), 0, true);         // σ²_B (1 x F), biased
    // The running statistics move in place: load() copies into these very tensors, so a new
    // Var assigned to running_mean_ would no longer be what save() writes.
    const float m = momentum_, unbiased = static_cast<float>(n) / static_cast<float>(n - 1);
    float* rm = running_mean_.mutable_value().data();
    float* rv = running_var_.mutable_value().data();
    for (std::size_t f = 0; f < features_; ++f) {
        rm[f] = (1 - m) * rm[f] + m * mean.value()[f];
        rv[f] = (1 - m) * rv[f] + m * var.value()[f] * unbiased;
    }
    return centred * pow(var + eps_, -0.5f) * weight_ + bias_;
}
// <<< EXTENDING.md: batchnorm forward

std::string BatchNorm1d::describe() const {
    return "features=" + std::to_string(features_) + ", eps=" + format_number(eps_) + ", momentum=" + format_number(momentum_);
}

}  // namespace hg
