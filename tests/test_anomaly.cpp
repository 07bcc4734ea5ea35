// Anomaly mode (autograd/anomaly.hpp): the first NaN/Inf of a forward or backward pass
// stops it with the op, the node's name, the training step and the flat index; and a
// tutorial whose training diverges says what to try instead of printing nan every epoch.
#include <doctest/doctest.h>

#include <cstdlib>
#include <string>

#include "autograd/anomaly.hpp"
#include "autograd/ops.hpp"
#include "nn/sgd.hpp"
#include "tutorial_runner.hpp"

using hg::Tensor;
using hg::Var;

namespace {
// The message of the NumericError body throws ("" if it throws nothing).
template <class F>
std::string numeric_error(F body) {
    try {
        body();
    } catch (const hg::NumericError& e) {
        return e.what();
    }
    return "";
}
}  // namespace

TEST_CASE("anomaly mode: off, a NaN flows through silently; on, the op that made it stops the pass") {
    const Var x = Var::parameter(Tensor::from({2, 2}, {1.0f, 2.0f, 3.0f, 0.0f}), "x");
    {
        hg::AnomalyModeGuard off(false);
        CHECK_FALSE(hg::anomaly_mode());
        const Var y = hg::log(x);  // log(0) = -inf, and nobody notices
        CHECK(hg::first_non_finite(y.value()) == 3);
    }
    hg::AnomalyModeGuard on(true);
    const std::string msg = numeric_error([&] { (void)hg::log(x); });
    INFO(msg);
    CHECK(msg.find("op 'log'") != std::string::npos);
    CHECK(msg.find("-inf at flat index 3") != std::string::npos);
    CHECK(msg.find("output (2x2)") != std::string::npos);
    CHECK(msg.find("'x' (2x2)") != std::string::npos);  // its input, by name
    CHECK(msg.find("training step") != std::string::npos);
    CHECK(msg.find("log/sqrt/division of 0") != std::string::npos);  // a hint
}

TEST_CASE("anomaly mode: a finite forward with a non-finite gradient names the backward rule and the node") {
    hg::AnomalyModeGuard on(true);
    const Var x = Var::parameter(Tensor::from({3}, {4.0f, 0.0f, 1.0f}), "x");
    Var r = hg::sqrt(x);  // sqrt(0) = 0 is fine; its derivative 1/(2·sqrt(0)) is not
    r.set_name("root");
    Var loss = hg::sum(r);
    const std::string msg = numeric_error([&] { loss.backward(); });
    INFO(msg);
    CHECK(msg.find("backward rule of op 'sqrt' (node 'root')") != std::string::npos);
    CHECK(msg.find("'x' (3)") != std::string::npos);
    CHECK(msg.find("inf at flat index 1") != std::string::npos);
}

TEST_CASE("anomaly mode: messages name the training step the optimiser is in") {
    hg::AnomalyModeGuard on(true);
    Var p = Var::parameter(Tensor::from({2}, {0.5f, 0.25f}), "p");
    hg::SGD opt({p}, hg::SGDOptions(0.1f));
    for (int i = 0; i < 3; ++i) {
        Var loss = hg::sum(hg::square(p));
        opt.zero_grad();
        loss.backward();
        opt.step();
    }
    REQUIRE(opt.step_count() == 3);
    CHECK(hg::training_step() == 4);  // the step in progress
    const std::string msg = numeric_error([&] { (void)(p / (p - p)); });  // a / b = a · b^-1
    INFO(msg);
    CHECK(msg.find("op 'pow' produced inf at flat index 0") != std::string::npos);
    CHECK(msg.find("in training step 4") != std::string::npos);
    // The optimiser's own check (always on) uses the same numbering and the same type.
    p.mutable_value()[1] = 0.0f;
    Var bad = hg::sum(hg::sqrt(p));
    {
        hg::AnomalyModeGuard off(false);  // let the inf through to the update
        opt.zero_grad();
        bad.backward();
    }
    const std::string step_msg = numeric_error([&] { opt.step(); });
    INFO(step_msg);
    CHECK(step_msg.find("step 4") != std::string::npos);
    CHECK(step_msg.find("parameter 'p'") != std::string::npos);
}

TEST_CASE("tutorials: a diverging run stops once, says so and what to try (tutorial 02, --lr 1e6)") {
    // Without anomaly mode (which tests/main.cpp passes on to the tutorials): the default.
    ::setenv("HG_ANOMALY", "0", 1);
    const hg::test::TutorialRun run = hg::test::run_tutorial("02_autoencoder_by_hand", "--quick --quiet --lr 1e6");
    ::setenv("HG_ANOMALY", hg::anomaly_mode() ? "1" : "0", 1);
    INFO(run.output);
    CHECK(run.exit_code == 3);
    CHECK(run.output.find("training diverged in tutorial 02_autoencoder_by_hand") != std::string::npos);
    CHECK(run.output.find("a smaller learning rate: --lr") != std::string::npos);
    CHECK(run.result.empty());  // no result line for a run that diverged
    std::size_t nans = 0;
    for (std::size_t at = run.output.find("nan"); at != std::string::npos; at = run.output.find("nan", at + 1)) ++nans;
    CHECK(nans <= 3);  // the message, not an epoch log full of nan
}

TEST_CASE("tutorials: --anomaly stops at the first op that made a NaN/Inf") {
    const hg::test::TutorialRun run =
        hg::test::run_tutorial("02_autoencoder_by_hand", "--quick --quiet --anomaly --lr 1e30");
    INFO(run.output);
    CHECK(run.exit_code == 3);
    CHECK(run.output.find("anomaly: ") != std::string::npos);
    CHECK(run.output.find("training step") != std::string::npos);
    CHECK(run.output.find("--anomaly, to stop") == std::string::npos);  // already on: not advised again
}
