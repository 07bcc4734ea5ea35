// Losses and penalties: values against numbers worked out by hand, the masked loss and
// its mean corrector, numerical stability, and the contractive penalty's closed form
// against a Jacobian taken by finite differences. (Their gradients are checked in the
// table of test_gradcheck.cpp.)
#include <doctest/doctest.h>

#include <cmath>
#include <vector>

#include "autograd/loss.hpp"
#include "autograd/ops.hpp"
#include "tensor/kernels/masked_squares.hpp"

using doctest::Approx;
using hg::Shape;
using hg::Tensor;
using hg::Var;

namespace {
Var param(const Shape& s, std::vector<float> v) { return Var::parameter(Tensor::from(s, std::move(v))); }
Var constant(const Shape& s, std::vector<float> v) { return Var::constant(Tensor::from(s, std::move(v))); }
}  // namespace

TEST_CASE("mse: the mean of squared differences, and its gradient 2(p - t)/n") {
    Var p = param({2, 2}, {1, 2, 3, 4});
    Var t = constant({2, 2}, {0, 2, 5, 4});
    Var loss = hg::mse(p, t);
    CHECK(loss.item() == Approx(1.25f));  // (1 + 0 + 4 + 0) / 4
    loss.backward();
    CHECK(p.grad().to_vector() == std::vector<float>{0.5f, 0.0f, -1.0f, 0.0f});
    CHECK_THROWS_WITH_AS(hg::mse(p, constant({4}, {0, 2, 5, 4})),
                         "mse: prediction (2x2) and target (4) must have the same shape (losses do not broadcast)",
                         hg::ShapeError);
}

TEST_CASE("masked_squares: the vectorised sums agree with the naive loop, with and without the residual") {
    hg::Rng rng(11);
    for (std::size_t n : {0, 1, 7, 16, 17, 33, 100, 1682}) {
        const Tensor p = Tensor::normal({n}, 0, 1, rng), t = Tensor::normal({n}, 0, 1, rng);
        const Tensor m = hg::gt(Tensor::uniform({n}, 0, 1, rng), 0.7f);
        Tensor r(Shape{n}), r_naive(Shape{n});
        const auto fast = hg::kernels::masked_squares(p.data(), t.data(), m.data(), n, r.data());
        const auto naive = hg::kernels::masked_squares_naive(p.data(), t.data(), m.data(), n, r_naive.data());
        const auto no_r = hg::kernels::masked_squares(p.data(), t.data(), m.data(), n, nullptr);
        INFO("n = " << n);
        CHECK(fast.mask_sum == naive.mask_sum);  // a count of ones: exact
        CHECK(fast.squares == Approx(naive.squares).epsilon(1e-5));
        CHECK(no_r.mask_sum == naive.mask_sum);
        CHECK(no_r.squares == Approx(naive.squares).epsilon(1e-5));
        CHECK(r.to_vector() == r_naive.to_vector());  // m(p − t), one product each
    }
}

TEST_CASE("masked_mse: only observed entries count; the mean corrector rescales to their mean") {
    Var p = param({2, 3}, {1, 2, 3, 4, 5, 6});
    Var t = constant({2, 3}, {1, 0, 0, 0, 5, 3});
    const Tensor mask = Tensor::from({2, 3}, {1, 0, 1, 0, 1, 1});
    // Squared differences 0 4 9 / 16 0 9; observed: 0, 9, 0, 9 -> 18.
    Var plain = hg::masked_mse(p, t, mask);
    CHECK(plain.item() == Approx(18.0f / 6.0f));  // divided by every entry, as the course trains
    Var corrected = hg::masked_mse(p, t, mask, hg::MaskedMseOptions().mean_corrector(true));
    CHECK(corrected.item() == Approx(18.0f / 4.0f));  // divided by the 4 observed entries
    // The course's mean corrector: loss · n / (number observed).
    CHECK(corrected.item() == Approx(plain.item() * 6.0f / 4.0f));

    corrected.backward();
    // d/dp = 2 m (p - t) / 4: zero wherever nothing was observed, whatever p is there.
    CHECK(p.grad().to_vector() == std::vector<float>{0, 0, 1.5f, 0, 0, 1.5f});

    // Unobserved predictions can be anything.
    Var p2 = param({2, 3}, {1, 100, 3, -50, 5, 6});
    CHECK(hg::masked_mse(p2, t, mask).item() == plain.item());
    // Nothing observed: 0, not 0/0.
    CHECK(hg::masked_mse(p, t, Tensor::zeros({2, 3}), hg::MaskedMseOptions().mean_corrector(true)).item() == 0.0f);
    CHECK_THROWS_WITH_AS(hg::masked_mse(p, t, Tensor::ones({3, 2})),
                         "masked_mse: the mask (3x2) must have the prediction's shape (2x3)", hg::ShapeError);
}

