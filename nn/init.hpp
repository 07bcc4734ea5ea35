// Weight initialisers. Each fills a tensor in place from an explicit hg::Rng, so a model
// is reproduced exactly by its seed. For a weight of shape (out x in), as Linear stores
// it, fan_in = in and fan_out = out; for a convolution weight (C_out x C_in x kH x kW),
// as Conv2d stores it, fan_in = C_in·kH·kW and fan_out = C_out·kH·kW (as in PyTorch).
//
//   init::pytorch_default  U(-1/√fan_in, 1/√fan_in) for weight and bias — what
//                          torch.nn.Linear does (kaiming_uniform with a = √5 works out to this)
//   init::xavier_uniform   U(-b, b), b = gain·√(6 / (fan_in + fan_out))     Glorot & Bengio 2010
//   init::xavier_normal    N(0, s²), s = gain·√(2 / (fan_in + fan_out))
//   init::kaiming_uniform  U(-b, b), b = gain·√(3 / fan_in), gain = √(2/(1+a²))  He et al. 2015
//   init::kaiming_normal   N(0, s²), s = gain / √fan_in
//
// Xavier keeps the variance of activations and gradients roughly equal across layers of
// sigmoid/tanh units; Kaiming does the same for ReLU units (which zero half their inputs).
//
//   hg::Rng rng(0);
//   hg::Tensor w(hg::Shape{20, 1682});
//   hg::init::xavier_uniform(w, rng, hg::init::gain("sigmoid"));
#pragma once

#include <string>

#include "tensor/tensor.hpp"

namespace hg {
// How a layer initialises its weight (LinearOptions::init, Conv2dOptions::init): one of
// the initialisers below, with the layer's fan_in and fan_out.
enum class Init { pytorch_default, xavier_uniform, xavier_normal, kaiming_uniform, kaiming_normal };
}  // namespace hg

namespace hg::init {

// The recommended gain of a nonlinearity (PyTorch's calculate_gain): linear/identity/sigmoid 1,
// tanh 5/3, relu √2, leaky_relu √(2/(1+slope²)), selu 3/4. Throws ValueError for others.
float gain(const std::string& nonlinearity, float negative_slope = 0.01f);

// fan_in and fan_out of a weight: (out x in) for 2-D; a 1-D tensor counts as (n x 1); a 4-D
// convolution weight (C_out x C_in x kH x kW) counts each kernel pixel (see above).
std::size_t fan_in(const Tensor& w);
std::size_t fan_out(const Tensor& w);

void uniform(Tensor& t, float lo, float hi, Rng& rng);
void normal(Tensor& t, float mean, float stddev, Rng& rng);
void constant(Tensor& t, float value);

// PyTorch's default for nn.Linear: U(-1/√fan_in, 1/√fan_in). For the bias pass the
// weight's fan_in, as PyTorch does.
void pytorch_default(Tensor& t, std::size_t fan_in, Rng& rng);
void xavier_uniform(Tensor& w, Rng& rng, float gain = 1.0f);
void xavier_normal(Tensor& w, Rng& rng, float gain = 1.0f);
// a: the negative slope of the rectifier that follows (0 for ReLU).
void kaiming_uniform(Tensor& w, Rng& rng, float a = 0.0f);
void kaiming_normal(Tensor& w, Rng& rng, float a = 0.0f);

}  // namespace hg::init
