// Optimisers, step by step, against their published update rules (PyTorch's documented
// semantics). Each rule is checked twice:
//  - on L = ½p² (so g = p) for two steps, against numbers worked out by hand in the
//    comments (and confirmed with PyTorch 1.13);
//  - on a tiny problem with two parameter tensors, L = Σ ½·a_k·(p_k − c_k)² (so
//    g_k = a_k·(p_k − c_k)), for several steps, against the rule written out again below
//    in plain double arithmetic, element by element.
#include <doctest/doctest.h>

#include <cmath>
#include <functional>
#include <limits>
#include <memory>
#include <vector>

#include "autograd/anomaly.hpp"
#include "autograd/ops.hpp"
#include "nn/adam.hpp"
#include "nn/clip_grad.hpp"
#include "nn/lbfgs.hpp"
#include "nn/lr_schedule.hpp"
#include "nn/optimizer.hpp"
#include "nn/rmsprop.hpp"
#include "nn/rprop.hpp"
#include "nn/sgd.hpp"
#include "tensor/kernels/parallel_for.hpp"
#include "tensor/parallel.hpp"

using doctest::Approx;
using hg::Tensor;
using hg::Var;

namespace {

using Values = std::vector<std::vector<double>>;  // one vector per parameter tensor

// ---- L = ½p², a single number -------------------------------------------------------

template <class Opt, class Options>
std::vector<float> half_square(const Options& options, int steps, float p0 = 1.0f) {
    Var p = Var::parameter(Tensor::from({1}, {p0}), "p");
    Opt opt({p}, options);
    std::vector<float> out;
    for (int t = 0; t < steps; ++t) {
        Var loss = 0.5f * hg::sum(hg::square(p));
        opt.zero_grad();
        loss.backward();
        opt.step();
        out.push_back(p.value()[0]);
    }
    return out;
}

// ---- the two-tensor problem ---------------------------------------------------------

struct Problem {
    Values p0 = {{1.0, -2.0, 0.5}, {0.3, -0.7}};
    Values a = {{1.0, 3.0, 0.5}, {2.0, 1.0}};
    Values c = {{0.2137, 0.1113, -0.9871}, {-0.4929, 0.4071}};  // not sums of Rprop's round steps
};

Tensor to_tensor(const std::vector<double>& v) {
    std::vector<float> f(v.begin(), v.end());
    const std::size_t n = f.size();
    return Tensor::from({n}, std::move(f));
}

// Run the hourglass optimiser and the reference side by side for `steps` steps and
// compare every parameter after every step. ref(t, p, g) updates p in place from g.
void compare(const std::function<std::unique_ptr<hg::Optimizer>(std::vector<Var>)>& make,
             const std::function<void(int, Values&, const Values&)>& ref, int steps, double rel = 2e-5) {
    Problem pr;
    std::vector<Var> params;
    Values p = pr.p0;
    for (std::size_t i = 0; i < p.size(); ++i) {
        for (double& x : p[i]) x = static_cast<float>(x);  // both sides start from the same floats
        params.push_back(Var::parameter(to_tensor(p[i]), "p" + std::to_string(i)));
    }
    auto opt = make(params);
    for (int t = 1; t <= steps; ++t) {
        Var loss = Var::constant(Tensor::scalar(0));
        for (std::size_t i = 0; i < params.size(); ++i) {
            Var d = params[i] - Var::constant(to_tensor(pr.c[i]));
            loss = loss + 0.5f * hg::sum(Var::constant(to_tensor(pr.a[i])) * hg::square(d));
        }
        opt->zero_grad();
        loss.backward();
        opt->step();

        Values g = p;
        for (std::size_t i = 0; i < p.size(); ++i)
            for (std::size_t k = 0; k < p[i].size(); ++k) g[i][k] = pr.a[i][k] * (p[i][k] - pr.c[i][k]);
        ref(t, p, g);

        for (std::size_t i = 0; i < p.size(); ++i)
            for (std::size_t k = 0; k < p[i].size(); ++k) {
                INFO(opt->name() << " step " << t << ", parameter " << i << " element " << k);
                CHECK(params[i].value()[k] == Approx(p[i][k]).epsilon(rel));
            }
    }
}

Values zeros_like(const Values& v) {
    Values z = v;
    for (auto& row : z)
        for (double& x : row) x = 0;
    return z;
}

double sign(double x) { return x > 0 ? 1.0 : (x < 0 ? -1.0 : 0.0); }

}  // namespace

