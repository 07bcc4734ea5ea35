// Activation layers: each wraps one autograd op (autograd/ops_activation.cpp holds the
// maths and the backward rules), so a model can be written as a Sequential of layers.
//
//   auto model = hg::sequential({std::make_shared<hg::Linear>(8, 3, rng), std::make_shared<hg::Sigmoid>(),
//                                std::make_shared<hg::Linear>(3, 8, rng)});
#pragma once

#include <string>

#include "autograd/ops.hpp"
#include "nn/module.hpp"
#include "tensor/format.hpp"

namespace hg {

// σ(x) = 1 / (1 + e^-x)
class Sigmoid : public Module {
public:
    Sigmoid() : Module("Sigmoid") {}
    Var forward(const Var& x) override { return sigmoid(x); }
};

// tanh(x)
class Tanh : public Module {
public:
    Tanh() : Module("Tanh") {}
    Var forward(const Var& x) override { return tanh(x); }
};

// max(x, 0)
class ReLU : public Module {
public:
    ReLU() : Module("ReLU") {}
    Var forward(const Var& x) override { return relu(x); }
};

// x for x > 0, slope·x otherwise
class LeakyReLU : public Module {
public:
    explicit LeakyReLU(float negative_slope = 0.01f) : Module("LeakyReLU"), slope_(negative_slope) {}
    Var forward(const Var& x) override { return leaky_relu(x, slope_); }
    std::string describe() const override { return "negative_slope=" + format_number(slope_); }

private:
    float slope_;
};

// x for x > 0, α(e^x − 1) otherwise
class ELU : public Module {
public:
    explicit ELU(float alpha = 1.0f) : Module("ELU"), alpha_(alpha) {}
    Var forward(const Var& x) override { return elu(x, alpha_); }
    std::string describe() const override { return "alpha=" + format_number(alpha_); }

private:
    float alpha_;
};

// λ·ELU_α(x) with the self-normalising constants of Klambauer et al. 2017
class SELU : public Module {
public:
    SELU() : Module("SELU") {}
    Var forward(const Var& x) override { return selu(x); }
};

// log(1 + e^x)
class Softplus : public Module {
public:
    Softplus() : Module("Softplus") {}
    Var forward(const Var& x) override { return softplus(x); }
};

// x (a placeholder: "no activation here")
class Identity : public Module {
public:
    Identity() : Module("Identity") {}
    Var forward(const Var& x) override { return x; }
};

}  // namespace hg
