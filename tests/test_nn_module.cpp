// Modules: names and paths, the printout, train/eval, Linear and its initialisers, tied
// weights, dropout and noise layers, Sequential, a custom layer, and the classic 8-3-8
// autoencoder trained to zero errors.
#include <doctest/doctest.h>

#include <cmath>
#include <memory>
#include <string>

#include "autograd/loss.hpp"
#include "autograd/ops.hpp"
#include "nn/activation.hpp"
#include "nn/adam.hpp"
#include "nn/dropout.hpp"
#include "nn/init.hpp"
#include "nn/linear.hpp"
#include "nn/module.hpp"
#include "nn/sequential.hpp"

using hg::Shape;
using hg::Tensor;
using hg::Var;

namespace {

// The model of module.hpp's worked example.
class Autoencoder : public hg::Module {
public:
    explicit Autoencoder(hg::Rng& rng) : Module("Autoencoder") {
        encoder = register_module("encoder", hg::sequential({std::make_shared<hg::Linear>(8, 3, rng),
                                                             std::make_shared<hg::Sigmoid>()}));
        decoder = register_module("decoder", std::make_shared<hg::Linear>(3, 8, rng));
    }
    Var forward(const Var& x) override { return (*decoder)((*encoder)(x)); }
    std::shared_ptr<hg::Sequential> encoder;
    std::shared_ptr<hg::Linear> decoder;
};

// The custom layer of nn/README.md, "Writing your own layer" (tests/test_guide.cpp checks that
// the page shows this very code).
// >>> nn/README.md: scale layer
class Scale : public hg::Module {
public:
    explicit Scale(std::size_t n) : Module("Scale") {
        gain_ = register_parameter("gain", hg::Tensor::ones({n}));  // one trainable factor per feature
    }
    hg::Var forward(const hg::Var& x) override { return x * gain_; }  // broadcasting: every row times gain
    std::string describe() const override { return "n=" + std::to_string(gain_.shape()[0]); }

private:
    hg::Var gain_;
};
// <<< nn/README.md: scale layer

Tensor one_hot(std::size_t n) {
    Tensor t(Shape{n, n});
    for (std::size_t i = 0; i < n; ++i) t.at({i, i}) = 1.0f;
    return t;
}

}  // namespace

TEST_CASE("module: parameters get dotted names, shared by the Vars themselves") {
    hg::Rng rng(1);
    Autoencoder model(rng);
    const auto named = model.named_parameters();
    REQUIRE(named.size() == 4);
    const std::vector<std::string> expected = {"encoder.0.weight", "encoder.0.bias", "decoder.weight", "decoder.bias"};
    for (std::size_t i = 0; i < named.size(); ++i) {
        CHECK(named[i].first == expected[i]);
        CHECK(named[i].second.name() == expected[i]);  // the graph and the printout say the same
    }
    CHECK(named[0].second.shape() == Shape{3, 8});
    CHECK(model.parameters().size() == 4);
    CHECK(model.num_parameters() == 3 * 8 + 3 + 8 * 3 + 8);
}

TEST_CASE("module: a sub-module's names follow it when it is adopted later") {
    hg::Rng rng(1);
    auto inner = hg::sequential({std::make_shared<hg::Linear>(2, 2, rng)});
    CHECK(inner->parameters()[0].name() == "0.weight");
    struct Outer : hg::Module {
        explicit Outer(std::shared_ptr<hg::Sequential> s) : Module("Outer") { body = register_module("body", s); }
        Var forward(const Var& x) override { return (*body)(x); }
        std::shared_ptr<hg::Sequential> body;
    };
    Outer outer(inner);
    CHECK(inner->parameters()[0].name() == "body.0.weight");
    outer.body->add(std::make_shared<hg::Linear>(2, 1, rng));  // grows after adoption: still a full path
    CHECK(outer.named_parameters()[2].first == "body.1.weight");
    CHECK(outer.named_parameters()[2].second.name() == "body.1.weight");
}

TEST_CASE("module: the printout shows the tree, shapes and parameter counts") {
    hg::Rng rng(1);
    Autoencoder model(rng);
    CHECK(model.str() ==
          "Autoencoder(\n"
          "  (encoder): Sequential(\n"
          "    (0): Linear(in=8, out=3, bias)  weight (3x8), bias (3)  27 params\n"
          "    (1): Sigmoid()\n"
          "  )  27 params\n"
          "  (decoder): Linear(in=3, out=8, bias)  weight (8x3), bias (8)  32 params\n"
          ")  59 params");
    hg::Linear big(1682, 20, rng);
    CHECK(big.str() == "Linear(in=1682, out=20, bias)  weight (20x1682), bias (20)  33,660 params");
    CHECK(hg::with_thousands(1234567) == "1,234,567");
    CHECK(hg::with_thousands(999) == "999");
    CHECK(hg::LeakyReLU(0.2f).str() == "LeakyReLU(negative_slope=0.2)");
}

