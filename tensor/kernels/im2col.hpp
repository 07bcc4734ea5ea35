// im2col and col2im: a 2-D convolution turned into one matrix product.
//
// A convolution slides a (C x kH x kW) window over an image (C x H x W). Copy the window
// under each output pixel into one column of a matrix, and the whole convolution becomes
//   Y = W · cols          W: (C_out x C·kH·kW), cols: (C·kH·kW x OH·OW), Y: (C_out x OH·OW)
// — one call to the fast gemm instead of six nested loops. Row (c, i, j) of cols holds input
// channel c shifted by kernel offset (i, j); column (oy, ox) holds the receptive field of
// output pixel (oy, ox), which reads input pixel
//   (oy·stride + i − padding, ox·stride + j − padding)
// or a 0 where that falls in the zero padding. The output size, as in every framework, is
//   OH = ⌊(H + 2·padding − kH) / stride⌋ + 1     (and OW likewise).
//
// col2im is the adjoint (the transpose) of im2col: it adds every entry of a cols matrix back
// onto the input pixel it was read from (entries from the padding are dropped). A pixel read
// by several windows receives the sum of their entries — exactly the gradient of im2col,
// which is how autograd's conv2d uses it.
//
//   hg::kernels::ConvGeometry g{.channels = 1, .height = 28, .width = 28, .kernel_h = 3, .kernel_w = 3,
//                      .stride = 1, .padding = 1};                     // 28x28 -> 28x28
//   std::vector<float> cols(g.col_rows() * g.col_cols());              // (9 x 784)
//   hg::kernels::im2col(image, g, cols.data());
//
// Both work on one image (one sample of an NCHW batch); the caller loops over the batch.
//
// Two versions of each: im2col_naive and col2im_naive visit every entry of cols and test
// whether its pixel is in the padding -- the definition, and the reference the tests hold
// the fast ones to (tests/test_conv.cpp). im2col and col2im work out once which output rows
// and columns of each kernel offset fall inside the image, and copy whole runs of pixels
// (memcpy), skipping the padding test per entry: tutorial 12's convolutional autoencoder
// trains in about half the time per epoch (its timed epochs; bench/compare.py conv).
#pragma once

#include <cstddef>

namespace hg::kernels {

struct ConvGeometry {
    std::size_t channels = 1, height = 1, width = 1;  // the input image (C x H x W)
    std::size_t kernel_h = 1, kernel_w = 1;
    std::size_t stride = 1, padding = 0;

    // The output size; valid when kernel ≤ size + 2·padding (conv2d checks this first).
    std::size_t out_h() const { return (height + 2 * padding - kernel_h) / stride + 1; }
    std::size_t out_w() const { return (width + 2 * padding - kernel_w) / stride + 1; }
    std::size_t col_rows() const { return channels * kernel_h * kernel_w; }  // C·kH·kW
    std::size_t col_cols() const { return out_h() * out_w(); }              // OH·OW
};

// cols (col_rows x col_cols, row-major) = the windows of image (C x H x W, row-major).
void im2col(const float* image, const ConvGeometry& g, float* cols);
void im2col_naive(const float* image, const ConvGeometry& g, float* cols);

// image (C x H x W) += the entries of cols added back where im2col read them.
void col2im(const float* cols, const ConvGeometry& g, float* image);
void col2im_naive(const float* cols, const ConvGeometry& g, float* image);

}  // namespace hg::kernels
