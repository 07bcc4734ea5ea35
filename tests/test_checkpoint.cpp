// Checkpoints (nn/checkpoint.hpp): a resumed run continues exactly where it stopped, and a
// process killed (SIGKILL) at any moment of a save never damages the last checkpoint.
#include <doctest/doctest.h>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "autograd/loss.hpp"
#include "nn/activation.hpp"
#include "nn/adam.hpp"
#include "nn/checkpoint.hpp"
#include "nn/dropout.hpp"
#include "nn/linear.hpp"
#include "nn/optimizer.hpp"
#include "nn/rmsprop.hpp"
#include "nn/rprop.hpp"
#include "nn/safetensors.hpp"
#include "nn/sequential.hpp"
#include "nn/sgd.hpp"
#include "temp_dir.hpp"
#include "tutorial_runner.hpp"

using hg::Tensor;
using hg::Var;
using hg::test::TempDir;

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
        for (auto [name, p] : model->state()) p.mutable_value().fill(v);
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
            temporaries += entry.path().filename().string().find(".hg-partial-") != std::string::npos;
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

namespace {

// Starts tutorial 03 with `flags` and --out dir, its output going to log; returns its pid.
pid_t start_recommender(const std::vector<std::string>& flags, const std::string& dir, const std::string& log) {
    std::vector<std::string> args{std::string(HG_TUTORIAL_DIR) + "/03_recommender"};
    args.insert(args.end(), flags.begin(), flags.end());
    args.insert(args.end(), {"--out", dir});
    const pid_t pid = fork();
    if (pid == 0) {
        if (!std::freopen(log.c_str(), "w", stdout) || dup2(fileno(stdout), 2) < 0) _exit(127);
        std::vector<char*> argv;
        for (std::string& a : args) argv.push_back(a.data());
        argv.push_back(nullptr);
        execv(argv[0], argv.data());
        _exit(127);
    }
    REQUIRE(pid > 0);
    return pid;
}

// Runs tutorial 03 to the end; returns its result line.
std::map<std::string, std::string> run_recommender(const std::vector<std::string>& flags, const std::string& dir,
                                                   const std::string& log) {
    int status = 0;
    waitpid(start_recommender(flags, dir, log), &status, 0);
    INFO(hg::test::TempDir::read(log));
    REQUIRE((WIFEXITED(status) && WEXITSTATUS(status) == 0));
    return hg::test::result_line(TempDir::read(log));
}

// Starts tutorial 03 with a checkpoint every epoch and kills it (SIGKILL) as soon as its
// checkpoint of `phase` reaches epoch `at` (or any checkpoint of a later phase exists).
// Returns the epoch of the checkpoint it left.
std::size_t kill_recommender_after(const std::vector<std::string>& flags, const std::string& dir,
                                   const std::string& checkpoint, const std::string& phase, std::size_t at) {
    const std::string log = dir + "/killed.log";
    std::vector<std::string> with = flags;
    with.insert(with.end(), {"--checkpoint-every", "1"});
    const pid_t pid = start_recommender(with, dir, log);
    int status = 0;
    for (;;) {
        if (hg::checkpoint_exists(checkpoint)) {
            const auto [epoch, values] = hg::checkpoint_info(checkpoint);
            if (values.at("phase") != phase || epoch >= at) break;
        }
        if (waitpid(pid, &status, WNOHANG) == pid) FAIL("the run ended before it could be killed:\n" << TempDir::read(log));
        usleep(200);
    }
    kill(pid, SIGKILL);
    waitpid(pid, &status, 0);
    CHECK(WIFSIGNALED(status));
    CHECK(hg::test::result_line(TempDir::read(log)).empty());
    return hg::checkpoint_info(checkpoint).first;
}

}  // namespace

