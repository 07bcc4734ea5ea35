// BatchNorm1d (nn/batchnorm.hpp), EXTENDING.md's example of a layer with buffers: against
// torch.nn.BatchNorm1d, its two modes, its saved state, and what a training step allocates.
#include <doctest/doctest.h>

#include <sys/wait.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "autograd/ops.hpp"
#include "layer_checks.hpp"
#include "nn/activation.hpp"
#include "nn/batchnorm.hpp"
#include "nn/linear.hpp"
#include "nn/sequential.hpp"
#include "requires.hpp"
#include "temp_dir.hpp"

using hg::Tensor;
using hg::Var;
using nlohmann::json;

namespace {

// The largest |hourglass − PyTorch| over one quantity (its numbers in row-major order).
double max_error(const Tensor& ours, const json& theirs) {
    const std::vector<double> t = theirs.get<std::vector<double>>();
    REQUIRE(t.size() == ours.numel());
    double worst = 0;
    for (std::size_t i = 0; i < t.size(); ++i) worst = std::max(worst, std::fabs(static_cast<double>(ours[i]) - t[i]));
    return worst;
}

// Features with means 3 and scales 2 apart: a formula that forgets to centre or to scale shows.
Tensor batch(std::size_t n, std::size_t features, hg::Rng& rng) {
    Tensor x = Tensor::normal({n, features}, 0.0f, 1.0f, rng);
    for (std::size_t i = 0; i < x.numel(); ++i) x[i] = x[i] * (0.5f + static_cast<float>(i % features)) + 3.0f;
    return x;
}

}  // namespace

TEST_CASE("batchnorm: BatchNorm1d matches torch.nn.BatchNorm1d in both modes" * hg::test::requires_torch()) {
    const std::size_t features = 5;
    const float eps = 1e-5f, momentum = 0.2f;
    hg::Rng rng(7);
    hg::BatchNorm1d bn(features, eps, momentum);
    // γ and β away from 1 and 0, so that a formula that drops either shows.
    const Tensor gamma = Tensor::uniform({features}, 0.5f, 2.0f, rng), beta = Tensor::uniform({features}, -1.0f, 1.0f, rng);
    Var weight = bn.named_parameters()[0].second, bias = bn.named_parameters()[1].second;
    weight.mutable_value() = gamma;
    bias.mutable_value() = beta;

    json job = {{"features", features}, {"eps", eps}, {"momentum", momentum},
                {"weight", gamma.to_vector()}, {"bias", beta.to_vector()}, {"steps", json::array()}};
    struct Step {
        Tensor y, dx, dweight, dbias, running_mean, running_var;
    };
    std::vector<Step> ours;
    for (std::size_t n : {8, 3, 16, 2}) {  // 2: the smallest batch training accepts
        const Tensor x = batch(n, features, rng), dy = Tensor::normal({n, features}, 0.0f, 1.0f, rng);
        Var input = Var::parameter(x);
        bn.zero_grad();
        Var y = bn(input);
        y.backward(dy);
        ours.push_back({y.value(), input.grad(), weight.grad(), bias.grad(), bn.running_mean(), bn.running_var()});
        job["steps"].push_back({{"shape", {n, features}}, {"x", x.to_vector()}, {"dy", dy.to_vector()}});
    }
    const Tensor x_eval = batch(6, features, rng);
    job["eval"] = {{"shape", {6, features}}, {"x", x_eval.to_vector()}};
    bn.eval();
    const Tensor y_eval = bn(Var::constant(x_eval)).value();

    hg::test::TempDir dir("batchnorm");
    { std::ofstream(dir.file("job.json")) << job.dump(); }
    const std::string command = "/usr/bin/python3 " HG_SOURCE_DIR "/tests/oracle/batchnorm.py " + dir.file("job.json") +
                                " " + dir.file("answer.json");
    const int status = std::system(command.c_str());
    REQUIRE_MESSAGE((WIFEXITED(status) && WEXITSTATUS(status) == 0), command);
    const json answer = json::parse(hg::test::TempDir::read(dir.file("answer.json")));

    // Each quantity against PyTorch in float64 (the reference); PyTorch's own float32 error
    // beside it, for scale. 1e-5 is about 100 float32 roundings of numbers of size 1-10.
    const char* names[] = {"y", "dx", "dweight", "dbias", "running_mean", "running_var"};
    double worst = 0, worst32 = 0, largest = 0;
    for (std::size_t s = 0; s < ours.size(); ++s) {
        const Tensor* mine[] = {&ours[s].y, &ours[s].dx, &ours[s].dweight, &ours[s].dbias, &ours[s].running_mean,
                                &ours[s].running_var};
        for (int q = 0; q < 6; ++q) {
            const double err = max_error(*mine[q], answer["float64"]["steps"][s][names[q]]);
            INFO("step " << s + 1 << ", " << names[q]);
            CHECK(err < 1e-5);
            worst = std::max(worst, err);
            for (double v : answer["float64"]["steps"][s][names[q]].get<std::vector<double>>()) largest = std::max(largest, std::fabs(v));
            const Tensor t32 = Tensor::from(mine[q]->shape(), answer["float32"]["steps"][s][names[q]].get<std::vector<float>>());
            worst32 = std::max(worst32, max_error(t32, answer["float64"]["steps"][s][names[q]]));
        }
    }
    const double eval_err = max_error(y_eval, answer["float64"]["eval_y"]);
    CHECK(eval_err < 1e-5);
    MESSAGE("BatchNorm1d against torch.nn.BatchNorm1d (float64), 4 training steps and evaluation: max |error| "
            << std::max(worst, eval_err) << " on numbers up to " << largest << " (PyTorch float32: " << worst32 << ")");
}

