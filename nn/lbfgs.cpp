#include "nn/lbfgs.hpp"

#include <cmath>
#include <string>

#include "autograd/anomaly.hpp"

namespace hg {

namespace {

double dot(const std::vector<double>& a, const std::vector<double>& b) {
    double s = 0;
    for (std::size_t i = 0; i < a.size(); ++i) s += a[i] * b[i];
    return s;
}

}  // namespace

Lbfgs::Lbfgs(std::vector<Var> params, const LbfgsOptions& options) : params_(std::move(params)), options_(options) {
    if (options_.history == 0) throw ValueError("Lbfgs: history = 0 must be at least 1");
}

std::vector<double> Lbfgs::flat_values() const {
    std::vector<double> x;
    for (const Var& p : params_)
        for (std::size_t i = 0; i < p.value().numel(); ++i) x.push_back(p.value()[i]);
    return x;
}

void Lbfgs::set_values(const std::vector<double>& x) {
    std::size_t k = 0;
    for (Var& p : params_) {
        Tensor& v = p.mutable_value();
        for (std::size_t i = 0; i < v.numel(); ++i) v[i] = static_cast<float>(x[k++]);
    }
}

double Lbfgs::evaluate(const std::function<Var()>& loss, std::vector<double>& grad) {
    for (Var& p : params_) p.zero_grad();
    Var l = loss();
    l.backward();
    ++evaluations_;
    grad.clear();
    for (const Var& p : params_) {
        const bool has = p.has_grad();
        for (std::size_t i = 0; i < p.value().numel(); ++i) grad.push_back(has ? p.grad()[i] : 0.0);
    }
    const double f = l.item();
    if (!std::isfinite(f)) throw NumericError("Lbfgs: the loss is " + std::to_string(f) + " after " + std::to_string(evaluations_) + " evaluations");
    return f;
}

double Lbfgs::step(const std::function<Var()>& loss) {
    if (g_.empty()) f_ = evaluate(loss, g_);
    // d = −H·g by the two-loop recursion, H₀ = γ·I with γ = sᵀy / yᵀy of the newest pair.
    std::vector<double> d = g_;
    std::vector<double> alpha(s_.size());
    for (std::size_t k = s_.size(); k-- > 0;) {
        alpha[k] = rho_[k] * dot(s_[k], d);
        for (std::size_t i = 0; i < d.size(); ++i) d[i] -= alpha[k] * y_[k][i];
    }
    if (!s_.empty()) {
        const double gamma = dot(s_.back(), y_.back()) / dot(y_.back(), y_.back());
        for (double& v : d) v *= gamma;
    }
    for (std::size_t k = 0; k < s_.size(); ++k) {
        const double beta = rho_[k] * dot(y_[k], d);
        for (std::size_t i = 0; i < d.size(); ++i) d[i] += (alpha[k] - beta) * s_[k][i];
    }
    for (double& v : d) v = -v;
    double slope = dot(g_, d);
    if (slope >= 0 && !s_.empty()) {  // not a descent direction (rounding): restart along −g
        s_.clear(), y_.clear(), rho_.clear();
        for (std::size_t i = 0; i < d.size(); ++i) d[i] = -g_[i];
        slope = dot(g_, d);
    }
    if (slope >= 0) return f_;  // g = 0: a stationary point, nothing to do
    double t = 1;
    if (s_.empty()) {
        double l1 = 0;
        for (double v : g_) l1 += std::fabs(v);
        t = std::min(1.0, 1.0 / l1);
    }
    const std::vector<double> x = flat_values();
    std::vector<double> x_new(x.size()), g_new;
    for (int h = 0; h <= options_.max_halvings; ++h, t *= 0.5) {
        for (std::size_t i = 0; i < x.size(); ++i) x_new[i] = x[i] + t * d[i];
        set_values(x_new);
        const double f_new = evaluate(loss, g_new);
        if (f_new <= f_ + 1e-4 * t * slope) {
            std::vector<double> s(x.size()), y(x.size());
            for (std::size_t i = 0; i < x.size(); ++i) s[i] = x_new[i] - x[i], y[i] = g_new[i] - g_[i];
            const double sy = dot(s, y);
            if (sy > 1e-10) {
                if (s_.size() == options_.history) s_.pop_front(), y_.pop_front(), rho_.pop_front();
                s_.push_back(std::move(s));
                y_.push_back(std::move(y));
                rho_.push_back(1.0 / sy);
            }
            f_ = f_new;
            g_ = std::move(g_new);
            return f_;
        }
    }
    set_values(x);  // no step lowered the loss: stay, and forget the history
    reset();
    return f_;
}

}  // namespace hg