TEST_CASE("bce: binary cross-entropy of probabilities, clamped like PyTorch") {
    Var p = param({2}, {0.9f, 0.2f});
    Var t = constant({2}, {1, 0});
    Var loss = hg::bce(p, t);
    const double expected = -(std::log(0.9) + std::log(0.8)) / 2;  // 0.16425...
    CHECK(loss.item() == Approx(expected));
    loss.backward();
    // d/dp = (p - t) / (p(1 - p)) / n = (-0.1/0.09)/2, (0.2/0.16)/2
    CHECK(p.grad()[0] == Approx(-0.1 / 0.09 / 2));
    CHECK(p.grad()[1] == Approx(0.2 / 0.16 / 2));
    // A confident mistake costs 100 per entry (log clamped at -100), never Inf.
    CHECK(hg::bce(constant({1}, {0.0f}), constant({1}, {1.0f})).item() == Approx(100.0f));
    CHECK(hg::bce(constant({1}, {1.0f}), constant({1}, {1.0f})).item() == 0.0f);
    CHECK_THROWS_WITH_AS(hg::bce(constant({1, 2}, {0.5f, 1.5f}), constant({1, 2}, {1, 1})),
                         doctest::Contains("bce: the prediction at (0, 1) is 1.5, not a probability in [0, 1]"),
                         hg::ValueError);
}

TEST_CASE("bce_with_logits: equals bce(sigmoid(x)) and stays exact for huge logits") {
    Var x = param({4}, {-2.0f, -0.3f, 0.0f, 1.7f});
    Var t = constant({4}, {0.0f, 1.0f, 0.5f, 1.0f});
    Var a = hg::bce_with_logits(x, t);
    Var b = hg::bce(hg::sigmoid(x), t);
    CHECK(a.item() == Approx(b.item()).epsilon(1e-6));
    a.backward();
    // d/dx = (σ(x) - t)/n
    for (std::size_t i = 0; i < 4; ++i) {
        const double s = 1 / (1 + std::exp(-static_cast<double>(x.value()[i])));
        CHECK(x.grad()[i] == Approx((s - t.value()[i]) / 4));
    }
    // e^100 would overflow a float; the stable form gives the exact answers.
    Var big = param({3}, {100.0f, -100.0f, 100.0f});
    Var loss = hg::bce_with_logits(big, constant({3}, {0.0f, 1.0f, 1.0f}));
    CHECK(loss.item() == Approx(200.0f / 3));  // 100 + 100 + 0
    loss.backward();
    CHECK(big.grad().to_vector() == std::vector<float>{1.0f / 3, -1.0f / 3, 0.0f});
}

TEST_CASE("l1_activity: the batch mean of each example's L1 norm") {
    Var h = param({2, 2}, {1, -2, 0, 3});
    Var pen = hg::l1_activity(h);
    CHECK(pen.item() == Approx(3.0f));  // (1 + 2 + 0 + 3) / 2 examples
    pen.backward();
    CHECK(h.grad().to_vector() == std::vector<float>{0.5f, -0.5f, 0.0f, 0.5f});
    CHECK_THROWS_WITH_AS(hg::l1_activity(param({4}, {1, 2, 3, 4})),
                         "l1_activity: needs activations (N x H), one example per row, got (4)", hg::ShapeError);
}