TEST_CASE("SGD: plain, momentum and Nesterov steps by hand") {
    // Plain: p ← p − lr·g. lr = 0.1: 1 → 1 − 0.1 = 0.9 → 0.9 − 0.09 = 0.81.
    auto plain = half_square<hg::SGD>(hg::SGDOptions(0.1f), 2);
    CHECK(plain[0] == Approx(0.9f));
    CHECK(plain[1] == Approx(0.81f));
    // Momentum 0.9: step 1 b = g = 1, p = 1 − 0.1 = 0.9;
    //               step 2 g = 0.9, b = 0.9·1 + 0.9 = 1.8, p = 0.9 − 0.18 = 0.72.
    auto mom = half_square<hg::SGD>(hg::SGDOptions(0.1f).momentum(0.9f), 2);
    CHECK(mom[0] == Approx(0.9f));
    CHECK(mom[1] == Approx(0.72f));
    // Nesterov: step 1 b = 1, g + μb = 1.9, p = 1 − 0.19 = 0.81;
    //           step 2 g = 0.81, b = 0.9 + 0.81 = 1.71, g + μb = 0.81 + 1.539 = 2.349, p = 0.81 − 0.2349 = 0.5751.
    auto nes = half_square<hg::SGD>(hg::SGDOptions(0.1f).momentum(0.9f).nesterov(true), 2);
    CHECK(nes[0] == Approx(0.81f));
    CHECK(nes[1] == Approx(0.5751f));
}

TEST_CASE("SGD: several steps against the rule, with weight decay, dampening, Nesterov") {
    struct Case {
        float lr, mu, damp, wd;
        bool nesterov;
    };
    for (const Case& c : {Case{0.1f, 0.0f, 0.0f, 0.0f, false}, Case{0.05f, 0.9f, 0.0f, 0.1f, false},
                          Case{0.05f, 0.8f, 0.3f, 0.2f, false}, Case{0.05f, 0.9f, 0.0f, 0.05f, true}}) {
        Values buf;
        compare(
            [&](std::vector<Var> ps) {
                return std::make_unique<hg::SGD>(
                    ps, hg::SGDOptions(c.lr).momentum(c.mu).dampening(c.damp).weight_decay(c.wd).nesterov(c.nesterov));
            },
            [&](int t, Values& p, const Values& grad) {
                if (t == 1) buf = zeros_like(p);
                for (std::size_t i = 0; i < p.size(); ++i)
                    for (std::size_t k = 0; k < p[i].size(); ++k) {
                        double g = grad[i][k] + c.wd * p[i][k];                        // g += wd·p
                        if (c.mu != 0) {
                            buf[i][k] = t == 1 ? g : c.mu * buf[i][k] + (1 - c.damp) * g;  // b = μb + (1−τ)g
                            g = c.nesterov ? g + c.mu * buf[i][k] : buf[i][k];
                        }
                        p[i][k] -= c.lr * g;
                    }
            },
            6);
    }
}

TEST_CASE("RMSprop: two steps by hand") {
    // lr 0.01, α 0.99. Step 1: g = 1, v = 0.01·1 = 0.01, √v = 0.1, p = 1 − 0.01·1/0.1 = 0.9.
    // Step 2: g = 0.9, v = 0.99·0.01 + 0.01·0.81 = 0.018, √v = 0.134164,
    //         p = 0.9 − 0.01·0.9/0.134164 = 0.9 − 0.067082 = 0.832918.
    auto p = half_square<hg::RMSprop>(hg::RMSpropOptions(0.01f).alpha(0.99f), 2);
    CHECK(p[0] == Approx(0.9f));
    CHECK(p[1] == Approx(0.832918f));
}

