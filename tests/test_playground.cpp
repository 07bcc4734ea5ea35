// The playground's engine (playground/engine/playground.hpp), natively: the calls the page
// makes in WebAssembly, each task, the errors it answers with, and that training learns.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "data/idx.hpp"
#include "playground/engine/playground.hpp"
#include "requires.hpp"
#include "temp_dir.hpp"

using nlohmann::json;
using hg::playground::Playground;

namespace {

// A call's answer, which must say "ok": true.
json ok(const std::string& answer) {
    const json j = json::parse(answer);
    INFO(answer);
    REQUIRE(j.at("ok").get<bool>());
    return j;
}
// A call's error message, which it must give ("ok": false).
std::string error(const std::string& answer) {
    const json j = json::parse(answer);
    INFO(answer);
    REQUIRE_FALSE(j.at("ok").get<bool>());
    return j.at("error").get<std::string>();
}
bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// An IDX file's bytes (data/idx.hpp's format): unsigned bytes, the given dimensions.
std::vector<std::uint8_t> idx_bytes(const std::vector<std::uint32_t>& dims, const std::vector<std::uint8_t>& payload) {
    std::vector<std::uint8_t> out = {0, 0, 0x08, static_cast<std::uint8_t>(dims.size())};
    for (std::uint32_t d : dims)
        for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<std::uint8_t>(d >> shift));
    out.insert(out.end(), payload.begin(), payload.end());
    return out;
}

// The site's subset (playground/make_fashion_subset.py): 3,000 training then 500 test images.
void load_fashion(Playground& pg) {
    hg::data::ImageSet train = hg::data::fashion_mnist("train", 3000), test = hg::data::fashion_mnist("t10k", 500);
    std::vector<int> labels = train.labels;
    labels.insert(labels.end(), test.labels.begin(), test.labels.end());
    CHECK(ok(pg.load_images(hg::Tensor::concat_rows({train.images, test.images}), labels))["n"] == 3500);
}

}  // namespace

TEST_CASE("playground: the course net trains, tutorial 02's way, and its loss falls") {
    Playground pg;
    const json r = ok(pg.reset(R"({"task": "course"})"));
    CHECK(r["task"] == "course");
    CHECK(r["n_train"] == 11);
    CHECK(r["params"] == 6 * 3 + 3 + 3 * 6 + 6);  // hidden 3, as tutorial 02
    const json first = ok(pg.train(1));
    CHECK(first["step"] == 1);
    const json later = ok(pg.train(11 * 100 - 1));  // 100 epochs of online updates
    CHECK(later["step"] == 1100);
    CHECK(later["epoch"].get<double>() == doctest::Approx(100.0));
    CHECK(later["held_loss"].get<double>() < 0.25 * first["held_loss"].get<double>());
    CHECK(later["seconds"].get<double>() >= 0.0);
    const json recon = ok(pg.view("recon"));
    CHECK(recon["inputs"].size() == 11);
    CHECK(recon["outputs"][0].size() == 6);
}

TEST_CASE("playground: the course graph, stepped one rule at a time, gives train()'s update exactly") {
    Playground stepped, whole;
    ok(stepped.reset(R"({"task": "course", "seed": 5})"));
    ok(whole.reset(R"({"task": "course", "seed": 5})"));

    const json g = ok(stepped.forward());
    const auto& nodes = g["nodes"];
    CHECK(g["current"].is_null());
    CHECK_FALSE(g["done"].get<bool>());
    std::set<std::string> names, kinds;
    for (const json& n : nodes) {
        names.insert(n["name"].get<std::string>());
        kinds.insert(n["kind"].get<std::string>());
        CHECK(n["grad"].is_null());  // nothing computed yet
        CHECK_FALSE(n["rule"].get<std::string>().empty());
        const auto& shape = n["shape"];
        CHECK(n["value"].size() == shape[0].get<std::size_t>() * shape[1].get<std::size_t>());
    }
    for (const char* name : {"W1", "b1", "W2", "b2", "x", "L = Σ e² / n", "z = σ(a)"}) {
        INFO(name);
        CHECK(names.count(name) == 1);
    }
    CHECK(kinds == std::set<std::string>{"param", "const", "op"});
    const std::size_t root = nodes.size() - 1;
    CHECK(nodes[root]["name"] == "L = Σ e² / n");
    for (const json& e : g["edges"]) CHECK(e[0].get<std::size_t>() < e[1].get<std::size_t>());  // inputs come first

    CHECK(contains(error(stepped.apply_step()), "the backward pass is not finished"));

    // The first step seeds dL/dL = 1 and lights the loss; each later one runs one op's rule.
    json s = ok(stepped.backward_step());
    CHECK(s["current"] == root);
    CHECK(s["nodes"][root]["grad"] == json::array({1.0}));
    std::size_t ops = 0;
    for (const json& n : nodes) ops += n["kind"] == "op";
    std::size_t steps = 0;
    std::set<std::size_t> lit;
    while (!s["done"].get<bool>()) {
        s = ok(stepped.backward_step());
        REQUIRE(++steps <= ops);
        const std::size_t current = s["current"].get<std::size_t>();
        CHECK(s["nodes"][current]["kind"] == "op");
        lit.insert(current);
    }
    CHECK(steps == ops);
    CHECK(lit.size() == ops);  // every op once
    for (const json& n : s["nodes"]) {
        INFO(n["name"]);
        CHECK(n["grad"].is_null() == (n["kind"] == "const"));  // all computed, constants excepted
    }
    CHECK(ok(stepped.backward_step())["done"].get<bool>());  // nothing more to run

    const float stepped_loss = ok(stepped.apply_step())["loss"].get<float>();
    const json trained = ok(whole.train(1));
    CHECK(stepped_loss == trained["loss"].get<float>());
    // The same update: the same network afterwards, to the last bit.
    CHECK(ok(stepped.view("recon"))["outputs"] == ok(whole.view("recon"))["outputs"]);
}

