// Convolution, pooling and upsampling: conv2d against a direct loop over its definition,
// im2col/col2im against their naive versions and as adjoints, exact values of pooling and upsampling on odd sizes, the shape
// errors, and the nn layers. (Their gradients are rows of test_gradcheck.cpp.)
#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "autograd/ops.hpp"
#include "nn/conv2d.hpp"
#include "nn/init.hpp"
#include "tensor/kernels/im2col.hpp"

using hg::Shape;
using hg::Tensor;
using hg::Var;
using hg::kernels::col2im;
using hg::kernels::ConvGeometry;
using hg::kernels::im2col;

namespace {

// The definition, one output element at a time:
//   y[n,o,i,j] = b[o] + Σ_c Σ_ki Σ_kj w[o,c,ki,kj] · x[n, c, i·s + ki − p, j·s + kj − p]   (0 outside)
Tensor conv2d_naive(const Tensor& x, const Tensor& w, const Tensor& b, std::size_t s, std::size_t p) {
    const std::size_t N = x.shape()[0], C = x.shape()[1], H = x.shape()[2], W = x.shape()[3];
    const std::size_t O = w.shape()[0], kh = w.shape()[2], kw = w.shape()[3];
    const std::size_t oh = (H + 2 * p - kh) / s + 1, ow = (W + 2 * p - kw) / s + 1;
    Tensor y(Shape{N, O, oh, ow});
    for (std::size_t n = 0; n < N; ++n)
        for (std::size_t o = 0; o < O; ++o)
            for (std::size_t i = 0; i < oh; ++i)
                for (std::size_t j = 0; j < ow; ++j) {
                    double acc = b[o];
                    for (std::size_t c = 0; c < C; ++c)
                        for (std::size_t ki = 0; ki < kh; ++ki)
                            for (std::size_t kj = 0; kj < kw; ++kj) {
                                const long iy = static_cast<long>(i * s + ki) - static_cast<long>(p);
                                const long ix = static_cast<long>(j * s + kj) - static_cast<long>(p);
                                if (iy < 0 || ix < 0 || iy >= static_cast<long>(H) || ix >= static_cast<long>(W)) continue;
                                acc += static_cast<double>(w.at({o, c, ki, kj})) *
                                       x.at({n, c, static_cast<std::size_t>(iy), static_cast<std::size_t>(ix)});
                            }
                    y.at({n, o, i, j}) = static_cast<float>(acc);
                }
    return y;
}

}  // namespace

TEST_CASE("conv2d: matches the direct loop on odd shapes, strides and paddings") {
    hg::Rng rng(7);
    struct Case {
        Shape x, w;
        std::size_t stride, padding;
    };
    const std::vector<Case> cases = {
        {{2, 3, 7, 5}, {4, 3, 3, 3}, 1, 1},    // "same" padding
        {{3, 2, 9, 8}, {5, 2, 3, 2}, 2, 1},    // rectangular kernel, stride 2
        {{1, 1, 5, 5}, {1, 1, 5, 5}, 1, 0},    // the kernel covers the whole image: 1x1 out
        {{2, 4, 6, 7}, {3, 4, 1, 1}, 1, 0},    // 1x1 convolution: mixes channels only
        {{2, 3, 11, 10}, {2, 3, 4, 3}, 3, 2},  // stride 3, padding 2
        {{1, 16, 14, 14}, {8, 16, 3, 3}, 1, 1},  // a layer of the Keras-blog autoencoder
    };
    for (const Case& c : cases) {
        const Tensor x = Tensor::normal(c.x, 0, 1, rng), w = Tensor::normal(c.w, 0, 1, rng);
        const Tensor b = Tensor::normal({c.w[0]}, 0, 1, rng);
        const Tensor y = hg::conv2d(Var::constant(x), Var::constant(w), Var::constant(b), c.stride, c.padding).value();
        const Tensor ref = conv2d_naive(x, w, b, c.stride, c.padding);
        INFO("x " << c.x.str() << " w " << c.w.str() << " stride " << c.stride << " padding " << c.padding);
        REQUIRE(y.shape() == ref.shape());
        CHECK(hg::allclose(y, ref, 1e-4f, 1e-4f));
        // Without a bias: the same minus b.
        const Tensor y0 = hg::conv2d(Var::constant(x), Var::constant(w), c.stride, c.padding).value();
        CHECK(hg::allclose(y0, conv2d_naive(x, w, Tensor::zeros({c.w[0]}), c.stride, c.padding), 1e-4f, 1e-4f));
    }
}