TEST_CASE("tutorial 03: killed after 2 epochs and resumed, the course run ends exactly as an uninterrupted one") {
    hg::test::TempDir straight_dir("resume_course_straight"), dir("resume_course");
    const std::vector<std::string> flags{"--quick", "--quiet", "--data", "builtin", "--mode", "course", "--epochs", "20"};
    std::vector<std::string> once = flags;
    once.insert(once.end(), {"--checkpoint-every", "0"});
    const auto straight = run_recommender(once, straight_dir.path(), straight_dir.file("log"));
    const std::size_t left = kill_recommender_after(flags, dir.path(), dir.file("course.checkpoint.safetensors"), "course", 2);
    CHECK(left >= 2);
    CHECK(left < 20);
    std::vector<std::string> again{"--quick", "--data", "builtin", "--mode", "course", "--epochs", "20"};  // not quiet
    again.insert(again.end(), {"--checkpoint-every", "1", "--resume"});
    const auto resumed = run_recommender(again, dir.path(), dir.file("resumed.log"));
    CHECK(TempDir::read(dir.file("resumed.log")).find("resumed from " + dir.file("course.checkpoint.safetensors") +
                                                      " after epoch " + std::to_string(left)) != std::string::npos);
    for (const char* key : {"train_loss", "test_rmse", "course_metric", "epochs"}) {
        CAPTURE(key);
        CHECK(resumed.at(key) == straight.at(key));
    }
}

TEST_CASE("tutorial 03: the corrected recipe, killed during early stopping and resumed, ends as an uninterrupted run") {
    hg::test::TempDir straight_dir("resume_corrected_straight"), dir("resume_corrected");
    const std::vector<std::string> flags{"--quick", "--quiet", "--data", "builtin"};
    std::vector<std::string> once = flags;
    once.insert(once.end(), {"--checkpoint-every", "0"});
    const auto straight = run_recommender(once, straight_dir.path(), straight_dir.file("log"));
    kill_recommender_after(flags, dir.path(), dir.file("corrected.checkpoint.safetensors"), "a", 3);
    std::vector<std::string> again = flags;
    again.insert(again.end(), {"--checkpoint-every", "1", "--resume"});
    const auto resumed = run_recommender(again, dir.path(), dir.file("resumed.log"));
    for (const char* key : {"val_rmse", "test_rmse", "course_metric", "epochs"}) {
        CAPTURE(key);
        CHECK(resumed.at(key) == straight.at(key));
    }
}

TEST_CASE("checkpoint: an epoch beyond an int is refused, not wrapped") {
    hg::test::TempDir dir("checkpoint_epoch");
    const std::string path = dir.file("big.safetensors");
    for (const char* epoch : {"2147483648", "4294967296", "99999999999999999999"}) {
        hg::save_safetensors(path, {}, {{"format", "hourglass-checkpoint-1"}, {"epoch", epoch}});
        std::string message;
        try {
            hg::checkpoint_info(path);
        } catch (const hg::SafetensorsError& e) {
            message = e.what();
        }
        CAPTURE(epoch);
        CHECK(message.find("is larger than any run makes (at most 2147483647)") != std::string::npos);
    }
    hg::save_safetensors(path, {}, {{"format", "hourglass-checkpoint-1"}, {"epoch", "2147483647"}});
    CHECK(hg::checkpoint_info(path).first == 2147483647u);
}

