// The differentiable ops on hg::Var. Each one computes its value now and records a
// backward rule; the rule's maths is one comment line beside it in the .cpp file of its
// family:
//   ops_elementwise.cpp  add mul scale add_scalar pow exp log sqrt abs, and the composites
//   ops_matmul.cpp       matmul linear transpose reshape concat
//   ops_reduce.cpp       sum mean
//   ops_activation.cpp   sigmoid tanh relu leaky_relu elu selu softplus gelu softmax
//                        log_softmax topk_mask dropout
//   ops_conv.cpp         conv2d max_pool2d upsample2d (NCHW batches of images)
// and the losses and penalties, declared in autograd/loss.hpp (ops_loss.cpp).
// Binary element-wise ops broadcast like NumPy; their rules hand the full-size gradient
// to Var::accumulate_grad, which sums it back to each input's shape (the one place that
// undoes broadcasting). Adding an op of your own: EXTENDING.md.
#pragma once

#include <cstddef>
#include <vector>

#include "autograd/var.hpp"
#include "tensor/rng.hpp"

namespace hg {

// ---- element-wise ----
Var add(const Var& a, const Var& b);
Var mul(const Var& a, const Var& b);
Var sub(const Var& a, const Var& b);      // a + (-1)·b
Var div(const Var& a, const Var& b);      // a · b^-1
Var neg(const Var& a);                    // (-1)·a
Var scale(const Var& a, float s);         // s·a
Var add_scalar(const Var& a, float s);    // a + s
Var pow(const Var& a, float p);           // a^p
Var square(const Var& a);                 // a^2
Var exp(const Var& a);
Var log(const Var& a);
Var sqrt(const Var& a);
Var abs(const Var& a);                    // its gradient at 0 is taken as 0
// a ⊙ mask for a constant 0/1 mask: only the kept entries pass values and gradients
// ("only rated movies count").
Var mask(const Var& a, const Tensor& mask);

// Arithmetic operators: + - * / between two Vars, and between a Var and a float on either
// side (2.0f / x is 2·x^-1). Each builds a new node; none changes a value in place.
Var operator+(const Var& a, const Var& b);
Var operator-(const Var& a, const Var& b);
Var operator*(const Var& a, const Var& b);
Var operator/(const Var& a, const Var& b);
Var operator-(const Var& a);
Var operator+(const Var& a, float s);
Var operator+(float s, const Var& a);
Var operator-(const Var& a, float s);
Var operator-(float s, const Var& a);
Var operator*(const Var& a, float s);
Var operator*(float s, const Var& a);
Var operator/(const Var& a, float s);
Var operator/(float s, const Var& a);

// Compound assignment rebinds the handle: `loss += penalty` is `loss = loss + penalty`, so
// loss names a new node of the graph and the old node keeps its value (other handles to it,
// and the ops that used it, see no change). Unlike PyTorch's `y += x`, which writes into
// y's tensor, nothing is changed in place, so the graph stays correct. To change a value in
// place, use Var::mutable_value() (autograd/var.hpp).
Var& operator+=(Var& a, const Var& b);
Var& operator-=(Var& a, const Var& b);
Var& operator*=(Var& a, const Var& b);
Var& operator/=(Var& a, const Var& b);
Var& operator+=(Var& a, float s);
Var& operator-=(Var& a, float s);
Var& operator*=(Var& a, float s);
Var& operator/=(Var& a, float s);

// ---- matrices and layout ----
Var matmul(const Var& a, const Var& b);   // (M x K)·(K x N)
// The affine map of a Linear layer, as one op: Y = X·Wᵀ + b for X (N x in), W (out x in),
// b (out) -- the weight stored as torch.nn.Linear stores it.
Var linear(const Var& x, const Var& weight, const Var& bias);
Var linear(const Var& x, const Var& weight);  // no bias
Var transpose(const Var& a);              // 2-D
Var reshape(const Var& a, const Shape& shape);
Var concat(const std::vector<Var>& parts, int axis = 0);

// ---- reductions ----
Var sum(const Var& a);                                  // all elements -> 0-D
Var sum(const Var& a, int axis, bool keepdim = false);
Var mean(const Var& a);                                 // sum / n
Var mean(const Var& a, int axis, bool keepdim = false);

// ---- activations ----
Var sigmoid(const Var& a);
Var tanh(const Var& a);
Var relu(const Var& a);
Var leaky_relu(const Var& a, float negative_slope = 0.01f);
Var elu(const Var& a, float alpha = 1.0f);
Var selu(const Var& a);
Var softplus(const Var& a);
// >>> EXTENDING.md: gelu declaration
Var gelu(const Var& a);          // x·Φ(x), Φ the standard normal CDF (the exact GELU, not tanh's)
// <<< EXTENDING.md: gelu declaration
Var softmax(const Var& a);       // over the last axis (each row of a 2-D tensor)
Var log_softmax(const Var& a);   // over the last axis, computed stably

// Keep the k largest entries of each row (last axis), zero the rest; gradients flow only
// through the kept entries (the k-sparse autoencoder's selection).
Var topk_mask(const Var& a, std::size_t k);

// Inverted dropout: zero each entry with probability p and scale the survivors by
// 1/(1-p), so the expected value is unchanged. Pass training = false to get a unchanged.
Var dropout(const Var& a, float p, Rng& rng, bool training = true);

// ---- images: NCHW batches (N x C x H x W) ----
// 2-D convolution (cross-correlation, as in every framework): weight (C_out x C_in x kH x kW),
// bias (C_out); zero padding on all four sides; output (N x C_out x OH x OW) with
// OH = ⌊(H + 2·padding − kH) / stride⌋ + 1. Computed as im2col + one matrix product per
// image (ops_conv.cpp).
Var conv2d(const Var& x, const Var& weight, const Var& bias, std::size_t stride = 1, std::size_t padding = 0);
Var conv2d(const Var& x, const Var& weight, std::size_t stride = 1, std::size_t padding = 0);  // no bias
// The largest value of each size x size window, windows stride `size` apart. Odd sizes
// round UP (ceil mode): the last row/column of windows is cut short, so 7x7 -> 4x4 with
// size 2 (as Keras's MaxPooling2D(padding="same")); no window reads padding.
Var max_pool2d(const Var& x, std::size_t size = 2);
// Nearest-neighbour upsampling: each pixel becomes a factor x factor block (H x W -> fH x fW).
Var upsample2d(const Var& x, std::size_t factor = 2);

}  // namespace hg
