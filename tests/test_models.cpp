// models/: the shapes the tutorials, benchmarks and PyTorch peers agree on, and what each
// model's helpers promise.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "autograd/loss.hpp"
#include "autograd/var.hpp"
#include "models/conv_autoencoder.hpp"
#include "models/course.hpp"
#include "models/deep_autoencoder.hpp"
#include "models/kernel_recommender.hpp"
#include "models/rbm.hpp"
#include "models/recommender.hpp"
#include "models/sequence_autoencoder.hpp"
#include "models/vae.hpp"
#include "nn/batchnorm.hpp"
#include "nn/linear.hpp"
#include "nn/sequential.hpp"
#include "tensor/error.hpp"

using hg::Tensor;
using hg::Var;

TEST_CASE("models: parameter counts of the course, convolutional, dense and deep models") {
    hg::Rng rng(1);
    // 1682·20 + 20 + 20·10 + 10 + 10·20 + 20 + 20·1682 + 1682 (ml-100k's movies).
    CHECK(hg::models::course_model(1682, rng)->num_parameters() == 69412);
    CHECK(hg::models::ConvAutoencoder(rng).num_parameters() == 4385);
    // 32·9 + 32, three times 32·32·9 + 32, and 32·9 + 1.
    CHECK(hg::models::ConvDenoiser(rng).num_parameters() == 28353);
    CHECK(hg::models::DenseAutoencoder(128, rng).num_parameters() == 201616);
    const hg::models::DeepAutoencoder deep(hg::models::deep_ae_sizes(30), "selu", rng);
    CHECK(deep.enc.size() == 4);
    CHECK(deep.dec.size() == 4);
    CHECK(deep.enc[0]->weight().shape() == hg::Shape({1000, 784}));
    CHECK(deep.dec[0]->weight().shape() == hg::Shape({250, 30}));
    CHECK_THROWS_AS(hg::models::DeepAutoencoder({784, 30, 10}, "tanhh", rng), hg::ValueError);
}

TEST_CASE("models: the convolutional code is 4x4x8, the denoiser's 7x7x32; a VAE's heads are latent wide") {
    hg::Rng rng(2);
    hg::models::ConvAutoencoder conv(rng);
    const Var x = Var::constant(Tensor::uniform({3, 784}, 0.0f, 1.0f, rng));
    CHECK(conv.encode(x).shape() == hg::Shape({3, 8, 4, 4}));
    CHECK(conv(x).shape() == hg::Shape({3, 784}));
    hg::models::ConvDenoiser denoiser(rng);
    CHECK(denoiser.encode(x).shape() == hg::Shape({3, 32, 7, 7}));
    CHECK(denoiser(x).shape() == hg::Shape({3, 784}));
    hg::models::Vae vae(5, rng);
    const hg::models::Posterior q = vae.encode(x);
    CHECK(q.mu.shape() == hg::Shape({3, 5}));
    CHECK(q.logvar.shape() == hg::Shape({3, 5}));
    const hg::models::VaeLoss l = hg::models::vae_loss(vae, x, rng);
    CHECK(l.kl.item() >= 0.0f);
    CHECK(l.total().item() == doctest::Approx(l.bce.item() + l.kl.item()));
}

TEST_CASE("models: the recommender predicts baseline + the network's output on the residuals") {
    hg::Rng rng(3);
    const std::vector<hg::data::Rating> ratings{{0, 0, 4.0f}, {0, 2, 2.0f}, {1, 1, 5.0f}};
    const hg::data::RatingMatrix m = hg::data::RatingMatrix::from(ratings, 2, 3);
    hg::models::ResidualAutoencoder model(2, 3, hg::models::RecommenderSettings{}, rng);
    model.set_baseline(hg::data::BiasModel::fit(ratings, 2, 3));
    model.eval();
    const Tensor base = model.baseline({0, 1});
    const Tensor res = model.residuals(m, {0, 1});
    CHECK(res[0] == doctest::Approx(4.0f - base[0]));
    CHECK(res[1] == 0.0f);  // not rated: no residual
    hg::NoGradGuard no_grad;
    const Tensor expected = base + model(Var::constant(res)).value();
    CHECK(hg::max_abs_diff(model.predict(m, {0, 1}), expected) < 1e-6f);
}

TEST_CASE("models: an RBM stack unrolls into the deep autoencoder; a stack of other sizes is refused") {
    hg::Rng rng(4);
    const std::vector<std::size_t> sizes{12, 8, 4};
    std::vector<hg::models::Rbm> stack{{12, 8, hg::models::Hidden::binary, rng}, {8, 4, hg::models::Hidden::gaussian, rng}};
    hg::models::DeepAutoencoder model(sizes, "sigmoid", rng);
    hg::models::unroll(stack, model);
    CHECK(hg::max_abs_diff(model.enc[0]->weight().value(), stack[0].W) == 0.0f);
    CHECK(hg::max_abs_diff(model.dec[1]->weight().value(), stack[0].W.transpose()) == 0.0f);
    CHECK(hg::max_abs_diff(model.dec[0]->bias().value(), stack[1].c) == 0.0f);
    std::vector<hg::models::Rbm> wrong{{12, 8, hg::models::Hidden::binary, rng}, {8, 5, hg::models::Hidden::gaussian, rng}};
    try {
        hg::models::unroll(wrong, model);
        FAIL("a 8-5 RBM was unrolled into an 8-4 layer");
    } catch (const hg::ShapeError& e) {
        CHECK(std::string(e.what()).find("RBM 1 has W (5x8)") != std::string::npos);
    }
}