TEST_CASE("RMSprop: several steps against the rule (weight decay, momentum, centered)") {
    struct Case {
        float lr, alpha, eps, wd, mu;
        bool centered;
    };
    for (const Case& c : {Case{0.01f, 0.99f, 1e-8f, 0.0f, 0.0f, false}, Case{0.01f, 0.99f, 1e-8f, 0.5f, 0.0f, false},
                          Case{0.02f, 0.9f, 1e-6f, 0.1f, 0.9f, false}, Case{0.01f, 0.9f, 1e-8f, 0.0f, 0.0f, true},
                          Case{0.01f, 0.95f, 1e-8f, 0.2f, 0.5f, true}}) {
        Values v, gavg, buf;
        compare(
            [&](std::vector<Var> ps) {
                return std::make_unique<hg::RMSprop>(ps, hg::RMSpropOptions(c.lr).alpha(c.alpha).eps(c.eps).weight_decay(c.wd).momentum(c.mu).centered(c.centered));
            },
            [&](int t, Values& p, const Values& grad) {
                if (t == 1) v = gavg = buf = zeros_like(p);
                for (std::size_t i = 0; i < p.size(); ++i)
                    for (std::size_t k = 0; k < p[i].size(); ++k) {
                        const double g = grad[i][k] + c.wd * p[i][k];
                        v[i][k] = c.alpha * v[i][k] + (1 - c.alpha) * g * g;
                        double denom = std::sqrt(v[i][k]) + c.eps;
                        if (c.centered) {
                            gavg[i][k] = c.alpha * gavg[i][k] + (1 - c.alpha) * g;
                            denom = std::sqrt(v[i][k] - gavg[i][k] * gavg[i][k]) + c.eps;
                        }
                        if (c.mu > 0) {
                            buf[i][k] = c.mu * buf[i][k] + g / denom;
                            p[i][k] -= c.lr * buf[i][k];
                        } else {
                            p[i][k] -= c.lr * g / denom;
                        }
                    }
            },
            6, c.centered ? 1e-4 : 2e-5);  // centered: √(v − ḡ²) magnifies float rounding
    }
}

TEST_CASE("Adam and AdamW: two steps by hand") {
    // Adam, lr 0.1. Step 1: m = 0.1, v = 0.001, m̂ = 0.1/0.1 = 1, v̂ = 0.001/0.001 = 1, p = 1 − 0.1 = 0.9.
    // Step 2: g = 0.9, m = 0.09 + 0.09 = 0.18, v = 0.000999 + 0.00081 = 0.001809,
    //         m̂ = 0.18/0.19 = 0.947368, v̂ = 0.001809/0.001999 = 0.904952, √v̂ = 0.951290,
    //         p = 0.9 − 0.1·0.947368/0.951290 = 0.9 − 0.099588 = 0.800412.
    auto adam = half_square<hg::Adam>(hg::AdamOptions(0.1f), 2);
    CHECK(adam[0] == Approx(0.9f));
    CHECK(adam[1] == Approx(0.800412f));
    // AdamW, lr 0.1, wd 0.1. Step 1: p = 1·(1 − 0.01) = 0.99, then − 0.1·1 = 0.89.
    // Step 2: g = 0.89, m = 0.09 + 0.089 = 0.179, v = 0.000999 + 0.0007921 = 0.0017911,
    //         m̂ = 0.179/0.19 = 0.942105, v̂ = 0.0017911/0.001999 = 0.895998, √v̂ = 0.946572,
    //         p = 0.89·0.99 − 0.1·0.942105/0.946572 = 0.8811 − 0.099528 = 0.781572.
    auto adamw = half_square<hg::AdamW>(hg::AdamOptions(0.1f).weight_decay(0.1f), 2);
    CHECK(adamw[0] == Approx(0.89f));
    CHECK(adamw[1] == Approx(0.781572f));
    // Adam's L2 weight decay goes into the gradient instead: step 1 g = 1 + 0.1·1 = 1.1,
    // m̂ = 1.1, v̂ = 1.21, p = 1 − 0.1·1.1/1.1 = 0.9 (the first Adam step is always ±lr).
    auto adam_wd = half_square<hg::Adam>(hg::AdamOptions(0.1f).weight_decay(0.1f), 1);
    CHECK(adam_wd[0] == Approx(0.9f));
}

