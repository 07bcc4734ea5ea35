#include "nn/kernel_linear.hpp"

#include <string>

#include "autograd/ops.hpp"
#include "nn/init.hpp"

namespace hg {

Var local_kernel(const Var& u, const Var& v) {
    CompositeScope scope("local_kernel");
    if (u.value().rank() != 2 || v.value().rank() != 2 || u.shape()[1] != v.shape()[1])
        throw ShapeError("local_kernel: u " + u.shape().str() + " and v " + v.shape().str() +
                         " must be (n_u x d) and (n_v x d) with the same d");
    const Var vv = sum(square(v), 1, true);                           // (n_v x 1)
    const Var uu = reshape(sum(square(u), 1), {1, u.shape()[0]});     // (1 x n_u)
    const Var dist2 = vv + uu - 2.0f * matmul(v, transpose(u));       // (n_v x n_u)
    return relu(1.0f - dist2);
}

Var kernel_linear(const Var& x, const Var& weight, const Var& bias, const Var& u, const Var& v) {
    CompositeScope scope("kernel_linear");
    return linear(x, weight * local_kernel(u, v), bias);
}

KernelLinear::KernelLinear(std::size_t in, std::size_t out, Rng& rng, std::size_t dims)
    : Module("KernelLinear"), in_(in), out_(out), dims_(dims) {
    if (in == 0 || out == 0 || dims == 0)
        throw ValueError("KernelLinear: in = " + std::to_string(in) + ", out = " + std::to_string(out) +
                         " and dims = " + std::to_string(dims) + " must all be positive");
    Tensor w(Shape{out, in}), u(Shape{in, dims}), v(Shape{out, dims});
    init::xavier_uniform(w, rng);
    init::normal(u, 0.0f, 1e-3f, rng);
    init::normal(v, 0.0f, 1e-3f, rng);
    weight_ = register_parameter("weight", std::move(w));
    bias_ = register_parameter("bias", Tensor::zeros({out}));
    u_ = register_parameter("u", std::move(u));
    v_ = register_parameter("v", std::move(v));
}

Var KernelLinear::forward(const Var& x) {
    if (x.value().rank() != 2 || x.shape()[1] != in_)
        throw ShapeError("KernelLinear(" + describe() + "): the input has shape " + x.shape().str() +
                         " but the layer expects (N x " + std::to_string(in_) + "), one example per row");
    return kernel_linear(x, weight_, bias_, u_, v_);
}

Var KernelLinear::penalty(float lambda_s, float lambda_2) const {
    return (0.5f * lambda_s) * sum(square(kernel())) + (0.5f * lambda_2) * sum(square(weight_));
}

std::string KernelLinear::describe() const {
    return "in=" + std::to_string(in_) + ", out=" + std::to_string(out_) + ", kernel dims=" + std::to_string(dims_);
}

}  // namespace hg