TEST_CASE("im2col and col2im are adjoint: <im2col(x), c> = <x, col2im(c)>") {
    hg::Rng rng(3);
    for (const ConvGeometry g : {ConvGeometry{.channels = 2, .height = 5, .width = 7, .kernel_h = 3, .kernel_w = 3,
                                                      .stride = 1, .padding = 1},
                                     ConvGeometry{.channels = 3, .height = 6, .width = 5, .kernel_h = 2, .kernel_w = 3,
                                                      .stride = 2, .padding = 2}}) {
        const Tensor x = Tensor::normal({g.channels * g.height * g.width}, 0, 1, rng);
        const Tensor c = Tensor::normal({g.col_rows() * g.col_cols()}, 0, 1, rng);
        Tensor cols(c.shape()), back(x.shape());
        im2col(x.data(), g, cols.data());
        col2im(c.data(), g, back.data());
        const double lhs = hg::sum(cols * c).item(), rhs = hg::sum(x * back).item();
        CHECK(lhs == doctest::Approx(rhs).epsilon(1e-4));
    }
    // A 3x3 window with padding 1 over a 2x2 image of ones: each pixel is read by all 4 windows.
    const ConvGeometry g{.channels = 1, .height = 2, .width = 2, .kernel_h = 3, .kernel_w = 3, .stride = 1, .padding = 1};
    Tensor ones(Shape{9 * 4}, 1.0f), image(Shape{4});
    col2im(ones.data(), g, image.data());
    CHECK(image.to_vector() == std::vector<float>{4, 4, 4, 4});
}

TEST_CASE("im2col writes every entry: the pixel its window reads, or 0 in the padding") {
    // conv2d hands im2col a reused buffer, so nothing may be left from before: fill it with
    // NaN first. Row (c, i, j), column (oy, ox) reads pixel (oy·s + i − p, ox·s + j − p).
    // Stride 1 with output rows as wide as the image takes a path of its own (one shifted
    // copy per row of cols): the first, third and fourth geometries.
    hg::Rng rng(4);
    for (const ConvGeometry g : {ConvGeometry{.channels = 2, .height = 5, .width = 7, .kernel_h = 3, .kernel_w = 3,
                                                      .stride = 1, .padding = 1},
                                     ConvGeometry{.channels = 1, .height = 4, .width = 4, .kernel_h = 3, .kernel_w = 3,
                                                      .stride = 1, .padding = 3},
                                     ConvGeometry{.channels = 2, .height = 3, .width = 6, .kernel_h = 7, .kernel_w = 5,
                                                      .stride = 1, .padding = 2},  // kernel rows that see only padding
                                     ConvGeometry{.channels = 3, .height = 4, .width = 5, .kernel_h = 1, .kernel_w = 1,
                                                      .stride = 1, .padding = 0},
                                     ConvGeometry{.channels = 3, .height = 6, .width = 5, .kernel_h = 2, .kernel_w = 3,
                                                      .stride = 2, .padding = 2}}) {
        const Tensor x = Tensor::normal({g.channels, g.height, g.width}, 0, 1, rng);
        Tensor cols(Shape{g.col_rows(), g.col_cols()}, std::numeric_limits<float>::quiet_NaN());
        im2col(x.data(), g, cols.data());
        std::size_t wrong = 0;
        for (std::size_t c = 0; c < g.channels; ++c)
            for (std::size_t i = 0; i < g.kernel_h; ++i)
                for (std::size_t j = 0; j < g.kernel_w; ++j)
                    for (std::size_t oy = 0; oy < g.out_h(); ++oy)
                        for (std::size_t ox = 0; ox < g.out_w(); ++ox) {
                            const long iy = static_cast<long>(oy * g.stride + i) - static_cast<long>(g.padding);
                            const long ix = static_cast<long>(ox * g.stride + j) - static_cast<long>(g.padding);
                            const bool inside = iy >= 0 && ix >= 0 && iy < static_cast<long>(g.height) &&
                                                ix < static_cast<long>(g.width);
                            const float want = inside ? x.at({c, static_cast<std::size_t>(iy), static_cast<std::size_t>(ix)}) : 0.0f;
                            const float got = cols.at({(c * g.kernel_h + i) * g.kernel_w + j, oy * g.out_w() + ox});
                            if (!(got == want)) ++wrong;  // NaN (never written) counts as wrong
                        }
        INFO("geometry " << g.channels << "x" << g.height << "x" << g.width << " kernel " << g.kernel_h << "x" << g.kernel_w
                         << " stride " << g.stride << " padding " << g.padding);
        CHECK(wrong == 0);
    }
}