TEST_CASE("batchnorm: in training mode a NoGradGuard alone moves the running statistics; eval() does not") {
    hg::Rng rng(3);
    const Tensor x = batch(8, 4, rng);
    hg::BatchNorm1d bn(4);
    const Tensor start = bn.running_mean();
    {
        hg::NoGradGuard no_grad;  // no graph, but still training mode
        bn(Var::constant(x));
    }
    CHECK(hg::max_abs_diff(bn.running_mean(), start) > 0.1f);  // moved by 0.1 x the batch mean (about 3)

    const Tensor moved = bn.running_mean();
    bn.eval();
    const Tensor y = bn(Var::constant(x)).value();
    CHECK(hg::max_abs_diff(bn.running_mean(), moved) == 0.0f);
    // Evaluation uses the running statistics, not the batch's: the output's mean is not 0.
    CHECK(std::fabs(hg::mean(y).item()) > 0.5f);

    // hg::EvalGuard does both: evaluation mode and no graph, the previous mode back after.
    bn.train();
    {
        hg::EvalGuard evaluating(bn);
        CHECK_FALSE(bn.is_training());
        CHECK_FALSE(hg::grad_enabled());
        bn(Var::constant(x));
    }
    CHECK(bn.is_training());
    CHECK(hg::grad_enabled());
    CHECK(hg::max_abs_diff(bn.running_mean(), moved) == 0.0f);
}

TEST_CASE("batchnorm: its printout; bad settings, bad shapes and a one-row training batch are errors that name them") {
    hg::BatchNorm1d bn(4);
    CHECK_THROWS_WITH_AS(bn(Var::constant(Tensor({3, 5}))),
                         "BatchNorm1d: the input has shape (3x5) but the layer expects (N x 4)", hg::ShapeError);
    CHECK_THROWS_WITH_AS(bn(Var::constant(Tensor({1, 4}))), doctest::Contains("at least 2 rows per batch, got (1x4)"),
                         hg::ShapeError);
    bn.eval();
    CHECK(bn(Var::constant(Tensor({1, 4}))).shape() == hg::Shape{1, 4});  // evaluation takes one row
    CHECK(bn.str() == "BatchNorm1d(features=4, eps=1e-05, momentum=0.1)  weight (4), bias (4), "
                      "buffer running_mean (4), buffer running_var (4)  8 params");
    CHECK_THROWS_WITH_AS(hg::BatchNorm1d(4, 0.0f), "BatchNorm1d: eps = 0 must be positive and momentum = 0.1 in [0, 1]",
                         hg::ValueError);
}

namespace {

// >>> EXTENDING.md: reassigned buffer
// The mistake the buffer check catches: a running mean kept in a new Var on each pass. save()
// writes the tensor registered in the constructor, which never moves.
class ReassigningNorm : public hg::Module {
public:
    explicit ReassigningNorm(std::size_t n) : Module("ReassigningNorm") {
        running_mean_ = register_buffer("running_mean", Tensor::zeros({n}));
    }
    Var forward(const Var& x) override {
        if (is_training())
            running_mean_ = Var::constant(running_mean_.value() * 0.9f + hg::mean(x, 0).value() * 0.1f);  // wrong
        return x - running_mean_;
    }

private:
    Var running_mean_;
};
// <<< EXTENDING.md: reassigned buffer

}  // namespace

TEST_CASE("batchnorm: its buffers are what save() writes and load() fills; a reassigned buffer is caught") {
    hg::Rng rng(5);
    const Tensor x = batch(8, 4, rng);
    // >>> EXTENDING.md: buffer check
    CHECK(hg::test::buffer_round_trip_problems([] { return std::make_shared<hg::BatchNorm1d>(4); }, x) == "");
    // <<< EXTENDING.md: buffer check
    const std::string problems = hg::test::buffer_round_trip_problems([] { return std::make_shared<ReassigningNorm>(4); }, x);
    CHECK(problems.find("buffer 'running_mean' is unchanged after 3 training passes") != std::string::npos);
    CHECK(problems.find("a copy loaded from the layer's file computes another evaluation output") != std::string::npos);
}

TEST_CASE("batchnorm: after the first steps, a training step with BatchNorm1d allocates nothing") {
    if (!hg::test::allocations_counted()) {
        MESSAGE("skipped: the sanitizer build passes every allocation to the system (tensor/kernels/pool.hpp)");
        return;
    }
    // >>> EXTENDING.md: allocation check
    const std::size_t calls = hg::test::allocations_in_autoencoder_steps([] {
        hg::Rng rng(4);
        return hg::sequential({std::make_shared<hg::Linear>(12, 6, rng), std::make_shared<hg::BatchNorm1d>(6),
                               std::make_shared<hg::ReLU>(), std::make_shared<hg::Linear>(6, 12, rng)});
    }, hg::Shape{16, 12});
    CHECK(calls == 0);  // over 100 steps, after 5 that fill the memory pool
    // <<< EXTENDING.md: allocation check
}