TEST_CASE("module: registration errors say what is wrong") {
    struct Bad : hg::Module {
        explicit Bad(int which) : Module("Bad") {
            register_parameter("w", Tensor::ones({2}));
            if (which == 0) register_parameter("w", Tensor::ones({2}));
            if (which == 1) register_parameter("a.b", Tensor::ones({2}));
            if (which == 2) register_parameter("c", Var::constant(Tensor::ones({2})));
        }
        Var forward(const Var& x) override { return x; }
    };
    CHECK_THROWS_WITH_AS(Bad(0), "register_parameter: Bad already has a parameter 'w'", hg::ValueError);
    CHECK_THROWS_WITH_AS(Bad(1), doctest::Contains("the name 'a.b' must be non-empty and contain no '.'"), hg::ValueError);
    CHECK_THROWS_WITH_AS(Bad(2), doctest::Contains("must be a trainable leaf"), hg::ValueError);
}

TEST_CASE("module: zero_grad clears every parameter's gradient") {
    hg::Rng rng(2);
    Autoencoder model(rng);
    Var x = Var::constant(one_hot(8));
    hg::mse(model(x), x).backward();
    float total = 0;
    for (const Var& p : model.parameters()) total += hg::sum(hg::abs(p.grad())).item();
    CHECK(total > 0.0f);
    model.zero_grad();
    for (const Var& p : model.parameters()) CHECK(hg::sum(hg::abs(p.grad())).item() == 0.0f);
}

TEST_CASE("module: train() and eval() switch the whole tree; dropout and noise obey") {
    hg::Rng rng(3);
    auto model = hg::sequential({std::make_shared<hg::Dropout>(0.5f, rng), std::make_shared<hg::Identity>()});
    auto inner = hg::sequential({std::make_shared<hg::GaussianNoise>(0.3f, rng)});
    model->add(inner);
    CHECK(inner->is_training());
    model->eval();
    CHECK_FALSE(model->is_training());
    CHECK_FALSE((*inner)[0].is_training());
    Var x = Var::constant(Tensor::ones({4, 50}));
    CHECK((*model)(x).value().storage() == x.value().storage());  // eval: the input itself
    model->train();
    CHECK((*inner)[0].is_training());
    const Tensor y = (*model)(x).value();
    CHECK_FALSE(y.storage() == x.value().storage());
}

TEST_CASE("dropout: zeros about p of the entries and scales survivors by 1/(1-p)") {
    hg::Rng rng(4);
    hg::Dropout drop(0.25f, rng);
    const Tensor y = drop(Var::constant(Tensor::ones({100, 100}))).value();
    std::size_t zeros = 0;
    for (std::size_t i = 0; i < y.numel(); ++i) {
        if (y[i] == 0.0f) ++zeros;
        else CHECK(y[i] == doctest::Approx(1.0f / 0.75f));
    }
    CHECK(zeros > 2300);  // 2500 expected; the binomial sd is 43
    CHECK(zeros < 2700);
    CHECK_THROWS_WITH_AS(hg::Dropout(1.0f, rng), "Dropout: p = 1 must be in [0, 1)", hg::ValueError);
}