TEST_CASE("Adam and AdamW: several steps against the rule") {
    struct Case {
        float lr, b1, b2, eps, wd;
        bool decoupled;
    };
    for (const Case& c : {Case{0.01f, 0.9f, 0.999f, 1e-8f, 0.0f, false}, Case{0.05f, 0.8f, 0.99f, 1e-6f, 0.3f, false},
                          Case{0.05f, 0.9f, 0.999f, 1e-8f, 0.3f, true}, Case{0.1f, 0.5f, 0.9f, 1e-3f, 0.01f, true}}) {
        Values m, v;
        compare(
            [&](std::vector<Var> ps) -> std::unique_ptr<hg::Optimizer> {
                const auto o = hg::AdamOptions(c.lr).betas(c.b1, c.b2).eps(c.eps).weight_decay(c.wd);
                if (c.decoupled) return std::make_unique<hg::AdamW>(ps, o);
                return std::make_unique<hg::Adam>(ps, o);
            },
            [&](int t, Values& p, const Values& grad) {
                if (t == 1) m = v = zeros_like(p);
                for (std::size_t i = 0; i < p.size(); ++i)
                    for (std::size_t k = 0; k < p[i].size(); ++k) {
                        double g = grad[i][k];
                        if (c.decoupled) p[i][k] *= 1 - c.lr * c.wd;  // AdamW
                        else g += c.wd * p[i][k];                     // Adam
                        m[i][k] = c.b1 * m[i][k] + (1 - c.b1) * g;
                        v[i][k] = c.b2 * v[i][k] + (1 - c.b2) * g * g;
                        const double mhat = m[i][k] / (1 - std::pow(c.b1, t));
                        const double vhat = v[i][k] / (1 - std::pow(c.b2, t));
                        p[i][k] -= c.lr * mhat / (std::sqrt(vhat) + c.eps);
                    }
            },
            8);
    }
}

TEST_CASE("Rprop: steps grow while the sign holds, shrink and pause when it flips") {
    // Initial step 0.6 on ½p² from 1 (g = p):
    //  1: g·g⁻ = 0 → s = 0.6, p = 1 − 0.6 = 0.4
    //  2: g = 0.4 agrees → s = 0.6·1.2 = 0.72, p = 0.4 − 0.72 = −0.32
    //  3: g = −0.32 flips → s = 0.36, g⁻ := 0, p stays −0.32
    //  4: g·g⁻ = 0 → s = 0.36, p = −0.32 + 0.36 = 0.04
    //  5: g = 0.04 flips → s = 0.18, p stays 0.04
    auto p = half_square<hg::Rprop>(hg::RpropOptions(0.6f), 5);
    CHECK(p[0] == Approx(0.4f));
    CHECK(p[1] == Approx(-0.32f));
    CHECK(p[2] == Approx(-0.32f));
    CHECK(p[3] == Approx(0.04f));
    CHECK(p[4] == Approx(0.04f));
}

TEST_CASE("Rprop: several steps against the rule, step sizes clamped") {
    struct Case {
        float lr, eta_minus, eta_plus, lo, hi;
    };
    for (const Case& c : {Case{0.01f, 0.5f, 1.2f, 1e-6f, 50.0f}, Case{0.3f, 0.5f, 1.2f, 1e-6f, 50.0f},
                          Case{0.2f, 0.3f, 1.5f, 0.05f, 0.4f}}) {
        Values prev, step;
        compare(
            [&](std::vector<Var> ps) {
                return std::make_unique<hg::Rprop>(ps, hg::RpropOptions(c.lr).etas(c.eta_minus, c.eta_plus).step_sizes(c.lo, c.hi));
            },
            [&](int t, Values& p, const Values& grad) {
                if (t == 1) {
                    prev = zeros_like(p);
                    step = zeros_like(p);
                    for (auto& row : step)
                        for (double& s : row) s = static_cast<float>(c.lr);
                }
                for (std::size_t i = 0; i < p.size(); ++i)
                    for (std::size_t k = 0; k < p[i].size(); ++k) {
                        double g = grad[i][k];
                        const double agree = g * prev[i][k];
                        const double f = agree > 0 ? c.eta_plus : (agree < 0 ? c.eta_minus : 1.0);
                        step[i][k] = std::min(std::max(step[i][k] * f, double{c.lo}), double{c.hi});
                        if (agree < 0) g = 0;
                        p[i][k] -= sign(g) * step[i][k];
                        prev[i][k] = g;
                    }
            },
            12);
    }
}