TEST_CASE("kl_sparsity: sum over hidden units of KL(rho || mean activation)") {
    Var h = param({2, 2}, {0.2f, 0.5f, 0.4f, 0.1f});  // unit means 0.3 and 0.3
    Var pen = hg::kl_sparsity(h, 0.1f);
    const double one = 0.1 * std::log(0.1 / 0.3) + 0.9 * std::log(0.9 / 0.7);  // 0.11625...
    CHECK(pen.item() == Approx(2 * one));
    pen.backward();
    // d/dh_nj = (1/N)(-rho/rho_hat + (1 - rho)/(1 - rho_hat)) = ½(-1/3 + 9/7)
    for (std::size_t i = 0; i < 4; ++i) CHECK(h.grad()[i] == Approx(0.5 * (-0.1 / 0.3 + 0.9 / 0.7)));

    // At the target the penalty and its gradient vanish.
    Var at = param({2, 1}, {0.05f, 0.15f});
    Var zero = hg::kl_sparsity(at, 0.1f);
    CHECK(std::fabs(zero.item()) < 1e-6f);
    zero.backward();
    CHECK(std::fabs(at.grad()[0]) < 1e-5f);

    // A dead unit costs a lot, but a finite amount.
    CHECK(std::isfinite(hg::kl_sparsity(param({2, 1}, {0.0f, 0.0f}), 0.1f).item()));
    CHECK_THROWS_WITH_AS(hg::kl_sparsity(h, 1.0f), "kl_sparsity: the target activation rho = 1 must be in (0, 1)",
                         hg::ValueError);
    CHECK_THROWS_WITH_AS(hg::kl_sparsity(param({1, 2}, {0.5f, -0.5f}), 0.1f),
                         doctest::Contains("the activation at (0, 1) is -0.5; the penalty needs activations in [0, 1]"),
                         hg::ValueError);
}

TEST_CASE("contractive_penalty: the closed form equals ||J||_F^2 from finite differences") {
    hg::Rng rng(31);
    const std::size_t N = 4, D = 5, H = 3;
    const Tensor x = Tensor::normal({N, D}, 0, 1, rng);
    const Tensor W = Tensor::normal({H, D}, 0, 1, rng);
    const Tensor b = Tensor::normal({H}, 0, 1, rng);

    // h = σ(x·Wᵀ + b) and the closed form, through hourglass.
    Var h = hg::sigmoid(hg::linear(Var::constant(x), Var::constant(W), Var::constant(b)));
    const double closed = hg::contractive_penalty(h, Var::constant(W)).item();

    // The Jacobian of the same encoder, by central differences in double precision.
    auto encode = [&](const std::vector<double>& xn, std::size_t j) {
        double z = b[j];
        for (std::size_t i = 0; i < D; ++i) z += W.at({j, i}) * xn[i];
        return 1 / (1 + std::exp(-z));
    };
    double frob = 0;
    const double eps = 1e-5;
    for (std::size_t n = 0; n < N; ++n) {
        std::vector<double> xn(D);
        for (std::size_t i = 0; i < D; ++i) xn[i] = x.at({n, i});
        for (std::size_t j = 0; j < H; ++j)
            for (std::size_t i = 0; i < D; ++i) {
                std::vector<double> plus = xn, minus = xn;
                plus[i] += eps;
                minus[i] -= eps;
                const double dhdx = (encode(plus, j) - encode(minus, j)) / (2 * eps);  // J_ji
                frob += dhdx * dhdx;
            }
    }
    frob /= N;  // the penalty is the batch mean
    INFO("closed form " << closed << " vs finite differences " << frob);
    CHECK(closed == Approx(frob).epsilon(1e-5));
    CHECK(closed > 0.0);

    CHECK_THROWS_WITH_AS(hg::contractive_penalty(h, Var::constant(Tensor::ones({D, H}))),
                         doctest::Contains("h is (4x3) but W is (5x3); W must be the encoder's weight (H x D)"),
                         hg::ShapeError);
}