TEST_CASE("playground: every fashion model trains and draws its views" * hg::test::requires_fashion_mnist()) {
    Playground pg;
    load_fashion(pg);
    for (const char* model : {"plain", "sparse_l1", "sparse_kl", "denoising", "contractive", "k_sparse", "vae"}) {
        INFO(model);
        const json r = ok(pg.reset(json{{"task", "fashion"}, {"model", model}}.dump()));
        CHECK(r["n_train"] == 3000);
        CHECK(r["n_held"] == 500);
        const json a = ok(pg.train(1)), b = ok(pg.train(60));
        CHECK(b["held_loss"].get<double>() < 0.9 * a["held_loss"].get<double>());
        const json recon = ok(pg.view("recon"));
        CHECK(recon["inputs"].size() == 8);
        CHECK(recon["outputs"][0].size() == 784);
        const json filters = ok(pg.view("filters"));
        CHECK(filters["filters"].size() == (std::string(model) == "vae" ? 64u : 64u));
        const json codes = ok(pg.view("codes"));
        CHECK(codes["points"].size() == 500);
        CHECK(codes["points"][0].size() == 3);
        CHECK(codes["axes"] == (std::string(model) == "vae" ? "mean (VAE)" : "PCA of the codes"));
        const json e = ok(pg.encode(std::vector<float>(784, 0.5f)));
        CHECK(e["code"].size() == (std::string(model) == "vae" ? 2u : 64u));
        CHECK(e["recon"].size() == 784);
    }
    CHECK(contains(error(pg.encode(std::vector<float>(10, 0.5f))), "expected 784 pixels"));
    CHECK(ok(pg.bench("fashion", 3))["step_us"].get<double>() > 0);
}

TEST_CASE("playground: images arrive as IDX bytes, read by data/idx, with its errors") {
    hg::test::TempDir dir("playground_idx");
    Playground pg;
    pg.set_scratch_dir(dir.path());
    CHECK(contains(error(pg.reset(R"({"task": "fashion"})")), "call load_images(idx_images, idx_labels) first"));
    // 14 images of 28 x 28, pixels i % 256, labels 0..9 then 0..3.
    std::vector<std::uint8_t> pixels(14 * 784), labels(14);
    for (std::size_t i = 0; i < pixels.size(); ++i) pixels[i] = static_cast<std::uint8_t>(i % 256);
    for (std::size_t i = 0; i < labels.size(); ++i) labels[i] = static_cast<std::uint8_t>(i % 10);
    const std::vector<std::uint8_t> images = idx_bytes({14, 28, 28}, pixels), label_file = idx_bytes({14}, labels);
    CHECK(ok(pg.load_images(images, label_file))["n"] == 14);
    const json r = ok(pg.reset(R"({"task": "fashion", "train_images": 10, "batch": 4})"));
    CHECK(r["n_train"] == 10);
    CHECK(r["n_held"] == 4);
    ok(pg.train(3));
    // The reader's own messages: swapped files, a short payload.
    CHECK(contains(error(pg.load_images(label_file, images)), "wrong magic number 0x00000801"));
    std::vector<std::uint8_t> cut(images.begin(), images.end() - 100);
    CHECK(contains(error(pg.load_images(cut, label_file)), "truncated payload"));
    CHECK(contains(error(pg.load_images(images, idx_bytes({13}, std::vector<std::uint8_t>(13, 0)))), "14 images but 13 labels"));
}