TEST_CASE("im2col and col2im agree exactly with their naive versions on many geometries") {
    // Every stride 1..3 and padding 0..3 with kernels from 1x1 to larger than the image
    // (rows and columns of the kernel that see only padding), square and not, one channel
    // and several; the fast paths (a shifted copy per row for stride 1, memcpy runs) must
    // give the definition's numbers bit for bit.
    hg::Rng rng(8);
    std::size_t geometries = 0;
    for (std::size_t channels : {1, 3})
        for (auto [h, w] : {std::pair<std::size_t, std::size_t>{1, 1}, {5, 5}, {4, 7}, {8, 3}})
            for (auto [kh, kw] : {std::pair<std::size_t, std::size_t>{1, 1}, {3, 3}, {2, 3}, {5, 1}, {7, 7}})
                for (std::size_t stride = 1; stride <= 3; ++stride)
                    for (std::size_t padding = 0; padding <= 3; ++padding) {
                        const ConvGeometry g{.channels = channels, .height = h, .width = w, .kernel_h = kh,
                                             .kernel_w = kw, .stride = stride, .padding = padding};
                        if (kh > h + 2 * padding || kw > w + 2 * padding) continue;  // conv2d refuses these
                        ++geometries;
                        const Tensor x = Tensor::normal({channels * h * w}, 0, 1, rng);
                        const Tensor c = Tensor::normal({g.col_rows() * g.col_cols()}, 0, 1, rng);
                        Tensor fast(c.shape(), std::numeric_limits<float>::quiet_NaN()), naive(c.shape());
                        im2col(x.data(), g, fast.data());
                        hg::kernels::im2col_naive(x.data(), g, naive.data());
                        Tensor back = Tensor::normal(x.shape(), 0, 1, rng), back_naive = back;  // col2im adds
                        col2im(c.data(), g, back.data());
                        hg::kernels::col2im_naive(c.data(), g, back_naive.data());
                        INFO("channels " << channels << " image " << h << "x" << w << " kernel " << kh << "x" << kw
                                         << " stride " << stride << " padding " << padding);
                        CHECK(fast.to_vector() == naive.to_vector());
                        CHECK(back.to_vector() == back_naive.to_vector());  // the same sums, in the same order
                    }
    CHECK(geometries > 300);
}