TEST_CASE("L-BFGS: a quadratic in few iterations, Rosenbrock's valley to its minimum") {
    // L = ½·Σ a_k·(p_k − c_k)², curvatures 1 to 100: plain gradient descent needs hundreds
    // of steps at this conditioning; L-BFGS with 10 pairs converges in a few dozen.
    Var p = Var::parameter(Tensor::zeros({6}), "p");
    const Tensor a = Tensor::from({6}, {1, 3, 10, 30, 60, 100}), c = Tensor::from({6}, {1, -2, 0.5f, 3, -1, 2});
    auto quadratic = [&] { return 0.5f * hg::sum(Var::constant(a) * hg::square(p - Var::constant(c))); };
    hg::Lbfgs opt({p});
    const double start = quadratic().item();
    double loss = start;
    for (int it = 0; it < 40; ++it) loss = opt.step(quadratic);
    CHECK(loss < 1e-8 * start);
    for (std::size_t k = 0; k < 6; ++k) CHECK(p.value()[k] == Approx(c[k]).epsilon(1e-3));
    // Rosenbrock's function from (−1.2, 1): no step raises the loss (the line search's Armijo condition).
    Var xy = Var::parameter(Tensor::from({2}, {-1.2f, 1.0f}), "xy");
    const Var first = Var::constant(Tensor::from({2}, {1, 0})), second = Var::constant(Tensor::from({2}, {0, 1}));
    auto rosenbrock = [&] {  // (1 − x)² + 100·(y − x²)², its minimum 0 at (1, 1)
        const Var x = hg::sum(xy * first), y = hg::sum(xy * second);
        return hg::square(1.0f - x) + 100.0f * hg::square(y - hg::square(x));
    };
    hg::Lbfgs ros({xy});
    double before = rosenbrock().item();
    for (int it = 0; it < 200; ++it) {
        const double after = ros.step(rosenbrock);
        CHECK(after <= before);
        before = after;
    }
    CHECK(xy.value()[0] == Approx(1.0).epsilon(1e-2));
    CHECK(xy.value()[1] == Approx(1.0).epsilon(1e-2));
    CHECK(ros.evaluations() < 400);
}

TEST_CASE("optimiser: options are validated with clear messages") {
    Var p = Var::parameter(Tensor::ones({2}), "w");
    CHECK_THROWS_WITH_AS(hg::SGD({p}, hg::SGDOptions(0.1f).nesterov(true)),
                         "SGD: nesterov = 1 needs momentum > 0 and dampening = 0", hg::ValueError);
    CHECK_THROWS_WITH_AS(hg::SGD({p}, hg::SGDOptions(-1.0f)), "SGD: lr = -1 must be >= 0", hg::ValueError);
    CHECK_THROWS_WITH_AS(hg::Adam({p}, hg::AdamOptions().betas(0.9f, 1.0f)), "Adam: beta2 = 1 must be in [0, 1)",
                         hg::ValueError);
    CHECK_THROWS_WITH_AS(hg::Adam({}, hg::AdamOptions()), doctest::Contains("Adam: got an empty parameter list"),
                         hg::ValueError);
    CHECK_THROWS_WITH_AS(hg::Rprop({p, p}, hg::RpropOptions()),
                         "Rprop: parameter 'w' appears twice in the parameter list; it would be updated twice per step",
                         hg::ValueError);
    CHECK_THROWS_WITH_AS(hg::RMSprop({Var::constant(Tensor::ones({2}), "x")}, hg::RMSpropOptions()),
                         doctest::Contains("parameter 'x' is not a trainable leaf"), hg::ValueError);
}

TEST_CASE("optimiser: parameters without a gradient are left alone; zero_grad clears") {
    Var used = Var::parameter(Tensor::ones({2}), "used");
    Var unused = Var::parameter(Tensor::ones({2}), "unused");
    hg::SGD opt({used, unused}, hg::SGDOptions(0.5f).weight_decay(0.1f));
    hg::sum(used).backward();
    opt.step();
    CHECK(used.value()[0] == Approx(1 - 0.5 * (1 + 0.1)));
    CHECK(unused.value()[0] == 1.0f);  // never reached by backward(): not even weight decay
    CHECK(opt.step_count() == 1);
    opt.zero_grad();
    CHECK(used.grad()[0] == 0.0f);
}

TEST_CASE("optimiser: a NaN or Inf in a parameter stops training with the step and the name") {
    Var p = Var::parameter(Tensor::from({2}, {1.0f, 2.0f}), "encoder.0.weight");
    hg::SGD opt({p}, hg::SGDOptions(0.1f));
    p.grad() = Tensor::from({2}, {0.5f, INFINITY});
    CHECK_THROWS_WITH_AS(opt.step(), doctest::Contains("SGD step 1: parameter 'encoder.0.weight' (2) became -inf at flat index 1 (its gradient there was inf)"),
                         hg::NumericError);
}

