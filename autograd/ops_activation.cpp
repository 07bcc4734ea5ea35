// Activation functions, softmax, the k-sparse selection and dropout.
#include <algorithm>
#include <cmath>
#include <numeric>
#include <vector>

#include "autograd/ops.hpp"
#include "tensor/kernels/elementwise.hpp"

namespace hg {

namespace {

// f(x) for every element x of a.
template <class F>
Tensor each(const Tensor& a, F f) {
    return kernels::map(a, f);
}

// The chain rule for an element-wise function: dY ⊙ f'(·), with the derivative f' written
// as a function of one tensor, the op's output y or its input x:
//   derivative(y, dy, [](float y) { return y * (1 - y); })   // sigmoid
template <class D>
Tensor derivative(const Tensor& at, const Tensor& dy, D d) {
    return kernels::map_times(at, dy, d);
}

// The last axis of a tensor is the "row" that softmax and top-k work on.
std::size_t row_length(const Tensor& a, const char* op) {
    if (a.rank() == 0) throw ShapeError(std::string(op) + ": needs at least a 1-D tensor, got a scalar");
    const std::size_t n = a.shape()[a.rank() - 1];
    if (n == 0) throw ShapeError(std::string(op) + ": the last axis of " + a.shape().str() + " is empty");
    return n;
}

constexpr float kSeluLambda = 1.0507009873554805f;  // Klambauer et al. 2017
constexpr float kSeluAlpha = 1.6732632423543772f;

}  // namespace

Var sigmoid(const Var& a) {
    // Y = 1 / (1 + e^-X), computed without overflowing e^-X for large negative X
    Tensor y = each(a.value(), [](float x) {
        if (x >= 0) return 1.0f / (1.0f + std::exp(-x));
        const float e = std::exp(x);
        return e / (1.0f + e);
    });
    // dA = dY ⊙ Y(1 − Y)
    return make_op("sigmoid", std::move(y), {a}, [a](const Tensor& dy, const Tensor& y) {
        a.accumulate_grad(derivative(y, dy, [](float y) { return y * (1.0f - y); }));
    });
}

Var tanh(const Var& a) {
    // dA = dY ⊙ (1 − Y²)
    return make_op("tanh", each(a.value(), [](float x) { return std::tanh(x); }), {a},
                   [a](const Tensor& dy, const Tensor& y) {
                       a.accumulate_grad(derivative(y, dy, [](float y) { return 1.0f - y * y; }));
                   });
}

Var relu(const Var& a) {
    // dA = dY ⊙ [X > 0]
    return make_op("relu", each(a.value(), [](float x) { return x > 0 ? x : 0.0f; }), {a},
                   [a](const Tensor& dy, const Tensor&) {
                       a.accumulate_grad(derivative(a.value(), dy, [](float x) { return x > 0 ? 1.0f : 0.0f; }));
                   });
}

Var leaky_relu(const Var& a, float slope) {
    // dA = dY ⊙ (X > 0 ? 1 : slope)
    return make_op("leaky_relu", each(a.value(), [slope](float x) { return x > 0 ? x : slope * x; }), {a},
                   [a, slope](const Tensor& dy, const Tensor&) {
                       a.accumulate_grad(derivative(a.value(), dy, [slope](float x) { return x > 0 ? 1.0f : slope; }));
                   });
}

Var elu(const Var& a, float alpha) {
    // Y = X for X > 0, α(e^X − 1) otherwise;  dA = dY ⊙ (X > 0 ? 1 : αe^X)
    return make_op("elu", each(a.value(), [alpha](float x) { return x > 0 ? x : alpha * std::expm1(x); }), {a},
                   [a, alpha](const Tensor& dy, const Tensor&) {
                       a.accumulate_grad(derivative(a.value(), dy, [alpha](float x) { return x > 0 ? 1.0f : alpha * std::exp(x); }));
                   });
}

Var selu(const Var& a) {
    // Y = λX for X > 0, λα(e^X − 1) otherwise;  dA = dY ⊙ (X > 0 ? λ : λαe^X)
    // (λαe^X equals Y + λα, but that sum cancels to nothing for very negative X)
    return make_op("selu",
                   each(a.value(), [](float x) { return kSeluLambda * (x > 0 ? x : kSeluAlpha * std::expm1(x)); }),
                   {a}, [a](const Tensor& dy, const Tensor&) {
                       a.accumulate_grad(derivative(a.value(), dy, [](float x) {
                           return x > 0 ? kSeluLambda : kSeluLambda * kSeluAlpha * std::exp(x);
                       }));
                   });
}

Var softplus(const Var& a) {
    // Y = log(1 + e^X) = max(X, 0) + log(1 + e^−|X|)  (stable for large |X|)
    Tensor y = each(a.value(), [](float x) { return std::max(x, 0.0f) + std::log1p(std::exp(-std::fabs(x))); });
    // dA = dY ⊙ sigmoid(X) = dY ⊙ (1 − e^−Y)
    return make_op("softplus", std::move(y), {a}, [a](const Tensor& dy, const Tensor& y) {
        a.accumulate_grad(derivative(y, dy, [](float y) { return -std::expm1(-y); }));
    });
}

// >>> EXTENDING.md: gelu
Var gelu(const Var& a) {
    constexpr float inv_sqrt2 = 0.70710678f, inv_sqrt_2pi = 0.39894228f;
    // Y = X·Φ(X), with Φ(x) = ½·erfc(−x/√2) (erfc, not 1 + erf: no cancellation for x ≪ 0)
    Tensor y = each(a.value(), [](float x) { return x * 0.5f * std::erfc(-x * inv_sqrt2); });
    // dA = dY ⊙ (Φ(X) + X·φ(X)),  φ(x) = e^(−x²/2) / √(2π)
    return make_op("gelu", std::move(y), {a}, [a](const Tensor& dy, const Tensor&) {
        a.accumulate_grad(derivative(a.value(), dy, [](float x) {
            return 0.5f * std::erfc(-x * inv_sqrt2) + x * inv_sqrt_2pi * std::exp(-0.5f * x * x);
        }));
    });
}
// <<< EXTENDING.md: gelu

Var softmax(const Var& a) {
    const Tensor& x = a.value();
    const std::size_t n = row_length(x, "softmax"), rows = x.numel() / n;
    Tensor y(x.shape());
    for (std::size_t r = 0; r < rows; ++r) {
        const float* xr = x.data() + r * n;
        float* yr = y.data() + r * n;
        const float m = *std::max_element(xr, xr + n);  // subtract the max: e^x cannot overflow
        double total = 0;
        for (std::size_t i = 0; i < n; ++i) total += yr[i] = std::exp(xr[i] - m);
        for (std::size_t i = 0; i < n; ++i) yr[i] = static_cast<float>(yr[i] / total);
    }
    // dA = Y ⊙ (dY − Σ_j dY_j Y_j), row by row
    return make_op("softmax", std::move(y), {a}, [a, n, rows](const Tensor& dy, const Tensor& y) {
        Tensor g(y.shape());
        for (std::size_t r = 0; r < rows; ++r) {
            double dot = 0;
            for (std::size_t i = 0; i < n; ++i) dot += dy[r * n + i] * y[r * n + i];
            for (std::size_t i = 0; i < n; ++i)
                g[r * n + i] = y[r * n + i] * (dy[r * n + i] - static_cast<float>(dot));
        }
        a.accumulate_grad(g);
    });
}

Var log_softmax(const Var& a) {
    const Tensor& x = a.value();
    const std::size_t n = row_length(x, "log_softmax"), rows = x.numel() / n;
    Tensor y(x.shape());
    for (std::size_t r = 0; r < rows; ++r) {
        const float* xr = x.data() + r * n;
        const float m = *std::max_element(xr, xr + n);
        double total = 0;
        for (std::size_t i = 0; i < n; ++i) total += std::exp(xr[i] - m);
        // Y = (X − m) − log Σ e^(X − m): for the largest entry the result is −log Σ itself,
        // exact to its own last digit, not to the last digit of m (X − (m + log Σ) is not)
        const double log_total = std::log(total);
        for (std::size_t i = 0; i < n; ++i)
            y[r * n + i] = static_cast<float>((static_cast<double>(xr[i]) - m) - log_total);
    }
    // dA = dY − softmax(X) · Σ_j dY_j,  with softmax(X) = e^Y
    return make_op("log_softmax", std::move(y), {a}, [a, n, rows](const Tensor& dy, const Tensor& y) {
        Tensor g(y.shape());
        for (std::size_t r = 0; r < rows; ++r) {
            double total = 0;
            for (std::size_t i = 0; i < n; ++i) total += dy[r * n + i];
            for (std::size_t i = 0; i < n; ++i)
                g[r * n + i] = dy[r * n + i] - std::exp(y[r * n + i]) * static_cast<float>(total);
        }
        a.accumulate_grad(g);
    });
}

Var topk_mask(const Var& a, std::size_t k) {
    const Tensor& x = a.value();
    const std::size_t n = row_length(x, "topk_mask"), rows = x.numel() / n;
    if (k == 0 || k > n)
        throw ValueError("topk_mask: k = " + std::to_string(k) + " must be between 1 and the row length " +
                         std::to_string(n) + " of " + x.shape().str());
    // The mask has a 1 at the k largest entries of each row (ties: the lower index wins).
    Tensor m(x.shape());
    std::vector<std::size_t> idx(n);
    for (std::size_t r = 0; r < rows; ++r) {
        const float* xr = x.data() + r * n;
        std::iota(idx.begin(), idx.end(), std::size_t{0});
        std::nth_element(idx.begin(), idx.begin() + static_cast<std::ptrdiff_t>(k - 1), idx.end(),
                         [xr](std::size_t i, std::size_t j) { return xr[i] > xr[j] || (xr[i] == xr[j] && i < j); });
        for (std::size_t t = 0; t < k; ++t) m[r * n + idx[t]] = 1.0f;
    }
    // dA = dY ⊙ M
    Tensor y = x * m;
    return make_op("topk_mask", std::move(y), {a}, [a, m](const Tensor& dy, const Tensor&) { a.accumulate_grad(dy * m); });
}

Var dropout(const Var& a, float p, Rng& rng, bool training) {
    if (!(p >= 0.0f && p < 1.0f))
        throw ValueError("dropout: p = " + std::to_string(p) + " must be in [0, 1)");
    if (!training || p == 0.0f) return a;
    Tensor m(a.shape());
    const float keep_scale = 1.0f / (1.0f - p);
    for (std::size_t i = 0; i < m.numel(); ++i) m[i] = rng.bernoulli(p) ? 0.0f : keep_scale;
    CompositeScope composite("dropout");
    return mul(a, Var::constant(std::move(m), "dropout_mask"));
}

}  // namespace hg
