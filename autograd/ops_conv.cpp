// Convolution, max-pooling and nearest-neighbour upsampling on NCHW batches of images:
// x is (N x C x H x W), image n channel c pixel (i, j) at ((n·C + c)·H + i)·W + j.
#include <algorithm>
#include <cstring>
#include <limits>
#include <string>

#include "autograd/ops.hpp"
#include "tensor/kernels/im2col.hpp"
#include "tensor/kernels/storage.hpp"
#include "tensor/matmul.hpp"

namespace hg {

namespace {

using kernels::col2im;
using kernels::ConvGeometry;
using kernels::im2col;

std::string dims(std::size_t h, std::size_t w) { return std::to_string(h) + "x" + std::to_string(w); }

void need_images(const Var& x, const char* op) {
    if (x.value().rank() != 4)
        throw ShapeError(std::string(op) + ": the input must be a 4-D batch of images (N x C x H x W), got " +
                         x.shape().str() +
                         (x.value().rank() == 2 ? "; turn flat images into one channel with reshape(x, {N, 1, H, W})"
                                                : ""));
}

// The shape of one image of the batch, and of a kernel sliding over it.
ConvGeometry conv_geometry(const Var& x, const Var& w, std::size_t stride, std::size_t padding) {
    need_images(x, "conv2d");
    const Shape &xs = x.shape(), &ws = w.shape();
    if (w.value().rank() != 4)
        throw ShapeError("conv2d: the weight must be 4-D (C_out x C_in x kH x kW), got " + ws.str());
    if (xs[1] != ws[1])
        throw ShapeError("conv2d: input " + xs.str() + " has " + std::to_string(xs[1]) + " channels but weight " +
                         ws.str() + " expects " + std::to_string(ws[1]) +
                         " (the weight is C_out x C_in x kH x kW; C_in must match the input's dimension 1)");
    if (stride == 0) throw ValueError("conv2d: the stride must be at least 1, got 0");
    if (ws[2] > xs[2] + 2 * padding || ws[3] > xs[3] + 2 * padding)
        throw ShapeError("conv2d: the " + dims(ws[2], ws[3]) + " kernel of weight " + ws.str() +
                         " does not fit the " + dims(xs[2], xs[3]) + " images of input " + xs.str() +
                         " with padding " + std::to_string(padding) +
                         "; the padded image must be at least as large as the kernel (add padding?)");
    return ConvGeometry{.channels = xs[1], .height = xs[2], .width = xs[3], .kernel_h = ws[2], .kernel_w = ws[3],
                        .stride = stride, .padding = padding};
}

Var conv2d_op(const Var& x, const Var& w, const Var* b, std::size_t stride, std::size_t padding) {
    const ConvGeometry g = conv_geometry(x, w, stride, padding);
    const std::size_t n_images = x.shape()[0], c_out = w.shape()[0];
    if (b && !(b->shape() == Shape{c_out}))
        throw ShapeError("conv2d: the bias has shape " + b->shape().str() + " but weight " + w.shape().str() +
                         " needs (" + std::to_string(c_out) + "), one per output channel");
    const std::size_t oh = g.out_h(), ow = g.out_w();
    const std::size_t rows = g.col_rows(), cols_n = g.col_cols();  // C·kH·kW, OH·OW
    const std::size_t in_size = g.channels * g.height * g.width, out_size = c_out * cols_n;

    // Y_n = W · cols(X_n) + b   with W seen as a (C_out x C·kH·kW) matrix, for every image n
    Tensor y = Tensor::empty(Shape{n_images, c_out, oh, ow});  // the bias, or overwritten (beta = 0)
    const ConstMatrixRef W{w.value().data(), c_out, rows};
    Tensor cols = Tensor::empty(Shape{rows, cols_n});  // im2col writes every entry
    for (std::size_t n = 0; n < n_images; ++n) {
        const MatrixRef yn{y.data() + n * out_size, c_out, cols_n};
        if (b)
            for (std::size_t o = 0; o < c_out; ++o) std::fill_n(yn.data + o * cols_n, cols_n, b->value()[o]);
        im2col(x.value().data() + n * in_size, g, cols.data());
        matmul_into(yn, W, cols, false, false, b ? 1.0f : 0.0f);
    }

    VarList inputs{x, w};
    if (b) inputs.push_back(*b);
    const Var bias = b ? *b : Var();
    return make_op("conv2d", std::move(y), std::move(inputs), [x, w, bias, g](const Tensor& dy, const Tensor&) {
        const std::size_t n_images = dy.shape()[0], c_out = dy.shape()[1];
        const std::size_t rows = g.col_rows(), cols_n = g.col_cols();
        const std::size_t in_size = g.channels * g.height * g.width, out_size = c_out * cols_n;
        // dW = Σ_n dY_n · cols(X_n)ᵀ,  dX_n = col2im(Wᵀ · dY_n),  db = Σ over n and pixels of dY
        const ConstMatrixRef W{w.value().data(), c_out, rows};
        Tensor cols = Tensor::empty(Shape{rows, cols_n});  // written in full before each use
        Tensor dx = x.requires_grad() ? Tensor(x.shape()) : Tensor();
        Tensor dw = w.requires_grad() ? Tensor(w.shape()) : Tensor();
        const MatrixRef dW{dw.data(), c_out, rows};
        for (std::size_t n = 0; n < n_images; ++n) {
            const ConstMatrixRef dyn{dy.data() + n * out_size, c_out, cols_n};
            if (w.requires_grad()) {
                im2col(x.value().data() + n * in_size, g, cols.data());
                matmul_into(dW, dyn, cols, false, true, 1.0f);  // dW += dY_n · cols(X_n)ᵀ
            }
            if (x.requires_grad()) {
                matmul_into(cols, W, dyn, true, false, 0.0f);  // cols = Wᵀ · dY_n
                col2im(cols.data(), g, dx.data() + n * in_size);
            }
        }
        if (x.requires_grad()) x.accumulate_grad(std::move(dx));
        if (w.requires_grad()) w.accumulate_grad(std::move(dw));
        if (bias.requires_grad()) {
            Tensor db(bias.shape());
            for (std::size_t n = 0; n < n_images; ++n)
                for (std::size_t o = 0; o < c_out; ++o) {
                    const float* d = dy.data() + n * out_size + o * cols_n;
                    float s = 0.0f;
                    for (std::size_t p = 0; p < cols_n; ++p) s += d[p];
                    db[o] += s;
                }
            bias.accumulate_grad(std::move(db));
        }
    });
}

}  // namespace

Var conv2d(const Var& x, const Var& weight, const Var& bias, std::size_t stride, std::size_t padding) {
    return conv2d_op(x, weight, &bias, stride, padding);
}

Var conv2d(const Var& x, const Var& weight, std::size_t stride, std::size_t padding) {
    return conv2d_op(x, weight, nullptr, stride, padding);
}

Var max_pool2d(const Var& x, std::size_t size) {
    need_images(x, "max_pool2d");
    if (size == 0) throw ValueError("max_pool2d: the window size must be at least 1, got 0");
    const Shape& s = x.shape();
    const std::size_t planes = s[0] * s[1], h = s[2], w = s[3];
    // Ceil mode: an edge that does not fill a whole window gets a smaller window of its own
    // (7 -> 4 with size 2: rows {0,1} {2,3} {4,5} {6}), like Keras's padding="same".
    const std::size_t oh = (h + size - 1) / size, ow = (w + size - 1) / size;
    Tensor y = Tensor::empty(Shape{s[0], s[1], oh, ow});
    kernels::StepVector<std::size_t> argmax(y.numel());  // the flat index in x each output copied
    const float* xd = x.value().data();
    for (std::size_t p = 0; p < planes; ++p)
        for (std::size_t oy = 0; oy < oh; ++oy)
            for (std::size_t ox = 0; ox < ow; ++ox) {
                std::size_t best = p * h * w + oy * size * w + ox * size;
                for (std::size_t iy = oy * size; iy < std::min(h, oy * size + size); ++iy)
                    for (std::size_t ix = ox * size; ix < std::min(w, ox * size + size); ++ix) {
                        const std::size_t at = (p * h + iy) * w + ix;
                        if (xd[at] > xd[best]) best = at;  // the first of equal maxima wins
                    }
                const std::size_t o = (p * oh + oy) * ow + ox;
                argmax[o] = best;
                y[o] = xd[best];
            }
    // dX[argmax(window)] += dY(window): only the largest entry of each window gets gradient
    return make_op("max_pool2d", std::move(y), {x}, [x, argmax = std::move(argmax)](const Tensor& dy, const Tensor&) {
        Tensor dx(x.shape());
        for (std::size_t o = 0; o < argmax.size(); ++o) dx[argmax[o]] += dy[o];
        x.accumulate_grad(std::move(dx));
    });
}

Var upsample2d(const Var& x, std::size_t factor) {
    need_images(x, "upsample2d");
    if (factor == 0) throw ValueError("upsample2d: the factor must be at least 1, got 0");
    const Shape& s = x.shape();
    const std::size_t planes = s[0] * s[1], h = s[2], w = s[3], oh = h * factor, ow = w * factor;
    // Y[p, i, j] = X[p, ⌊i/f⌋, ⌊j/f⌋]: each pixel becomes an f x f block
    Tensor y = Tensor::empty(Shape{s[0], s[1], oh, ow});
    const float* xd = x.value().data();
    for (std::size_t p = 0; p < planes; ++p)
        for (std::size_t i = 0; i < h; ++i) {
            const float* src = xd + (p * h + i) * w;
            float* dst = y.data() + (p * oh + i * factor) * ow;
            for (std::size_t j = 0; j < w; ++j)  // one row of output: each pixel `factor` times
                for (std::size_t k = 0; k < factor; ++k) dst[j * factor + k] = src[j];
            for (std::size_t k = 1; k < factor; ++k)  // then that row `factor` times
                std::copy(dst, dst + ow, dst + k * ow);
        }
    // dX[p, i, j] = Σ of dY over the f x f block that pixel (i, j) became
    return make_op("upsample2d", std::move(y), {x}, [x, factor](const Tensor& dy, const Tensor&) {
        const Shape& s = x.shape();
        const std::size_t planes = s[0] * s[1], h = s[2], w = s[3], ow = w * factor;
        Tensor dx(s);
        for (std::size_t p = 0; p < planes; ++p)
            for (std::size_t i = 0; i < h; ++i) {
                float* dst = dx.data() + (p * h + i) * w;
                for (std::size_t k = 0; k < factor; ++k) {  // the `factor` output rows of input row i
                    const float* src = dy.data() + (p * h * factor + i * factor + k) * ow;
                    for (std::size_t j = 0; j < w; ++j)
                        for (std::size_t l = 0; l < factor; ++l) dst[j] += src[j * factor + l];
                }
            }
        x.accumulate_grad(dx);
    });
}

}  // namespace hg