TEST_CASE("vae_kl and reparameterise") {
    Var mu = param({1, 2}, {0.5f, -1.0f});
    Var logvar = param({1, 2}, {0.0f, 0.2f});
    // -½[(1 + 0 - 0.25 - 1) + (1 + 0.2 - 1 - e^0.2)]
    const double expected = -0.5 * ((1 + 0 - 0.25 - 1) + (1 + 0.2 - 1 - std::exp(0.2)));
    Var kl = hg::vae_kl(mu, logvar);
    CHECK(kl.item() == Approx(expected));
    kl.backward();
    // d/dmu = mu, d/dlogvar = ½(e^logvar - 1)
    CHECK(mu.grad()[0] == Approx(0.5f));
    CHECK(mu.grad()[1] == Approx(-1.0f));
    CHECK(logvar.grad()[1] == Approx(0.5 * (std::exp(0.2) - 1)));
    // The standard normal itself is at distance 0.
    CHECK(hg::vae_kl(param({3}, {0, 0, 0}), param({3}, {0, 0, 0})).item() == 0.0f);

    // z = mu + e^(logvar/2)·ε with ε drawn from the Rng.
    hg::Rng rng(5), same(5);
    Var z = hg::reparameterise(mu, logvar, rng);
    const float e0 = same.normal(), e1 = same.normal();
    CHECK(z.value()[0] == Approx(0.5f + e0));
    CHECK(z.value()[1] == Approx(-1.0f + std::exp(0.1f) * e1));
    mu.zero_grad();
    logvar.zero_grad();
    hg::sum(z).backward();
    CHECK(mu.grad()[1] == 1.0f);
    CHECK(logvar.grad()[1] == Approx(0.5f * std::exp(0.1f) * e1));  // ½σε

    // Many samples: mean mu, standard deviation e^(logvar/2).
    Var m = Var::constant(Tensor::full({20000}, 2.0f)), lv = Var::constant(Tensor::full({20000}, std::log(0.25f)));
    const Tensor s = hg::reparameterise(m, lv, rng).value();
    CHECK(hg::mean(s).item() == Approx(2.0f).epsilon(0.01));
    CHECK(std::sqrt(hg::mean(hg::square(s - 2.0f)).item()) == Approx(0.5f).epsilon(0.02));
}

TEST_CASE("vae_kl: the textbook KL(N(mu, sigma^2) || N(0, 1)) = log(1/sigma) + (sigma^2 + mu^2)/2 - 1/2, summed") {
    // A batch of 2 rows x 3 dimensions; logvar = log sigma^2, so sigma = e^(logvar/2).
    const std::vector<float> mu = {0.3f, -2.0f, 0.0f, 1.5f, 0.1f, -0.7f};
    const std::vector<float> lv = {-1.2f, 0.4f, 0.0f, -3.0f, 1.1f, -0.2f};
    double expected = 0;
    for (std::size_t i = 0; i < mu.size(); ++i) {
        const double sigma = std::exp(0.5 * lv[i]);
        expected += std::log(1 / sigma) + (sigma * sigma + mu[i] * mu[i]) / 2 - 0.5;
    }
    Var m = param({2, 3}, mu), l = param({2, 3}, lv);
    CHECK(hg::vae_kl(m, l).item() == Approx(expected).epsilon(1e-5));
    // Reading logvar as log sigma (the Keras blog's sampling) would mean a different Gaussian:
    // the KL of that one, with sigma = e^logvar, is not what vae_kl(mu, logvar) computes.
    double other = 0;
    for (std::size_t i = 0; i < mu.size(); ++i) {
        const double sigma = std::exp(static_cast<double>(lv[i]));
        other += std::log(1 / sigma) + (sigma * sigma + mu[i] * mu[i]) / 2 - 0.5;
    }
    CHECK(std::fabs(hg::vae_kl(m, l).item() - other) > 1.0);
    CHECK(hg::vae_kl(m, hg::scale(l, 2.0f)).item() == Approx(other).epsilon(1e-5));
    CHECK_THROWS_AS(hg::vae_kl(m, param({3, 2}, lv)), hg::ShapeError);
}

TEST_CASE("cross_entropy: −log softmax of the true class, averaged; gradient (softmax − onehot)/N") {
    // Row 0: logits (0, 0), class 0: −log ½. Row 1: logits (ln 3, 0), class 1: softmax (¾, ¼), −log ¼.
    Var x = param({2, 2}, {0.0f, 0.0f, std::log(3.0f), 0.0f});
    Var loss = hg::cross_entropy(x, {0, 1});
    CHECK(loss.item() == Approx((std::log(2.0) + std::log(4.0)) / 2));
    loss.backward();
    const std::vector<float> expected = {-0.25f, 0.25f, 0.375f, -0.375f};
    for (std::size_t i = 0; i < 4; ++i) CHECK(x.grad()[i] == Approx(expected[i]));
    // Stable for large logits: log_softmax never forms e^1000.
    CHECK(hg::cross_entropy(constant({1, 3}, {1000, 0, -1000}), {1}).item() == Approx(1000.0f));
    CHECK_THROWS_WITH_AS(hg::cross_entropy(x, {0}), "cross_entropy: 1 labels for logits (2x2); give one label per row",
                         hg::ShapeError);
    CHECK_THROWS_WITH_AS(hg::cross_entropy(x, {0, 2}),
                         "cross_entropy: label 2 of row 1 is not a class of logits (2x2) (classes 0..1)", hg::IndexError);
}