TEST_CASE("noise layers: masking, Gaussian and salt-and-pepper corruption, reproducible by seed") {
    Var x = Var::parameter(Tensor::full({50, 40}, 0.5f), "x");
    hg::Rng rng(5);
    hg::MaskingNoise masking(0.3f, rng);
    const Tensor m = masking(x).value();
    std::size_t zeros = 0;
    for (std::size_t i = 0; i < m.numel(); ++i) {
        CHECK((m[i] == 0.0f || m[i] == 0.5f));  // no rescaling, unlike dropout
        zeros += m[i] == 0.0f;
    }
    CHECK(zeros > 520);  // 600 expected, sd 20
    CHECK(zeros < 680);

    hg::GaussianNoise gauss(0.2f, rng);
    const Tensor noise = gauss(x).value() - x.value();
    const float var = hg::mean(hg::square(noise)).item();
    CHECK(std::sqrt(var) == doctest::Approx(0.2f).epsilon(0.05));
    CHECK(std::fabs(hg::mean(noise).item()) < 0.02f);

    hg::SaltPepperNoise sp(0.2f, rng);
    Var y = sp(x);
    std::size_t salt = 0, pepper = 0;
    for (std::size_t i = 0; i < y.value().numel(); ++i) {
        salt += y.value()[i] == 1.0f;
        pepper += y.value()[i] == 0.0f;
    }
    CHECK(salt + pepper > 320);  // 400 corrupted expected, sd 18
    CHECK(salt + pepper < 480);
    CHECK(salt > 140);
    CHECK(pepper > 140);
    // The gradient reaches x only where it survived.
    hg::sum(y).backward();
    for (std::size_t i = 0; i < y.value().numel(); ++i)
        CHECK(x.grad()[i] == (y.value()[i] == 0.5f ? 1.0f : 0.0f));

    // The same seed gives the same corruption.
    hg::Rng a(9), b(9);
    hg::MaskingNoise ma(0.3f, a), mb(0.3f, b);
    CHECK(ma(x).value().storage() == mb(x).value().storage());
}

TEST_CASE("linear: y = x·Wᵀ + b, with PyTorch's weight layout") {
    hg::Rng rng(6);
    hg::Linear lin(3, 2, rng);
    lin.weight().mutable_value() = Tensor::from({2, 3}, {1, 2, 3, 4, 5, 6});
    lin.bias().mutable_value() = Tensor::from({2}, {0.5f, -1});
    Var x = Var::constant(Tensor::from({2, 3}, {1, 0, -1, 2, 1, 0}));
    // row 0: (1-3+0.5, 4-6-1) = (-1.5, -3);  row 1: (2+2+0.5, 8+5-1) = (4.5, 12)
    CHECK(lin(x).value().to_vector() == std::vector<float>{-1.5f, -3, 4.5f, 12});
    CHECK_THROWS_WITH_AS(lin(Var::constant(Tensor::ones({4, 5}))),
                         "Linear(in=3, out=2): the input has shape (4x5) but the layer expects (N x 3), one example per row",
                         hg::ShapeError);
    hg::Linear nobias(3, 2, rng, hg::LinearOptions().bias(false));
    CHECK(nobias.parameters().size() == 1);
    CHECK_THROWS_AS(nobias.bias(), hg::ValueError);
    CHECK(nobias.str() == "Linear(in=3, out=2, no bias)  weight (2x3)  6 params");
}

TEST_CASE("init: each initialiser draws from its documented range, reproducibly") {
    hg::Rng rng(7);
    auto max_abs = [](const Tensor& t) { return hg::max(hg::abs(t)).item(); };
    auto stddev = [](const Tensor& t) { return std::sqrt(hg::mean(hg::square(t - hg::mean(t).item())).item()); };

    hg::Linear lin(400, 300, rng);  // PyTorch default: U(±1/√400) = U(±0.05) for W and b
    CHECK(max_abs(lin.weight().value()) <= 0.05f);
    CHECK(max_abs(lin.weight().value()) > 0.049f);
    CHECK(max_abs(lin.bias().value()) <= 0.05f);

    Tensor w(Shape{300, 400});
    hg::init::xavier_uniform(w, rng);  // ±√(6/700) = ±0.0926
    CHECK(max_abs(w) <= std::sqrt(6.0f / 700.0f));
    CHECK(max_abs(w) > 0.99f * std::sqrt(6.0f / 700.0f));
    hg::init::xavier_normal(w, rng, hg::init::gain("tanh"));  // sd (5/3)·√(2/700)
    CHECK(stddev(w) == doctest::Approx(5.0f / 3.0f * std::sqrt(2.0f / 700.0f)).epsilon(0.02));
    hg::init::kaiming_uniform(w, rng);  // ±√2·√(3/400)
    CHECK(max_abs(w) <= std::sqrt(6.0f / 400.0f));
    CHECK(max_abs(w) > 0.99f * std::sqrt(6.0f / 400.0f));
    hg::init::kaiming_normal(w, rng);  // sd √(2/400)
    CHECK(stddev(w) == doctest::Approx(std::sqrt(2.0f / 400.0f)).epsilon(0.02));

    hg::Linear xavier(400, 300, rng, hg::LinearOptions().init(hg::Init::xavier_uniform));
    CHECK(max_abs(xavier.bias().value()) == 0.0f);  // other initialisers start the bias at 0

    CHECK(hg::init::gain("relu") == doctest::Approx(std::sqrt(2.0f)));
    CHECK(hg::init::gain("leaky_relu", 0.2f) == doctest::Approx(std::sqrt(2.0f / 1.04f)));
    CHECK_THROWS_WITH_AS(hg::init::gain("swish"), doctest::Contains("unknown nonlinearity 'swish'"), hg::ValueError);

    hg::Rng r1(42), r2(42);
    hg::Linear a(5, 4, r1), b(5, 4, r2);
    CHECK(a.weight().value().storage() == b.weight().value().storage());
}

