// Checkpoints (nn/checkpoint.hpp): a resumed run continues exactly where it stopped, and a
// process killed (SIGKILL) at any moment of a save never damages the last checkpoint.
#include <doctest/doctest.h>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <vector>

#include "nn/nn.hpp"
#include "temp_dir.hpp"
#include "tutorial_runner.hpp"

using hg::Tensor;
using hg::Var;

namespace {

// A small model with a Dropout (its own random stream), trained on shuffled batches (a
// second stream), so that resuming must restore parameters, optimiser state and both streams.
struct Run {
    hg::Rng init{11};
    std::shared_ptr<hg::Sequential> model =
        hg::sequential({std::make_shared<hg::Linear>(6, 4, init), std::make_shared<hg::Sigmoid>(),
                        std::make_shared<hg::Dropout>(0.3f, init), std::make_shared<hg::Linear>(4, 6, init)});
    std::unique_ptr<hg::Optimizer> opt;
    hg::Rng shuffle{5};
    Tensor data = Tensor::uniform({12, 6}, 0.0f, 1.0f, init);

    explicit Run(const std::function<std::unique_ptr<hg::Optimizer>(std::vector<Var>)>& make) : opt(make(model->parameters())) {}

    void epoch() {
        std::vector<std::size_t> rows{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11};
        shuffle.shuffle(rows);
        for (std::size_t b = 0; b < rows.size(); b += 4) {
            const Var x = Var::constant(data.gather_rows({rows[b], rows[b + 1], rows[b + 2], rows[b + 3]}));
            Var loss = hg::mse((*model)(x), x);
            opt->zero_grad();
            loss.backward();
            opt->step();
        }
    }
    hg::Checkpoint checkpoint() {
        hg::Checkpoint c(*model, *opt);
        c.rng("shuffle", shuffle);
        return c;
    }
    std::vector<float> flat() const {
        std::vector<float> out;
        for (const auto& [name, v] : model->state()) out.insert(out.end(), v.value().data(), v.value().data() + v.value().numel());
        return out;
    }
};

using Maker = std::function<std::unique_ptr<hg::Optimizer>(std::vector<Var>)>;
const std::vector<std::pair<const char*, Maker>> kOptimisers = {
    {"SGD+momentum", [](std::vector<Var> p) { return std::make_unique<hg::SGD>(std::move(p), hg::SGDOptions(0.1f).momentum(0.9f)); }},
    {"RMSprop centered+momentum",
     [](std::vector<Var> p) {
         return std::make_unique<hg::RMSprop>(std::move(p), hg::RMSpropOptions(0.01f).centered(true).momentum(0.5f));
     }},
    {"Adam", [](std::vector<Var> p) { return std::make_unique<hg::Adam>(std::move(p), hg::AdamOptions(1e-2f)); }},
    {"AdamW", [](std::vector<Var> p) { return std::make_unique<hg::AdamW>(std::move(p), hg::AdamOptions(1e-2f).weight_decay(0.1f)); }},
    {"Rprop", [](std::vector<Var> p) { return std::make_unique<hg::Rprop>(std::move(p), hg::RpropOptions(0.01f)); }},
};

}  // namespace

TEST_CASE("checkpoint: resuming after 3 epochs gives bit for bit the run that never stopped, for every optimiser") {
    hg::test::TempDir dir("checkpoint_resume");
    for (const auto& entry : kOptimisers) {
        const char* name = entry.first;
        const Maker& make = entry.second;
        CAPTURE(name);
        Run straight(make);
        for (int e = 0; e < 6; ++e) straight.epoch();

        const std::string path = dir.file(std::string(name) + ".ckpt");
        {
            Run first(make);
            for (int e = 0; e < 3; ++e) first.epoch();
            first.checkpoint().save(path, 3, {{"note", "three"}});
            first.epoch();  // what happens after the save is lost with the process
        }
        Run resumed(make);
        resumed.epoch();  // a different state, all of which load() must overwrite
        std::map<std::string, std::string> extra;
        hg::Checkpoint ckpt = resumed.checkpoint();
        CHECK(ckpt.load(path, &extra) == 3);
        CHECK(extra["note"] == "three");
        CHECK(resumed.opt->step_count() == 9);
        for (int e = 3; e < 6; ++e) resumed.epoch();
        CHECK(resumed.flat() == straight.flat());
        CHECK(resumed.opt->step_count() == straight.opt->step_count());
    }
}

TEST_CASE("checkpoint: a checkpoint of another model or optimiser is refused and changes nothing") {
    hg::test::TempDir dir("checkpoint_refuse");
    Run adam(kOptimisers[2].second);
    adam.epoch();
    const std::string path = dir.file("adam.ckpt");
    adam.checkpoint().save(path, 1);

    Run sgd(kOptimisers[0].second);
    const std::vector<float> before = sgd.flat();
    hg::Checkpoint ckpt = sgd.checkpoint();
    CHECK_THROWS_WITH_AS(ckpt.load(path), doctest::Contains("the state is of a Adam optimiser, not SGD"), hg::ValueError);
    CHECK(sgd.flat() == before);

    hg::Rng rng(1);
    auto other = hg::sequential({std::make_shared<hg::Linear>(6, 5, rng), std::make_shared<hg::Linear>(5, 6, rng)});
    hg::Adam other_opt(other->parameters(), hg::AdamOptions());
    hg::Checkpoint wrong(*other, other_opt);
    CHECK_THROWS_WITH_AS(wrong.load(path), doctest::Contains("(5x6) in the model"), hg::SafetensorsError);

    const std::string model_only = dir.file("model.safetensors");
    hg::save(*adam.model, model_only);
    CHECK_THROWS_WITH_AS(ckpt.load(model_only), doctest::Contains("not a checkpoint"), hg::SafetensorsError);
    CHECK(sgd.flat() == before);
}