TEST_CASE("models: reconstruct() evaluates in evaluation mode and gives the model its mode back") {
    // With a NoGradGuard alone, BatchNorm1d would normalise each batch by its own statistics
    // and move its running ones.
    hg::Rng rng(9);
    auto bn = std::make_shared<hg::BatchNorm1d>(3);
    auto model = hg::sequential({std::make_shared<hg::Linear>(4, 3, rng), bn, std::make_shared<hg::Linear>(3, 4, rng)});
    const hg::Tensor x = hg::Tensor::uniform({10, 4}, 0.0f, 1.0f, rng);
    const hg::Tensor before = bn->running_mean();
    const hg::Tensor a = hg::models::reconstruct(*model, x, 10), b = hg::models::reconstruct(*model, x, 3);
    CHECK(hg::max_abs_diff(bn->running_mean(), before) == 0.0f);
    CHECK(hg::max_abs_diff(a, b) < 1e-6f);  // rows do not depend on the batch they came in
    CHECK(model->is_training());
}

TEST_CASE("models: the sequence autoencoder's shapes, names and errors; truncation changes gradients, not values") {
    hg::Rng rng(4);
    hg::models::SequenceAutoencoder model({.features = 2, .steps = 6, .code = 3, .hidden = 5}, rng);
    // Each LSTM gate is Linear(in + hidden -> hidden): 4·((2 + 3)·3 + 3) + 4·((3 + 5)·5 + 5) + 5·2 + 2.
    CHECK(model.num_parameters() == 72 + 180 + 12);
    CHECK(model.named_parameters()[2].first == "encoder.forget.weight");
    CHECK(model.encoder->forget->bias().value().to_vector() == std::vector<float>(3, 1.0f));  // keep memory at first
    const Tensor x = Tensor::normal({4, 12}, 0, 1, rng);
    CHECK(model.encode(Var::constant(x)).shape() == hg::Shape({4, 3}));
    CHECK(model(Var::constant(x)).shape() == hg::Shape({4, 12}));
    CHECK(hg::models::sequence_step(x, 5, 2).to_vector() == std::vector<float>{x[10], x[11], x[22], x[23], x[34], x[35], x[46], x[47]});
    CHECK_THROWS_WITH_AS(model(Var::constant(Tensor::zeros({4, 10}))),
                         doctest::Contains("expects (N x 12), one sequence of 6 steps x 2 features per row"), hg::ShapeError);
    CHECK_THROWS_WITH_AS(model.encoder->step(Var::constant(Tensor::zeros({4, 3})), model.encoder->zero_state(4)),
                         doctest::Contains("LstmCell(in=2, hidden=3)"), hg::ShapeError);
    // Cut every 2 steps: the same reconstruction, a different encoder gradient, the same decoder's.
    auto grads = [&](std::size_t cut) {
        model.truncate_every = cut;
        model.zero_grad();
        Var y = model(Var::constant(x));
        hg::mse(y, Var::constant(x)).backward();
        return std::vector<Tensor>{y.value(), model.encoder->input->weight().grad(), model.decoder->input->weight().grad()};
    };
    const std::vector<Tensor> full = grads(0), cut = grads(2);
    CHECK(hg::max_abs_diff(full[0], cut[0]) == 0.0f);
    CHECK(hg::max_abs_diff(full[1], cut[1]) > 1e-4f);
    CHECK(hg::max_abs_diff(full[2], cut[2]) == 0.0f);
}

TEST_CASE("KernelRecommender: the local kernel starts near 1, the identity start keeps the predictions, bad shapes are named") {
    hg::Rng rng(5);
    hg::models::KernelRecommenderSettings s;
    s.hidden = 6;
    hg::models::KernelRecommender model(7, 5, s, rng);  // 7 movies x 5 users
    CHECK(model.layers.size() == 3);
    // The points start within ~0.001 of each other: every kernel entry is about 1.
    const Tensor k = model.layers[0]->kernel().value();
    CHECK(k.shape() == hg::Shape{6, 5});
    for (std::size_t i = 0; i < k.numel(); ++i) CHECK(k[i] > 0.999f);
    // With the identity start, fine-tuning's first prediction is pre-training's last.
    Tensor r(hg::Shape{7, 5});
    for (std::size_t i = 0; i < r.numel(); ++i) r[i] = static_cast<float>((3 * i) % 6);  // 0 = unrated, 1..5
    hg::NoGradGuard no_grad;
    const Tensor before = model(Var::constant(r)).value();
    model.settings.identity_start = true;
    model.start_fine_tuning(r);
    const Tensor after = model(Var::constant(r)).value();
    for (std::size_t i = 0; i < before.numel(); ++i) CHECK(after[i] == doctest::Approx(before[i]).epsilon(1e-4));
    // Bad shapes: the message names the shapes.
    CHECK_THROWS_WITH_AS(model(Var::constant(Tensor::zeros({7, 4}))),
                         doctest::Contains("KernelLinear(in=5, out=6, kernel dims=5): the input has shape (7x4)"), hg::ShapeError);
    CHECK_THROWS_WITH_AS(hg::models::global_convolution(Var::constant(r), Var::constant(Tensor::zeros({1, 1, 2, 2}))),
                         doctest::Contains("must be (rows x cols) and (1 x 1 x s x s), s odd"), hg::ShapeError);
    CHECK_THROWS_WITH_AS(hg::models::global_kernel(Var::constant(r), Var::constant(Tensor::zeros({7, 8})), 1.0f),
                         doctest::Contains("must be (n_items x s²)"), hg::ShapeError);
}