TEST_CASE("playground: the recommender on the built-in set, and on ratings pasted as CSV") {
    hg::test::TempDir dir("playground_csv");
    Playground pg;
    pg.set_scratch_dir(dir.path());
    const json r = ok(pg.reset(R"({"task": "recommender"})"));
    CHECK(r["users"] == 600);
    CHECK(r["movies"] == 400);
    const json a = ok(pg.train(1)), b = ok(pg.train(150));  // about 8 epochs of 19 batches
    CHECK(b["held_loss"].get<double>() < a["held_loss"].get<double>());
    const json rec = ok(pg.recommend(1, 5));
    CHECK(rec["items"].size() == 5);
    CHECK(rec["items"][0]["predicted"].get<double>() >= rec["items"][4]["predicted"].get<double>());
    CHECK_FALSE(rec["items"][0]["title"].get<std::string>().empty());
    CHECK(contains(error(pg.recommend(100000, 5)), "no user 100000"));
    CHECK(ok(pg.view("ratings"))["users"] == 600);

    // Bad CSV gets data/movielens's message, naming the line.
    CHECK(contains(error(pg.load_ratings("1,10,4,0\n1,x,4,0\n")), "ratings.csv:2: non-numeric item id (got 'x')"));
    CHECK(contains(error(pg.load_ratings("1,10,9,0\n")), "ratings.csv:1: rating outside the format's range"));
    std::string csv = "userId,movieId,rating,timestamp\n";
    for (int u = 1; u <= 6; ++u)
        for (int m = 1; m <= 8; ++m)
            if ((u + m) % 3 != 0) csv += std::to_string(u) + "," + std::to_string(10 * m) + "," + std::to_string(1 + (u * m) % 5) + ",0\n";
    const json loaded = ok(pg.load_ratings(csv));
    CHECK(loaded["users"] == 6);
    CHECK(loaded["movies"] == 8);
    const json mine = ok(pg.reset(R"({"task": "recommender", "hidden": 8, "batch": 2})"));
    CHECK(mine["users"] == 6);
    ok(pg.train(20));
    const json top = ok(pg.recommend(2, 3));
    CHECK(top["items"].size() <= 3);
    CHECK(contains(top["items"][0]["title"].get<std::string>(), "movie "));
}

TEST_CASE("playground: every call answers a mistake with an error naming it, never a throw") {
    Playground pg;
    CHECK(error(pg.train(1)) == "train: no task yet; call reset(config) first");
    CHECK(contains(error(pg.view("graph")), "no task yet"));
    CHECK(contains(error(pg.reset("{not json")), "reset: the configuration is not JSON"));
    CHECK(error(pg.reset(R"({"hiddn": 3})")) == "reset: unknown setting 'hiddn'");
    CHECK(error(pg.reset(R"({"hidden": 0})")) == "reset: 'hidden' must be a whole number from 1 to 1024, got 0");
    CHECK(error(pg.reset(R"({"lr": "fast"})")) == "reset: 'lr' must be a number from 1e-07 to 10, got \"fast\"");
    CHECK(contains(error(pg.reset(R"({"task": "mnist"})")), "'task' must be one of course, fashion, recommender"));
    CHECK(contains(error(pg.reset(R"({"task": "course", "optimizer": "lbfgs"})")), "'optimizer' must be one of sgd, adam, rmsprop"));
    ok(pg.reset(R"({"task": "course", "lr": 10, "optimizer": "sgd"})"));
    const std::string diverged = error(pg.train(50));
    INFO(diverged);
    CHECK(contains(diverged, "learning rate"));  // the playground's message, or anomaly mode's (on in the tests)
    ok(pg.reset("{}"));
    CHECK(contains(error(pg.view("codes")), "the course task has no \"codes\" view"));
    CHECK(contains(error(pg.encode(std::vector<float>(784, 0.0f))), "only the fashion task"));
    CHECK(contains(error(pg.recommend(1, 3)), "only the recommender"));
    CHECK(contains(error(pg.train(0)), "steps must be at least 1"));
    CHECK(contains(error(pg.bench("vae", 1)), "bench: task must be"));
    CHECK(contains(error(pg.bench("fashion", 1)), "call load_images"));
    CHECK(ok(pg.bench("course", 10))["step_us"].get<double>() > 0);
}
