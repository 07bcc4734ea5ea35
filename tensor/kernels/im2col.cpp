#include "tensor/kernels/im2col.hpp"

#include <algorithm>
#include <cstring>

#include "tensor/kernels/storage.hpp"

namespace hg::kernels {

namespace {

// The outputs o in [0, out) whose input o·stride + offset lies inside [0, size):
// returned as [lo, hi). Everything outside reads the zero padding.
struct Range {
    std::size_t lo, hi;
};
Range inside(std::ptrdiff_t offset, std::size_t stride, std::size_t size, std::size_t out) {
    const auto s = static_cast<std::ptrdiff_t>(stride);
    // o·s + offset ≥ 0  ⟺  o ≥ ⌈−offset / s⌉;   o·s + offset < size  ⟺  o < ⌈(size − offset) / s⌉
    const std::ptrdiff_t lo = offset >= 0 ? 0 : (-offset + s - 1) / s;
    const std::ptrdiff_t end = static_cast<std::ptrdiff_t>(size) - offset;
    const std::ptrdiff_t hi = end <= 0 ? 0 : (end + s - 1) / s;
    const auto clamp = [out](std::ptrdiff_t v) { return static_cast<std::size_t>(std::clamp<std::ptrdiff_t>(v, 0, static_cast<std::ptrdiff_t>(out))); };
    const std::size_t l = clamp(lo), h = clamp(hi);
    return {l, std::max(l, h)};
}

// Visit every (row of cols, output row oy) pair whose input row is inside the image:
// f(offset of that row segment in cols, offset of the input row in the image, the valid ox range,
// the kernel column j). Segments that read only padding are left alone (im2col zeroed them).
template <class F>
void for_each_window_row(const ConvGeometry& g, F f) {
    const std::size_t oh = g.out_h(), ow = g.out_w();
    const auto pad = static_cast<std::ptrdiff_t>(g.padding);
    // The valid output rows depend only on the kernel row i, the valid columns only on j.
    StepVector<Range> y_ranges(g.kernel_h), x_ranges(g.kernel_w);  // the pool: no allocation
    for (std::size_t i = 0; i < g.kernel_h; ++i) y_ranges[i] = inside(static_cast<std::ptrdiff_t>(i) - pad, g.stride, g.height, oh);
    for (std::size_t j = 0; j < g.kernel_w; ++j) x_ranges[j] = inside(static_cast<std::ptrdiff_t>(j) - pad, g.stride, g.width, ow);
    for (std::size_t c = 0; c < g.channels; ++c)
        for (std::size_t i = 0; i < g.kernel_h; ++i)
            for (std::size_t j = 0; j < g.kernel_w; ++j) {
                const std::size_t row = (c * g.kernel_h + i) * g.kernel_w + j;
                const Range ys = y_ranges[i], xs = x_ranges[j];
                for (std::size_t oy = ys.lo; oy < ys.hi; ++oy) {
                    const std::size_t iy = oy * g.stride + i - g.padding;
                    // input column of output ox: ox·stride + j − padding (≥ 0 for ox ≥ xs.lo)
                    f(row * oh * ow + oy * ow, (c * g.height + iy) * g.width, xs, j);
                }
            }
}

// im2col when the output rows are as long as the image's (stride 1, "same" width: the
// autoencoders' 3x3 convolutions with padding 1). Row (c, i, j) of cols is then channel c
// shifted by (i − pad)·W + (j − pad) floats: one copy of the whole block of valid output
// rows, after which only the floats at each row's edges -- which the shifted copy took
// from the neighbouring image row -- are set back to the padding's 0. On 28x28 images this
// is one copy per row of cols instead of 28.
void im2col_same_width(const float* image, const ConvGeometry& g, float* cols) {
    const std::size_t w = g.width, oh = g.out_h(), n = oh * w;
    const auto pad = static_cast<std::ptrdiff_t>(g.padding);
    for (std::size_t c = 0; c < g.channels; ++c)
        for (std::size_t i = 0; i < g.kernel_h; ++i)
            for (std::size_t j = 0; j < g.kernel_w; ++j) {
                float* dst = cols + ((c * g.kernel_h + i) * g.kernel_w + j) * n;
                const Range ys = inside(static_cast<std::ptrdiff_t>(i) - pad, 1, g.height, oh);
                const Range xs = inside(static_cast<std::ptrdiff_t>(j) - pad, 1, w, w);
                if (ys.lo == ys.hi || xs.lo == xs.hi) {  // the kernel offset reads only padding
                    std::fill(dst, dst + n, 0.0f);
                    continue;
                }
                // Valid entries run from (ys.lo, xs.lo) to (ys.hi − 1, xs.hi − 1), and entry k
                // reads pixel k + shift of channel c.
                const std::size_t first = ys.lo * w + xs.lo, end = (ys.hi - 1) * w + xs.hi;
                const float* src = image + c * g.height * w + (ys.lo + i - g.padding) * w + (xs.lo + j - g.padding);
                std::fill(dst, dst + first, 0.0f);
                std::memcpy(dst + first, src, (end - first) * sizeof(float));
                std::fill(dst + end, dst + n, 0.0f);
                for (std::size_t oy = ys.lo; oy + 1 < ys.hi; ++oy)  // row oy's right edge, row oy+1's left
                    std::fill(dst + oy * w + xs.hi, dst + (oy + 1) * w + xs.lo, 0.0f);
            }
}

// Visit every entry of cols: f(k, pixel), k its index in cols and pixel the index in the
// image of the pixel it reads, (c, oy·stride + i − padding, ox·stride + j − padding), or
// outside_image when that falls in the padding.
constexpr std::size_t outside_image = static_cast<std::size_t>(-1);
template <class F>
void for_each_entry(const ConvGeometry& g, F f) {
    const std::size_t oh = g.out_h(), ow = g.out_w();
    const auto pad = static_cast<std::ptrdiff_t>(g.padding);
    std::size_t k = 0;
    for (std::size_t c = 0; c < g.channels; ++c)
        for (std::size_t i = 0; i < g.kernel_h; ++i)
            for (std::size_t j = 0; j < g.kernel_w; ++j)
                for (std::size_t oy = 0; oy < oh; ++oy)
                    for (std::size_t ox = 0; ox < ow; ++ox, ++k) {
                        const std::ptrdiff_t y = static_cast<std::ptrdiff_t>(oy * g.stride + i) - pad;
                        const std::ptrdiff_t x = static_cast<std::ptrdiff_t>(ox * g.stride + j) - pad;
                        const bool inside = y >= 0 && x >= 0 && y < static_cast<std::ptrdiff_t>(g.height) &&
                                            x < static_cast<std::ptrdiff_t>(g.width);
                        f(k, inside ? (c * g.height + static_cast<std::size_t>(y)) * g.width + static_cast<std::size_t>(x)
                                    : outside_image);
                    }
}

}  // namespace

void im2col_naive(const float* image, const ConvGeometry& g, float* cols) {
    for_each_entry(g, [&](std::size_t k, std::size_t pixel) { cols[k] = pixel == outside_image ? 0.0f : image[pixel]; });
}

void col2im_naive(const float* cols, const ConvGeometry& g, float* image) {
    for_each_entry(g, [&](std::size_t k, std::size_t pixel) {
        if (pixel != outside_image) image[pixel] += cols[k];
    });
}

void im2col(const float* image, const ConvGeometry& g, float* cols) {
    if (g.stride == 1 && g.out_w() == g.width) return im2col_same_width(image, g, cols);
    // Zero everything first: the entries that read the padding stay 0.
    std::memset(cols, 0, g.col_rows() * g.col_cols() * sizeof(float));
    const std::size_t s = g.stride, pad = g.padding;
    for_each_window_row(g, [&](std::size_t out, std::size_t in, Range xs, std::size_t j) {
        // cols[out + ox] = image[in + ox·s + j − pad]   (inside the image for ox in xs)
        float* __restrict dst = cols + out;
        const float* __restrict src = image + in;
        if (s == 1)
            std::memcpy(dst + xs.lo, src + (xs.lo + j - pad), (xs.hi - xs.lo) * sizeof(float));
        else
            for (std::size_t ox = xs.lo; ox < xs.hi; ++ox) dst[ox] = src[ox * s + j - pad];
    });
}

void col2im(const float* cols, const ConvGeometry& g, float* image) {
    const std::size_t s = g.stride, pad = g.padding;
    for_each_window_row(g, [&](std::size_t out, std::size_t in, Range xs, std::size_t j) {
        // image[in + ox·s + j − pad] += cols[out + ox]
        const float* __restrict src = cols + out;
        float* __restrict dst = image + in;
        if (s == 1) {
            float* __restrict d = dst + (xs.lo + j - pad);
            const float* __restrict c = src + xs.lo;
            for (std::size_t k = 0, n = xs.hi - xs.lo; k < n; ++k) d[k] += c[k];
        } else {
            for (std::size_t ox = xs.lo; ox < xs.hi; ++ox) dst[ox * s + j - pad] += src[ox];
        }
    });
}

}  // namespace hg::kernels