TEST_CASE("conv2d: shape errors say what, with both shapes and a hint") {
    const Var x = Var::constant(Tensor::zeros({2, 3, 28, 28}));
    const Var w = Var::constant(Tensor::zeros({16, 1, 3, 3}));
    const Var b = Var::constant(Tensor::zeros({16}));
    CHECK_THROWS_WITH_AS(hg::conv2d(x, w, b),
                         doctest::Contains("conv2d: input (2x3x28x28) has 3 channels but weight (16x1x3x3) expects 1"),
                         hg::ShapeError);
    CHECK_THROWS_WITH_AS(hg::conv2d(Var::constant(Tensor::zeros({2, 784})), w, b),
                         doctest::Contains("got (2x784); turn flat images into one channel with reshape(x, {N, 1, H, W})"),
                         hg::ShapeError);
    const Var x1 = Var::constant(Tensor::zeros({2, 1, 4, 4}));
    CHECK_THROWS_WITH_AS(hg::conv2d(x1, Var::constant(Tensor::zeros({16, 1, 3})), b),
                         doctest::Contains("the weight must be 4-D (C_out x C_in x kH x kW), got (16x1x3)"), hg::ShapeError);
    CHECK_THROWS_WITH_AS(hg::conv2d(x1, w, Var::constant(Tensor::zeros({8}))),
                         doctest::Contains("the bias has shape (8) but weight (16x1x3x3) needs (16)"), hg::ShapeError);
    CHECK_THROWS_WITH_AS(hg::conv2d(x1, Var::constant(Tensor::zeros({2, 1, 7, 7})), 1, 1),
                         doctest::Contains("the 7x7 kernel of weight (2x1x7x7) does not fit the 4x4 images of input "
                                           "(2x1x4x4) with padding 1"),
                         hg::ShapeError);
    CHECK_THROWS_WITH_AS(hg::conv2d(x1, w, b, 0, 1), doctest::Contains("stride must be at least 1"), hg::ValueError);
    CHECK_THROWS_WITH_AS(hg::max_pool2d(Var::constant(Tensor::zeros({4, 4}))),
                         doctest::Contains("max_pool2d: the input must be a 4-D batch of images (N x C x H x W), got (4x4)"),
                         hg::ShapeError);
    CHECK_THROWS_WITH_AS(hg::upsample2d(Var::constant(Tensor::zeros({1, 4, 4}))),
                         doctest::Contains("upsample2d: the input must be a 4-D batch"), hg::ShapeError);
}

TEST_CASE("max_pool2d: 2x2 windows, odd sizes round up, gradient to the largest entry") {
    // One 3x5 image: windows rows {0,1} {2}, columns {0,1} {2,3} {4}.
    const Tensor x = Tensor::from({1, 1, 3, 5}, {1, 9, 2, 3, 7,   //
                                                 4, 0, 8, 5, 6,   //
                                                 -1, -2, -3, 11, -5});
    Var xv = Var::parameter(x);
    Var y = hg::max_pool2d(xv);
    REQUIRE(y.shape() == Shape{1, 1, 2, 3});
    CHECK(y.value().to_vector() == std::vector<float>{9, 8, 7, -1, 11, -5});
    hg::sum(y * Var::constant(Tensor::from({1, 1, 2, 3}, {1, 2, 3, 4, 5, 6}))).backward();
    // Each output's weight lands on its window's largest entry, everything else gets 0.
    CHECK(xv.grad().to_vector() == std::vector<float>{0, 1, 0, 0, 3,  //
                                                    0, 0, 2, 0, 0,  //
                                                    4, 0, 0, 5, 6});
    // The Keras-blog shapes: 28 -> 14 -> 7 -> 4.
    CHECK(hg::max_pool2d(Var::constant(Tensor::zeros({2, 8, 7, 7}))).shape() == Shape{2, 8, 4, 4});
    CHECK(hg::max_pool2d(Var::constant(Tensor::zeros({2, 8, 28, 28}))).shape() == Shape{2, 8, 14, 14});
    CHECK(hg::max_pool2d(Var::constant(Tensor::zeros({1, 1, 9, 9})), 3).shape() == Shape{1, 1, 3, 3});
}