TEST_CASE("checkpoint: extra values are read with messages that name the file and the key") {
    const std::string path = "run.safetensors";
    const hg::CheckpointExtras extra{{"best", "0.5"}, {"bad", "stod"}, {"inf", "1e400"}, {"count", "12"},
                                     {"big", "2147483648"}, {"losses", "1.5 0.5"}, {"gap", "1.5  0.5"}};
    CHECK(hg::checkpoint_number(path, extra, "best") == 0.5);
    CHECK(hg::checkpoint_count(path, extra, "count") == 12);
    CHECK(hg::checkpoint_numbers(path, extra, "losses", 2) == std::vector<double>{1.5, 0.5});
    CHECK_THROWS_WITH_AS(hg::checkpoint_number(path, extra, "bad"),
                         "checkpoint 'run.safetensors': extra/bad is not a finite number (got \"stod\")",
                         hg::SafetensorsError);
    CHECK_THROWS_WITH_AS(hg::checkpoint_number(path, extra, "inf"), doctest::Contains("extra/inf is not a finite number"),
                         hg::SafetensorsError);
    CHECK_THROWS_WITH_AS(hg::checkpoint_number(path, extra, "gone"), doctest::Contains("'run.safetensors': extra/gone is missing"),
                         hg::SafetensorsError);
    CHECK_THROWS_WITH_AS(hg::checkpoint_count(path, extra, "big"), doctest::Contains("extra/big is not a count from 0 to 2147483647"),
                         hg::SafetensorsError);
    CHECK_THROWS_WITH_AS(hg::checkpoint_count(path, extra, "best"), doctest::Contains("extra/best is not a count"),
                         hg::SafetensorsError);
    CHECK_THROWS_WITH_AS(hg::checkpoint_numbers(path, extra, "losses", 3), doctest::Contains("extra/losses holds 2 numbers, not 3"),
                         hg::SafetensorsError);
    CHECK_THROWS_WITH_AS(hg::checkpoint_numbers(path, extra, "gap", 2), doctest::Contains("extra/gap is not a list of finite numbers"),
                         hg::SafetensorsError);
    CHECK_THROWS_WITH_AS(hg::check_checkpoint_settings(path, {{"seed", "7"}, {"mode", "course"}}, {{"seed", "42"}, {"mode", "course"}}),
                         "checkpoint 'run.safetensors' was saved by a run with seed=\"7\"; this run has seed=\"42\": resume with "
                         "the same settings, or delete the checkpoint to start again",
                         hg::ValueError);
    CHECK_NOTHROW(hg::check_checkpoint_settings(path, {{"seed", "7"}, {"other", "x"}}, {{"seed", "7"}}));
}

TEST_CASE("tutorial 03 --resume: a checkpoint of another seed or mode, past --epochs, or without its losses is refused") {
    hg::test::TempDir dir("resume_refused");
    const std::string checkpoint = dir.file("course.checkpoint.safetensors");
    const std::string flags = "--quick --quiet --data builtin --mode course --checkpoint-every 2 ";
    REQUIRE(hg::test::run_tutorial("03_recommender", flags + "--epochs 4", dir).exit_code == 0);
    REQUIRE(hg::checkpoint_info(checkpoint).first == 4);

    const auto seed = hg::test::run_tutorial("03_recommender", flags + "--epochs 4 --resume --seed 7", dir);
    CHECK(seed.exit_code == 1);
    CHECK(seed.output.find("was saved by a run with seed=\"42\"; this run has seed=\"7\"") != std::string::npos);
    CHECK(seed.output.find("== Step 2") == std::string::npos);  // before any training

    std::filesystem::copy_file(checkpoint, dir.file("zero-grad.checkpoint.safetensors"));
    const auto mode = hg::test::run_tutorial("03_recommender", "--quick --quiet --data builtin --mode zero-grad --resume", dir);
    CHECK(mode.exit_code == 1);
    CHECK(mode.output.find("was saved by a run with mode=\"course\"; this run has mode=\"zero-grad\"") != std::string::npos);

    const auto fewer = hg::test::run_tutorial("03_recommender", flags + "--epochs 2 --resume", dir);
    CHECK(fewer.exit_code == 1);
    CHECK(fewer.output.find("is after epoch 4, past this run's last epoch 2: give --epochs 4 or more") != std::string::npos);

    // A checkpoint without extra/losses, resumed to its own epoch (this crashed: no losses at all).
    hg::SafetensorsFile file = hg::read_safetensors(checkpoint);
    file.metadata.erase("extra/losses");
    hg::save_safetensors(checkpoint, file.tensors, file.metadata);
    const auto losses = hg::test::run_tutorial("03_recommender", flags + "--epochs 4 --resume", dir);
    CHECK(losses.exit_code == 1);
    CHECK(losses.output.find("checkpoint '" + checkpoint + "': extra/losses is missing") != std::string::npos);
}
