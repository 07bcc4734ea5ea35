#include "autograd/gradcheck.hpp"

#include <cmath>
#include <cstdio>

namespace hg {

std::string GradCheckResult::str() const {
    char buf[256];
    std::snprintf(buf, sizeof buf,
                  "%s: worst element is input %zu, flat index %zu: analytic %.6g vs numeric %.6g "
                  "(error %.3g of the allowed tolerance)",
                  ok ? "ok" : "FAILED", input, index, analytic, numeric, worst_ratio);
    return buf;
}

GradCheckResult gradcheck(const GradCheckFn& f, const std::vector<Tensor>& inputs, const GradCheckOptions& o) {
    // Analytic gradients: one backward pass seeded with R.
    std::vector<Var> vars;
    for (const Tensor& t : inputs) vars.push_back(Var::parameter(t));
    Var out = f(vars);
    Rng rng(o.seed);
    const Tensor weights = Tensor::uniform(out.shape(), -1.0f, 1.0f, rng);
    out.backward(weights);

    auto loss = [&](const std::vector<Tensor>& xs) {
        NoGradGuard no_grad;
        std::vector<Var> vs;
        for (const Tensor& t : xs) vs.push_back(Var::constant(t));
        const Tensor y = f(vs).value();
        double l = 0;
        for (std::size_t i = 0; i < y.numel(); ++i) l += static_cast<double>(y[i]) * weights[i];
        return l;
    };

    GradCheckResult r;
    std::vector<Tensor> xs = inputs;
    for (std::size_t in = 0; in < xs.size(); ++in) {
        const Tensor& analytic = vars[in].grad();
        for (std::size_t i = 0; i < xs[in].numel(); ++i) {
            const float x0 = xs[in][i];
            xs[in][i] = x0 + o.eps;
            const double plus = loss(xs);
            xs[in][i] = x0 - o.eps;
            const double minus = loss(xs);
            xs[in][i] = x0;
            const double numeric = (plus - minus) / (2.0 * static_cast<double>(o.eps));
            const double a = analytic[i];
            const double ratio = std::fabs(a - numeric) / (o.atol + o.rtol * std::fabs(numeric));
            if (ratio > r.worst_ratio || std::isnan(ratio)) {
                r.worst_ratio = std::isnan(ratio) ? INFINITY : ratio;
                r.input = in;
                r.index = i;
                r.analytic = a;
                r.numeric = numeric;
            }
        }
    }
    r.ok = r.worst_ratio <= 1.0;
    return r;
}

}  // namespace hg