TEST_CASE("upsample2d: each pixel becomes a block; the gradient sums the block") {
    const Tensor x = Tensor::from({1, 2, 1, 2}, {1, 2, 3, 4});
    Var xv = Var::parameter(x);
    Var y = hg::upsample2d(xv);
    REQUIRE(y.shape() == Shape{1, 2, 2, 4});
    CHECK(y.value().to_vector() == std::vector<float>{1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4});
    hg::sum(y * Var::constant(Tensor::from({1, 2, 2, 4}, {1, 2, 3, 4, 5, 6, 7, 8, 0, 0, 1, 1, 0, 1, 0, 1}))).backward();
    CHECK(xv.grad().to_vector() == std::vector<float>{1 + 2 + 5 + 6, 3 + 4 + 7 + 8, 0 + 0 + 0 + 1, 1 + 1 + 0 + 1});
    CHECK(hg::upsample2d(Var::constant(Tensor::zeros({1, 1, 2, 3})), 3).shape() == Shape{1, 1, 6, 9});
}

TEST_CASE("Conv2d layer: parameters named like Linear's, shapes, initialisers, printout") {
    hg::Rng rng(1);
    hg::Conv2d conv(3, 16, 3, rng, hg::Conv2dOptions().padding(1));
    const auto named = conv.named_parameters();
    REQUIRE(named.size() == 2);
    CHECK(named[0].first == "weight");
    CHECK(named[0].second.shape() == Shape{16, 3, 3, 3});
    CHECK(named[1].first == "bias");
    CHECK(named[1].second.shape() == Shape{16});
    CHECK(conv.num_parameters() == 16 * 27 + 16);
    CHECK(conv.describe() == "in=3, out=16, kernel=3x3, stride=1, padding=1, bias");
    // PyTorch's default: U(±1/√fan_in), fan_in = C_in·k·k = 27.
    const float bound = 1.0f / std::sqrt(27.0f);
    CHECK(hg::max(hg::abs(conv.weight().value())).item() <= bound);
    CHECK(hg::max(hg::abs(conv.weight().value())).item() > 0.8f * bound);
    CHECK(conv(Var::constant(Tensor::zeros({2, 3, 7, 5}))).shape() == Shape{2, 16, 7, 5});
    // Conv weights count every kernel pixel in their fans (as PyTorch does).
    const Tensor w(Shape{8, 4, 3, 3});
    CHECK(hg::init::fan_in(w) == 36);
    CHECK(hg::init::fan_out(w) == 72);
    // He: U(±√2·√(3/fan_in)); no bias values with the non-default initialisers.
    hg::Conv2d he(4, 8, 3, rng, hg::Conv2dOptions().init(hg::Init::kaiming_uniform).stride(2));
    CHECK(hg::max(hg::abs(he.weight().value())).item() <= std::sqrt(2.0f) * std::sqrt(3.0f / 36.0f));
    CHECK(hg::sum(hg::abs(he.bias().value())).item() == 0.0f);
    CHECK(he(Var::constant(Tensor::zeros({1, 4, 9, 9}))).shape() == Shape{1, 8, 4, 4});
    hg::Conv2d nobias(1, 2, 3, rng, hg::Conv2dOptions().bias(false));
    CHECK(nobias.num_parameters() == 18);
    CHECK_THROWS_WITH_AS(nobias.bias(), doctest::Contains("was built without a bias"), hg::ValueError);
    CHECK_THROWS_AS(hg::Conv2d(0, 2, 3, rng), hg::ValueError);
    CHECK(hg::MaxPool2d()(Var::constant(Tensor::zeros({1, 2, 5, 5}))).shape() == Shape{1, 2, 3, 3});
    CHECK(hg::Upsample2d(2).describe() == "factor=2");
    // A layer's gradient reaches its weight and bias.
    Var y = hg::sum(conv(Var::constant(Tensor::ones({1, 3, 4, 4}))));
    y.backward();
    CHECK(conv.bias().grad()[0] == doctest::Approx(16.0f));  // one per output pixel
}