TEST_CASE("StepLR: lr = lr0 · gamma^floor(epoch / step_size)") {
    Var p = Var::parameter(Tensor::ones({1}));
    hg::SGD opt({p}, hg::SGDOptions(0.1f));
    hg::StepLR schedule(opt, 3, 0.5f);
    std::vector<float> lrs{opt.lr()};
    for (int epoch = 0; epoch < 7; ++epoch) {
        schedule.step();
        lrs.push_back(opt.lr());
    }
    // epochs 0-2: 0.1, 3-5: 0.05, 6-7: 0.025
    const std::vector<float> expected{0.1f, 0.1f, 0.1f, 0.05f, 0.05f, 0.05f, 0.025f, 0.025f};
    for (std::size_t i = 0; i < lrs.size(); ++i) CHECK(lrs[i] == Approx(expected[i]));
    CHECK(schedule.epoch() == 7);
    CHECK_THROWS_AS(hg::StepLR(opt, 0), hg::ValueError);
}

TEST_CASE("clip_grad_norm: scales all gradients together to max_norm") {
    Var a = Var::parameter(Tensor::zeros({2}), "a"), b = Var::parameter(Tensor::zeros({1}), "b");
    a.grad() = Tensor::from({2}, {3.0f, 0.0f});
    b.grad() = Tensor::from({1}, {4.0f});
    // ‖(3, 0, 4)‖ = 5 > 1: everything times 1/(5 + 1e-6)
    CHECK(hg::clip_grad_norm({a, b}, 1.0f) == Approx(5.0f));
    CHECK(a.grad()[0] == Approx(0.6f));
    CHECK(b.grad()[0] == Approx(0.8f));
    // Already short enough: untouched.
    CHECK(hg::clip_grad_norm({a, b}, 2.0f) == Approx(1.0f));
    CHECK(a.grad()[0] == Approx(0.6f));
    b.grad()[0] = NAN;
    CHECK_THROWS_WITH_AS(hg::clip_grad_norm({a, b}, 1.0f), doctest::Contains("the gradient of 'b' (1) holds NaN or Inf"),
                         hg::NumericError);
}

TEST_CASE("optimiser and activations: a parameter large enough for 2 threads gets the same numbers as with 1") {
    // Above hg::kernels::parallel_grain elements per thread, the update loops and element-wise
    // activations split the work between threads; each element is computed the same way.
    // Also: a NaN found by the second thread's half still stops training.
    const std::size_t n = 4 * hg::kernels::parallel_grain + 13;
    const int before = hg::num_threads();
    auto run = [&](int threads, int which) {
        hg::set_num_threads(threads);
        hg::Rng rng(21);
        Var w = Var::parameter(Tensor::normal({n}, 0.0f, 1.0f, rng), "w");
        std::unique_ptr<hg::Optimizer> opt;
        switch (which) {
            case 0: opt = std::make_unique<hg::SGD>(std::vector<Var>{w}, hg::SGDOptions(0.1f).momentum(0.9f)); break;
            case 1: opt = std::make_unique<hg::RMSprop>(std::vector<Var>{w}, hg::RMSpropOptions(0.01f).weight_decay(0.5f)); break;
            case 2: opt = std::make_unique<hg::Adam>(std::vector<Var>{w}, hg::AdamOptions(1e-3f)); break;
            default: opt = std::make_unique<hg::Rprop>(std::vector<Var>{w}, hg::RpropOptions(1e-2f)); break;
        }
        for (int step = 0; step < 3; ++step) {
            opt->zero_grad();
            hg::sum(hg::selu(w) * hg::sigmoid(w)).backward();
            opt->step();
        }
        return w.value();
    };
    for (int which = 0; which < 4; ++which) {
        const Tensor one = run(1, which), two = run(2, which);
        INFO("optimiser " << which);
        CHECK(one.to_vector() == two.to_vector());  // bit for bit
    }
    hg::set_num_threads(2);
    Var w = Var::parameter(Tensor::ones({n}), "w");
    hg::SGD sgd({w}, hg::SGDOptions(1.0f));
    w.grad().fill(0.0f);
    w.grad()[n - 5] = std::numeric_limits<float>::infinity();  // in the last thread's range
    const std::string where = "at flat index " + std::to_string(n - 5);
    CHECK_THROWS_WITH_AS(sgd.step(), doctest::Contains(where.c_str()), hg::NumericError);
    hg::set_num_threads(before);
}