TEST_CASE("tied weights: the decoder uses the encoder's Wᵀ; W is listed once and gets both gradients") {
    hg::Rng rng(8);
    struct Tied : hg::Module {
        explicit Tied(hg::Rng& rng) : Module("Tied") {
            enc = register_module("encoder", std::make_shared<hg::Linear>(5, 3, rng));
            dec = register_module("decoder", std::make_shared<hg::TiedLinear>(*enc, rng));
        }
        Var forward(const Var& x) override { return (*dec)(hg::sigmoid((*enc)(x))); }
        std::shared_ptr<hg::Linear> enc;
        std::shared_ptr<hg::TiedLinear> dec;
    } model(rng);
    const auto named = model.named_parameters();
    REQUIRE(named.size() == 3);
    CHECK(named[0].first == "encoder.weight");
    CHECK(named[1].first == "encoder.bias");
    CHECK(named[2].first == "decoder.bias");
    CHECK(named[2].second.shape() == Shape{5});
    CHECK(model.dec->str() == "TiedLinear(in=3, out=5, bias, weight = transpose of encoder.weight)  bias (5)  5 params");

    Var x = Var::constant(Tensor::normal({4, 5}, 0, 1, rng));
    Var loss = hg::mse(model(x), x);
    loss.backward();
    // The same loss written out by hand with two separate copies of W: W's gradient is the
    // sum of what the encoder copy and the decoder copy receive.
    Var w1 = Var::parameter(model.enc->weight().value()), w2 = Var::parameter(model.enc->weight().value());
    Var h = hg::sigmoid(hg::matmul(x, hg::transpose(w1)) + model.enc->bias());
    Var y = hg::matmul(h, w2) + named[2].second;
    hg::mse(y, x).backward();
    CHECK(hg::allclose(model.enc->weight().grad(), w1.grad() + w2.grad(), 1e-5f, 1e-6f));
    CHECK(hg::max(hg::abs(w2.grad())).item() > 0.0f);
}

TEST_CASE("writing your own layer: the Scale layer of nn/README.md") {
    Scale s(3);
    CHECK(s.str() == "Scale(n=3)  gain (3)  3 params");
    Var x = Var::constant(Tensor::from({2, 3}, {1, 2, 3, 4, 5, 6}));
    Var y = s(x);
    hg::sum(y).backward();
    CHECK(s.parameters()[0].grad().to_vector() == std::vector<float>{5, 7, 9});
    CHECK(s.parameters()[0].name() == "gain");
}

TEST_CASE("the 8-3-8 encoder: eight one-hot patterns through three hidden units, zero errors") {
    // The classic from Rumelhart, Hinton & Williams (1986): the network must invent a
    // 3-bit code for 8 patterns. Full batch, sigmoid hidden layer, BCE on the logits, Adam.
    hg::Rng rng(838);
    auto model = hg::sequential({std::make_shared<hg::Linear>(8, 3, rng), std::make_shared<hg::Sigmoid>(),
                                 std::make_shared<hg::Linear>(3, 8, rng)});
    hg::Adam opt(model->parameters(), hg::AdamOptions(0.1f));
    Var x = Var::constant(one_hot(8), "x");
    auto errors = [&] {
        hg::NoGradGuard no_grad;
        const auto guess = hg::argmax((*model)(x).value(), 1);
        std::size_t wrong = 0;
        for (std::size_t i = 0; i < 8; ++i) wrong += guess[i] != i;
        return wrong;
    };
    const std::size_t before = errors();
    int epoch = 0;
    float loss_value = 0;
    for (; epoch < 2000 && (epoch % 50 != 0 || errors() > 0); ++epoch) {
        Var loss = hg::bce_with_logits((*model)(x), x);
        loss_value = loss.item();
        opt.zero_grad();
        loss.backward();
        opt.step();
    }
    MESSAGE("8-3-8: zero errors after " << epoch << " epochs (loss " << loss_value << "), " << before
                                        << " errors before training");
    CHECK(before > 0);
    CHECK(errors() == 0);
}
