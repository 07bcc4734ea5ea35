#include "nn/conv2d.hpp"

#include "autograd/ops.hpp"
#include "nn/init.hpp"

namespace hg {

Conv2d::Conv2d(std::size_t in, std::size_t out, std::size_t kernel, Rng& rng, const Conv2dOptions& o)
    : Module("Conv2d"), in_(in), out_(out), kernel_(kernel), stride_(o.stride()), padding_(o.padding()),
      has_bias_(o.bias()) {
    if (in == 0 || out == 0 || kernel == 0)
        throw ValueError("Conv2d: in_channels = " + std::to_string(in) + ", out_channels = " + std::to_string(out) +
                         " and kernel_size = " + std::to_string(kernel) + " must all be positive");
    if (stride_ == 0) throw ValueError("Conv2d: the stride must be at least 1, got 0");
    Tensor w(Shape{out, in, kernel, kernel});
    const float p = o.init_param();
    switch (o.init()) {
        case Init::pytorch_default: init::pytorch_default(w, init::fan_in(w), rng); break;
        case Init::xavier_uniform: init::xavier_uniform(w, rng, p < 0 ? 1.0f : p); break;
        case Init::xavier_normal: init::xavier_normal(w, rng, p < 0 ? 1.0f : p); break;
        case Init::kaiming_uniform: init::kaiming_uniform(w, rng, p < 0 ? 0.0f : p); break;
        case Init::kaiming_normal: init::kaiming_normal(w, rng, p < 0 ? 0.0f : p); break;
    }
    const std::size_t fan_in = init::fan_in(w);
    weight_ = register_parameter("weight", std::move(w));
    if (has_bias_) {
        // As for Linear: U(-1/√fan_in, 1/√fan_in) with the default initialiser, zeros with the others.
        Tensor b(Shape{out});
        if (o.init() == Init::pytorch_default) init::pytorch_default(b, fan_in, rng);
        bias_ = register_parameter("bias", std::move(b));
    }
}

Var Conv2d::forward(const Var& x) {
    return has_bias_ ? conv2d(x, weight_, bias_, stride_, padding_) : conv2d(x, weight_, stride_, padding_);
}

std::string Conv2d::describe() const {
    return "in=" + std::to_string(in_) + ", out=" + std::to_string(out_) + ", kernel=" + std::to_string(kernel_) + "x" +
           std::to_string(kernel_) + ", stride=" + std::to_string(stride_) + ", padding=" + std::to_string(padding_) +
           (has_bias_ ? ", bias" : ", no bias");
}

Var Conv2d::bias() const {
    if (!has_bias_) throw ValueError("Conv2d(" + describe() + ") was built without a bias");
    return bias_;
}

MaxPool2d::MaxPool2d(std::size_t size) : Module("MaxPool2d"), size_(size) {
    if (size == 0) throw ValueError("MaxPool2d: the window size must be at least 1, got 0");
}

Upsample2d::Upsample2d(std::size_t factor) : Module("Upsample2d"), factor_(factor) {
    if (factor == 0) throw ValueError("Upsample2d: the factor must be at least 1, got 0");
}

}  // namespace hg
