#include "nn/linear.hpp"

#include <string>

#include "autograd/ops.hpp"
#include "nn/init.hpp"

namespace hg {

namespace {

// who() names the layer in the message; it is only called when the check fails.
template <class Who>
void check_input(const Var& x, std::size_t in, Who who) {
    if (x.value().rank() != 2 || x.shape()[1] != in)
        throw ShapeError(who() + ": the input has shape " + x.shape().str() + " but the layer expects (N x " +
                         std::to_string(in) + "), one example per row" +
                         (x.value().rank() == 1 ? " (reshape a single example to (1 x n))" : ""));
}

}  // namespace

Linear::Linear(std::size_t in, std::size_t out, Rng& rng, const LinearOptions& o)
    : Module("Linear"), in_(in), out_(out), has_bias_(o.bias()) {
    if (in == 0 || out == 0)
        throw ValueError("Linear: in = " + std::to_string(in) + " and out = " + std::to_string(out) +
                         " must both be positive");
    Tensor w(Shape{out, in});
    const float p = o.init_param();
    switch (o.init()) {
        case Init::pytorch_default: init::pytorch_default(w, in, rng); break;
        case Init::xavier_uniform: init::xavier_uniform(w, rng, p < 0 ? 1.0f : p); break;
        case Init::xavier_normal: init::xavier_normal(w, rng, p < 0 ? 1.0f : p); break;
        case Init::kaiming_uniform: init::kaiming_uniform(w, rng, p < 0 ? 0.0f : p); break;
        case Init::kaiming_normal: init::kaiming_normal(w, rng, p < 0 ? 0.0f : p); break;
    }
    weight_ = register_parameter("weight", std::move(w));
    if (has_bias_) {
        // PyTorch's default bias: U(-1/√in, 1/√in). With the other initialisers: zeros.
        Tensor b(Shape{out});
        if (o.init() == Init::pytorch_default) init::pytorch_default(b, in, rng);
        bias_ = register_parameter("bias", std::move(b));
    }
}

Var Linear::forward(const Var& x) {
    check_input(x, in_, [&] { return "Linear(in=" + std::to_string(in_) + ", out=" + std::to_string(out_) + ")"; });
    return has_bias_ ? linear(x, weight_, bias_) : linear(x, weight_);
}

std::string Linear::describe() const {
    return "in=" + std::to_string(in_) + ", out=" + std::to_string(out_) + (has_bias_ ? ", bias" : ", no bias");
}

Var Linear::bias() const {
    if (!has_bias_) throw ValueError("Linear(" + describe() + ") was built without a bias");
    return bias_;
}

TiedLinear::TiedLinear(const Linear& encoder, Rng& rng, bool bias)
    : Module("TiedLinear"), has_bias_(bias), weight_(encoder.weight()) {
    if (has_bias_) {
        Tensor b(Shape{encoder.in_features()});
        init::pytorch_default(b, encoder.out_features(), rng);
        bias_ = register_parameter("bias", std::move(b));
    }
}

Var TiedLinear::forward(const Var& x) {
    check_input(x, in_features(), [&] { return "TiedLinear(" + describe() + ")"; });
    // Y = X·W_enc + b   (W_enc is (in x out) from this layer's point of view: no copy needed)
    Var y = matmul(x, weight_);
    return has_bias_ ? y + bias_ : y;
}

std::string TiedLinear::describe() const {
    return "in=" + std::to_string(in_features()) + ", out=" + std::to_string(out_features()) +
           (has_bias_ ? ", bias" : ", no bias") + ", weight = transpose of " +
           (weight_.name().empty() ? std::string("the encoder's weight") : weight_.name());
}

}  // namespace hg