TEST_CASE("checkpoint: SIGKILL at random moments of a save never damages the previous checkpoint") {
    // A model big enough that a save takes a while (~1 MB), so the kills land before,
    // during and after the write, the fsync and the rename.
    hg::Rng rng(3);
    auto model = hg::sequential({std::make_shared<hg::Linear>(512, 512, rng)});
    hg::SGD opt(model->parameters(), hg::SGDOptions(0.1f));
    hg::Checkpoint ckpt(*model, opt);
    hg::test::TempDir dir("checkpoint_kill");
    const std::string path = dir.file("run.ckpt");
    auto set_all = [&](float v) {
        for (auto [name, p] : model->state()) p.value().fill(v);
    };
    set_all(0.0f);
    ckpt.save(path, 0);

    const int trials = 200;
    std::size_t previous = 0, kept_old = 0, got_new = 0, max_temporaries = 0;
    hg::Rng timing(7);
    const auto start = std::chrono::steady_clock::now();
    for (int trial = 1; trial <= trials; ++trial) {
        const pid_t child = ::fork();
        REQUIRE(child >= 0);
        if (child == 0) {  // the writer: save epoch `trial` (every number = trial) again and again
            set_all(static_cast<float>(trial));
            for (int k = 0; k < 1000; ++k) ckpt.save(path, static_cast<std::size_t>(trial));
            ::_exit(0);
        }
        ::usleep(static_cast<useconds_t>(timing.below(6000)));  // 0-6 ms: before, during or after a save
        ::kill(child, SIGKILL);
        int status = 0;
        ::waitpid(child, &status, 0);

        // The checkpoint loads, whole: either the previous one or the new one.
        set_all(-1.0f);
        std::size_t epoch = 0;
        REQUIRE_NOTHROW(epoch = ckpt.load(path));
        REQUIRE((epoch == previous || epoch == static_cast<std::size_t>(trial)));
        bool whole = true;  // every number is the epoch's: no mix of two saves, no garbage
        for (const auto& [name, p] : model->state()) {
            const Tensor& v = p.value();
            for (std::size_t k = 0; k < v.numel(); ++k) whole = whole && v[k] == static_cast<float>(epoch);
        }
        REQUIRE(whole);
        (epoch == previous ? kept_old : got_new) += 1;
        previous = epoch;

        // At most the killed writer's own temporary file is left over.
        std::size_t temporaries = 0;
        for (const auto& entry : std::filesystem::directory_iterator(dir.path()))
            temporaries += entry.path().filename().string().find(".tmp") != std::string::npos;
        max_temporaries = std::max(max_temporaries, temporaries);
        REQUIRE(temporaries <= 1);
    }
    // The next save clears what killed writers left behind.
    set_all(1.0f);
    ckpt.save(path, 1);
    std::size_t left = 0;
    for (const auto& entry : std::filesystem::directory_iterator(dir.path())) left += entry.path().filename() != "run.ckpt";
    CHECK(left == 0);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    MESSAGE(trials << " writers killed: " << kept_old << " left the previous checkpoint, " << got_new
                   << " had finished the new one; at most " << max_temporaries << " temporary file(s) at a time; "
                   << seconds << " s");
}

TEST_CASE("tutorial 03: killed after 2 epochs and resumed, the course run ends exactly as an uninterrupted one") {
    const std::string flags = "--quick --quiet --data builtin --mode course --epochs 4";
    const auto straight = hg::test::run_tutorial("03_recommender", flags + " --checkpoint-every 0");
    REQUIRE(straight.exit_code == 0);
    hg::test::TempDir out("resume");  // the killed run's checkpoint, which the resumed run reads
    const auto killed = hg::test::run_tutorial("03_recommender", flags + " --checkpoint-every 1 --interrupt-after 2", out);
    CHECK(killed.exit_code != 0);
    CHECK(killed.result.empty());
    const auto resumed = hg::test::run_tutorial("03_recommender", flags + " --checkpoint-every 1 --resume", out);
    INFO(resumed.output);
    REQUIRE(resumed.exit_code == 0);
    for (const char* key : {"train_loss", "test_rmse", "course_metric", "epochs"}) {
        CAPTURE(key);
        CHECK(resumed.result.at(key) == straight.result.at(key));
    }
}

TEST_CASE("tutorial 03: the corrected recipe, killed during early stopping and resumed, ends as an uninterrupted run") {
    const std::string flags = "--quick --quiet --data builtin";
    const auto straight = hg::test::run_tutorial("03_recommender", flags + " --checkpoint-every 0");
    REQUIRE(straight.exit_code == 0);
    hg::test::TempDir out("resume");  // the killed run's checkpoint, which the resumed run reads
    const auto killed = hg::test::run_tutorial("03_recommender", flags + " --checkpoint-every 1 --interrupt-after 3", out);
    CHECK(killed.exit_code != 0);
    const auto resumed = hg::test::run_tutorial("03_recommender", flags + " --checkpoint-every 1 --resume", out);
    INFO(resumed.output);
    REQUIRE(resumed.exit_code == 0);
    for (const char* key : {"val_rmse", "test_rmse", "course_metric", "epochs"}) {
        CAPTURE(key);
        CHECK(resumed.result.at(key) == straight.result.at(key));
    }
}
