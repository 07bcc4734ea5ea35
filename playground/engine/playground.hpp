// hg::playground::Playground — the engine behind the browser playground (playground/web/),
// in plain C++: the same tensor, autograd, nn, data and models code the tutorials use,
// behind a few calls that take and return JSON text. bindings.cpp hands these calls to
// JavaScript (Emscripten's embind); tests/test_playground.cpp calls them natively.
// playground/API.md is the contract with the page.
//
//   hg::playground::Playground pg;
//   pg.reset(R"({"task": "course", "hidden": 3, "lr": 0.1})");
//   pg.train(100);                 // {"ok":true,"step":100,"epoch":9,"loss":...}
//   pg.view("graph");              // every node of the course net: value, gradient, rule
//
// Three tasks: "course" (tutorial 02's net on the course's 11 x 6 like/dislike array, whose
// backward pass can be stepped one op at a time), "fashion" (autoencoders of Fashion-MNIST
// images handed over by load_images) and "recommender" (the course's stacked autoencoder on
// a ratings set). A call never throws: a failure is {"ok":false,"error":"<the message>"}.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "tensor/tensor.hpp"

namespace hg::playground {

class Task;  // playground.cpp: one per kind of task

class Playground {
public:
    Playground();
    ~Playground();
    Playground(const Playground&) = delete;
    Playground& operator=(const Playground&) = delete;

    std::string reset(const std::string& config_json);
    // The bytes of an IDX image file and its label file (uncompressed), read by data/idx.
    std::string load_images(const std::vector<std::uint8_t>& idx_images, const std::vector<std::uint8_t>& idx_labels);
    // Natively, images already read (N x 784 pixels in [0, 1]) and their labels 0..9.
    std::string load_images(const Tensor& images, const std::vector<int>& labels);
    std::string train(int steps);
    std::string view(const std::string& kind);
    std::string forward();
    std::string backward_step();
    std::string apply_step();
    std::string encode(const std::vector<float>& pixels);
    // Ratings as CSV text (user,movie,rating[,timestamp]), read by data/movielens.
    std::string load_ratings(const std::string& csv);
    std::string recommend(int user, int k);
    // Times `steps` training steps of a fresh task (its defaults): microseconds per step.
    std::string bench(const std::string& task, int steps);

    // Where load_images and load_ratings write what they are handed, for the readers that
    // take a path: by default the current folder (in the browser, Emscripten's in-memory
    // files, so that an error names "ratings.csv:2"); natively, set a temporary folder.
    void set_scratch_dir(std::string dir) { scratch_dir_ = std::move(dir); }

private:
    struct State;  // what was loaded: images, labels, ratings
    Task& task(const char* call);
    nlohmann::json store_images(const Tensor& images, const std::vector<int>& labels);
    std::string scratch_file(const std::string& name) const;

    std::unique_ptr<State> state_;
    std::unique_ptr<Task> task_;
    std::string scratch_dir_;
};

}  // namespace hg::playground
