#include "playground/engine/playground.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <exception>
#include <fstream>
#include <numeric>
#include <optional>
#include <unordered_map>
#include <unordered_set>

#include "autograd/loss.hpp"
#include "autograd/ops.hpp"
#include "autograd/var.hpp"
#include "data/baselines.hpp"
#include "data/builtin.hpp"
#include "data/error.hpp"
#include "data/idx.hpp"
#include "data/movielens.hpp"
#include "data/ratings.hpp"
#include "models/recommender.hpp"
#include "models/vae.hpp"
#include "nn/activation.hpp"
#include "nn/adam.hpp"
#include "nn/dropout.hpp"
#include "nn/linear.hpp"
#include "nn/rmsprop.hpp"
#include "nn/sgd.hpp"
#include "tensor/format.hpp"
#include "tensor/linalg.hpp"
#include "tensor/matmul.hpp"
#include "tensor/rng.hpp"

namespace hg::playground {

using json = nlohmann::json;

namespace {

// A playground error: bad configuration, a call out of order. Its message goes to the page.
struct PlaygroundError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

using Clock = std::chrono::steady_clock;
double seconds_since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

std::vector<float> to_vector(const Tensor& t) { return std::vector<float>(t.data(), t.data() + t.numel()); }

// A tensor's shape as the page draws it: rows x columns (a vector is one row, a number 1 x 1).
json shape_of(const Tensor& t) {
    const Shape& s = t.shape();
    if (s.rank() == 0) return {1, 1};
    if (s.rank() == 1) return {1, s[0]};
    return {s[0], t.numel() / s[0]};
}

// The settings of a task, read from reset()'s JSON; each missing field keeps the task's default.
struct Config {
    std::string task = "course";
    std::string model = "plain";
    std::size_t hidden = 0;  // 0: the task's default
    std::string activation = "sigmoid";
    float lr = 0;            // 0: the task's and optimiser's default
    std::string optimizer;   // "": the task's default
    std::size_t batch = 0;   // 0: the task's default
    std::string noise_kind = "masking";
    float noise = 0.3f;
    float l1 = 1e-3f, kl_weight = 0.1f, kl_target = 0.05f, contractive = 0.1f;
    std::size_t k = 20;
    std::uint64_t seed = 42;
    std::size_t train_images = 3000;
};

template <class T>
void read_field(const json& j, const char* key, T& out, const char* what) {
    if (!j.contains(key) || j[key].is_null()) return;
    try {
        out = j[key].get<T>();
    } catch (const json::exception&) {
        throw PlaygroundError(std::string("reset: '") + key + "' must be " + what + ", got " + j[key].dump());
    }
}

void read_count(const json& j, const char* key, std::size_t& out, std::size_t lo, std::size_t hi) {
    if (!j.contains(key) || j[key].is_null()) return;
    const json& v = j[key];
    if (!v.is_number_integer() || v.get<long long>() < static_cast<long long>(lo) || v.get<long long>() > static_cast<long long>(hi))
        throw PlaygroundError(std::string("reset: '") + key + "' must be a whole number from " + std::to_string(lo) + " to " +
                              std::to_string(hi) + ", got " + v.dump());
    out = v.get<std::size_t>();
}

void read_number(const json& j, const char* key, float& out, float lo, float hi) {
    if (!j.contains(key) || j[key].is_null()) return;
    const json& v = j[key];
    if (!v.is_number() || !(v.get<double>() >= lo && v.get<double>() <= hi))
        throw PlaygroundError(std::string("reset: '") + key + "' must be a number from " + format_number(lo) + " to " +
                              format_number(hi) + ", got " + v.dump());
    out = v.get<float>();
}

void check_choice(const char* key, const std::string& value, std::initializer_list<const char*> choices) {
    std::string list;
    for (const char* c : choices) {
        if (value == c) return;
        list += std::string(list.empty() ? "" : ", ") + c;
    }
    throw PlaygroundError(std::string("reset: '") + key + "' must be one of " + list + ", got \"" + value + "\"");
}

Config parse_config(const std::string& text) {
    json j;
    try {
        j = text.empty() ? json::object() : json::parse(text);
    } catch (const json::parse_error& e) {
        throw PlaygroundError(std::string("reset: the configuration is not JSON: ") + e.what());
    }
    if (!j.is_object()) throw PlaygroundError("reset: the configuration must be a JSON object, got " + j.dump());
    static const char* known[] = {"task", "model", "hidden", "activation", "lr", "optimizer", "batch", "noise_kind",
                                  "noise", "l1", "kl_weight", "kl_target", "contractive", "k", "seed", "train_images"};
    for (const auto& item : j.items()) {
        const std::string key = item.key();
        if (std::find_if(std::begin(known), std::end(known), [&](const char* k) { return key == k; }) == std::end(known))
            throw PlaygroundError("reset: unknown setting '" + key + "'");
    }
    Config c;
    read_field(j, "task", c.task, "a string");
    read_field(j, "model", c.model, "a string");
    read_field(j, "activation", c.activation, "a string");
    read_field(j, "optimizer", c.optimizer, "a string");
    read_field(j, "noise_kind", c.noise_kind, "a string");
    check_choice("task", c.task, {"course", "fashion", "recommender"});
    check_choice("model", c.model, {"plain", "sparse_l1", "sparse_kl", "denoising", "contractive", "k_sparse", "vae"});
    check_choice("activation", c.activation, {"sigmoid", "relu", "tanh", "selu"});
    if (!c.optimizer.empty()) check_choice("optimizer", c.optimizer, {"sgd", "adam", "rmsprop"});
    check_choice("noise_kind", c.noise_kind, {"masking", "gaussian", "salt_pepper"});
    read_count(j, "hidden", c.hidden, 1, 1024);
    read_count(j, "batch", c.batch, 1, 4096);
    read_count(j, "k", c.k, 1, 1024);
    read_count(j, "train_images", c.train_images, 1, 60000);
    std::size_t seed = 42;
    read_count(j, "seed", seed, 0, 1000000000);
    c.seed = seed;
    read_number(j, "lr", c.lr, 1e-7f, 10.0f);
    read_number(j, "noise", c.noise, 0.0f, 1.0f);
    read_number(j, "l1", c.l1, 0.0f, 100.0f);
    read_number(j, "kl_weight", c.kl_weight, 0.0f, 100.0f);
    read_number(j, "kl_target", c.kl_target, 1e-4f, 0.9999f);
    read_number(j, "contractive", c.contractive, 0.0f, 100.0f);
    return c;
}

Var activate(const std::string& name, const Var& a) {
    if (name == "relu") return relu(a);
    if (name == "tanh") return tanh(a);
    if (name == "selu") return selu(a);
    return sigmoid(a);
}

std::unique_ptr<Optimizer> make_optimizer(const std::string& name, std::vector<Var> params, float lr) {
    if (name == "sgd") return std::make_unique<SGD>(std::move(params), SGDOptions(lr));
    if (name == "rmsprop") return std::make_unique<RMSprop>(std::move(params), RMSpropOptions(lr));
    return std::make_unique<Adam>(std::move(params), AdamOptions(lr));
}

// The one line of maths of each op's backward rule, as the graph view shows it. dY is the
// gradient arriving at the op's output Y, dA and dB what the rule sends to its inputs.
std::string rule_of(const std::string& op) {
    if (op == "matmul") return "Y = A·B:  dA = dY·Bᵀ,  dB = Aᵀ·dY";
    if (op == "add") return "Y = A + B:  dA = dY,  dB = dY (summed over the rows a bias was repeated on)";
    if (op == "sub") return "Y = A − B:  dA = dY,  dB = −dY";
    if (op == "mul") return "Y = A ⊙ B:  dA = dY ⊙ B,  dB = dY ⊙ A";
    if (op == "scale") return "Y = s·A:  dA = s·dY";
    if (op == "sigmoid") return "Y = σ(A):  dA = dY ⊙ Y(1 − Y)";
    if (op == "tanh") return "Y = tanh(A):  dA = dY ⊙ (1 − Y²)";
    if (op == "relu") return "Y = max(A, 0):  dA = dY ⊙ [A > 0]";
    if (op == "selu") return "Y = selu(A):  dA = dY ⊙ λ (A > 0),  dY ⊙ (Y + λα) (A ≤ 0)";
    if (op == "mask") return "Y = A ⊙ M:  dA = dY ⊙ M  (a blank gets no gradient)";
    if (op == "pow" || op == "square") return "Y = A²:  dA = dY ⊙ 2A";
    if (op == "sum") return "Y = Σ A:  dA = dY in every entry";
    return "backward rule of " + op;
}

}  // namespace

// ---------------------------------------------------------------------------------------
// A task: what reset() builds. Each call the task does not support answers with an error.
class Task {
public:
    explicit Task(Config c) : config(std::move(c)) {}
    virtual ~Task() = default;
    virtual std::string name() const = 0;
    virtual json info() const = 0;  // n_train, n_held, params
    // One optimiser step on the next batch; returns the batch's loss.
    virtual float train_step() = 0;
    virtual float held_loss() = 0;
    virtual std::size_t steps_per_epoch() const = 0;
    virtual json view(const std::string& kind) {
        throw PlaygroundError("view: the " + name() + " task has no \"" + kind + "\" view");
    }
    virtual json forward() { throw PlaygroundError("forward: only the course task shows its graph"); }
    virtual json backward_step() { throw PlaygroundError("backward_step: only the course task steps its backward pass"); }
    virtual float apply_step() { throw PlaygroundError("apply_step: only the course task steps its backward pass"); }
    virtual json encode(const std::vector<float>&) { throw PlaygroundError("encode: only the fashion task encodes images"); }
    virtual json recommend(std::int64_t, std::size_t) { throw PlaygroundError("recommend: only the recommender recommends"); }

    Config config;
    std::size_t steps = 0;
};

// ---------------------------------------------------------------------------------------
// The course: tutorial 02's net x -> f(x·W1 + b1) -> ·W2 + b2 on the 11 x 6 array, the
// squared error over the rated cells, plain gradient descent on `batch` users at a time.
class CourseTask : public Task {
public:
    explicit CourseTask(Config c) : Task(std::move(c)), course_(data::course_matrix()) {
        if (config.hidden == 0) config.hidden = 3;   // tutorial 02's defaults
        if (config.batch == 0) config.batch = 1;     // online: one user per step (its step 8)
        if (config.optimizer.empty()) config.optimizer = "sgd";
        if (config.lr == 0) config.lr = config.optimizer == "sgd" ? 0.1f : 0.01f;
        x_ = course_.values;
        rated_ = ne(x_, 0.0f);
        Rng rng(config.seed);  // as tutorial 02: W normal (0, 0.5), drawn W1 then W2; biases 0
        const std::size_t m = x_.cols(), h = config.hidden;
        W1_ = Var::parameter(Tensor::normal({m, h}, 0, 0.5f, rng), "W1");
        b1_ = Var::parameter(Tensor::zeros({h}), "b1");
        W2_ = Var::parameter(Tensor::normal({h, m}, 0, 0.5f, rng), "W2");
        b2_ = Var::parameter(Tensor::zeros({m}), "b2");
        opt_ = make_optimizer(config.optimizer, {W1_, b1_, W2_, b2_}, config.lr);
        for (std::size_t u = 0; u < x_.rows(); ++u)
            if (sum(rated_.slice_rows(u, u + 1)).item() > 0) users_.push_back(u);
    }
    std::string name() const override { return "course"; }
    json info() const override {
        return {{"n_train", x_.rows()}, {"n_held", 0}, {"params", x_.cols() * config.hidden * 2 + config.hidden + x_.cols()},
                {"users", x_.rows()}, {"movies", course_.movies}};
    }
    std::size_t steps_per_epoch() const override { return (users_.size() + config.batch - 1) / config.batch; }

    float train_step() override {
        graph_.reset();
        Var loss = loss_of(next_batch(), false);
        loss.backward();
        opt_->step();
        opt_->zero_grad();
        ++steps;
        return loss.item();
    }
    // The course has no held-out users: the loss over the whole array.
    float held_loss() override {
        NoGradGuard no_grad;
        return loss_of(x_, rated_).item();
    }

    json forward() override {
        opt_->zero_grad();
        graph_.emplace();
        graph_->loss = loss_of(next_batch(), true);
        graph_->order = topological_order(graph_->loss);
        for (std::size_t i = 0; i < graph_->order.size(); ++i) graph_->id[graph_->order[i].node()] = i;
        return graph_view();
    }
    json backward_step() override {
        if (!graph_) forward();
        Graph& g = *graph_;
        if (!g.pass) {
            g.pass.emplace(g.loss);  // seeds dL/dL = 1
            g.current = g.order.size() - 1;
            g.reached.insert(g.loss.node());
        } else if (g.pass->step()) {
            const Var& v = *g.pass->current();
            g.current = g.id.at(v.node());
            for (const Var& in : g.inputs_of(v.node())) g.reached.insert(in.node());
        }
        return graph_view();
    }
    float apply_step() override {
        if (!graph_ || !graph_->pass || !graph_->pass->done())
            throw PlaygroundError("apply_step: the backward pass is not finished; call backward_step() until \"done\" is true");
        const float loss = graph_->loss.item();
        opt_->step();
        opt_->zero_grad();
        graph_.reset();
        ++steps;
        return loss;
    }

    json view(const std::string& kind) override {
        if (kind == "graph") return graph_ ? graph_view() : forward();
        if (kind == "recon") {
            NoGradGuard no_grad;
            const Tensor y = predict(Var::constant(x_)).value();
            json in = json::array(), out = json::array();
            for (std::size_t u = 0; u < x_.rows(); ++u) {
                in.push_back(to_vector(x_.slice_rows(u, u + 1)));
                out.push_back(to_vector(y.slice_rows(u, u + 1)));
            }
            return {{"width", x_.cols()}, {"height", 1}, {"inputs", in}, {"outputs", out}, {"movies", course_.movies}};
        }
        return Task::view(kind);
    }

private:
    // The nodes of one forward pass and how far its backward pass has gone.
    struct Graph {
        Var loss;
        VarList order;                                  // inputs before the ops that use them
        std::unordered_map<const Node*, std::size_t> id;
        std::optional<BackwardPass> pass;
        std::optional<std::size_t> current;             // the node lit: seeded root, then each rule run
        std::unordered_set<const Node*> reached;        // nodes whose gradient is complete enough to show
        std::unordered_map<const Node*, VarList> inputs;  // kept: the pass frees each node's inputs
        const VarList& inputs_of(const Node* n) const { return inputs.at(n); }
    };

    Var predict(const Var& x) const { return matmul(activate(config.activation, matmul(x, W1_) + b1_), W2_) + b2_; }

    std::pair<Tensor, Tensor> next_batch() {
        std::vector<std::size_t> rows;
        for (std::size_t i = 0; i < config.batch && i < users_.size(); ++i) rows.push_back(users_[(cursor_ + i) % users_.size()]);
        cursor_ = (cursor_ + rows.size()) % users_.size();
        return {x_.gather_rows(rows), rated_.gather_rows(rows)};
    }
    Var loss_of(const std::pair<Tensor, Tensor>& batch, bool named) {
        return loss_of(batch.first, batch.second, named);
    }
    // Step 5 of tutorial 02: the squared error over the rated cells, divided by their number.
    Var loss_of(const Tensor& x, const Tensor& rated, bool named = false) const {
        Var X = Var::constant(x, "x");
        Var a1 = matmul(X, W1_), z1 = a1 + b1_, h = activate(config.activation, z1);
        Var a2 = matmul(h, W2_), y = a2 + b2_;
        Var e = mask(y - X, rated), s = square(e), S = sum(s);
        Var loss = S / sum(rated).item();
        if (named) {
            a1.set_name("x·W1");
            z1.set_name("a = x·W1 + b1");
            h.set_name("z = " + std::string(config.activation == "sigmoid" ? "σ" : config.activation) + "(a)");
            a2.set_name("z·W2");
            y.set_name("y = z·W2 + b2");
            e.set_name("e = (y − x) ⊙ rated");
            s.set_name("e²");
            S.set_name("Σ e²");
            loss.set_name("L = Σ e² / n");
        }
        return loss;
    }

    json graph_view() {
        Graph& g = *graph_;
        if (g.inputs.empty())
            for (const Var& v : g.order) g.inputs[v.node()] = v.inputs();
        json nodes = json::array(), edges = json::array();
        for (std::size_t i = 0; i < g.order.size(); ++i) {
            const Var& v = g.order[i];
            const bool leaf = g.inputs_of(v.node()).empty();
            const std::string kind = !leaf ? "op" : v.requires_grad() ? "param" : "const";
            json node = {{"id", i}, {"name", v.label()}, {"op", v.op()}, {"kind", kind}, {"shape", shape_of(v.value())},
                         {"value", to_vector(v.value())}};
            const bool has = v.requires_grad() && g.reached.count(v.node()) && v.has_grad();
            node["grad"] = has ? json(to_vector(v.grad())) : json(nullptr);
            if (kind == "op") node["rule"] = rule_of(v.op());
            else if (kind == "param") node["rule"] = "a parameter: the optimiser steps it by −lr·d" + v.label();
            else node["rule"] = "a constant: no gradient";
            if (i + 1 == g.order.size()) node["rule"] = "dL/dL = 1 (the seed);  " + node["rule"].get<std::string>();
            nodes.push_back(std::move(node));
            for (const Var& in : g.inputs_of(v.node())) edges.push_back({g.id.at(in.node()), i});
        }
        const bool done = g.pass && g.pass->done();
        return {{"nodes", nodes}, {"edges", edges}, {"current", g.current ? json(*g.current) : json(nullptr)}, {"done", done},
                {"loss", g.loss.item()}};
    }

    data::CourseMatrix course_;
    Tensor x_, rated_;
    Var W1_, b1_, W2_, b2_;
    std::unique_ptr<Optimizer> opt_;
    std::vector<std::size_t> users_;  // the users with at least one rating
    std::size_t cursor_ = 0;
    std::optional<Graph> graph_;
};

// ---------------------------------------------------------------------------------------
// Fashion-MNIST: a one-hidden-layer autoencoder of 28 x 28 images (plain, sparse, denoising,
// contractive, k-sparse), or the 2-D variational autoencoder of models/vae.
class FashionTask : public Task {
public:
    FashionTask(Config c, const Tensor& images, const std::vector<int>& labels) : Task(std::move(c)), rng_(config.seed) {
        if (labels.empty())
            throw PlaygroundError("reset: the fashion task needs images: call load_images(idx_images, idx_labels) first");
        const bool vae = config.model == "vae";
        if (config.hidden == 0) config.hidden = vae ? 2 : 64;
        if (config.batch == 0) config.batch = 64;
        if (config.optimizer.empty()) config.optimizer = "adam";
        if (config.lr == 0) config.lr = config.optimizer == "sgd" ? 0.5f : 1e-3f;
        if ((config.model == "sparse_kl" || config.model == "contractive") && config.activation != "sigmoid")
            throw PlaygroundError("reset: the " + config.model + " autoencoder's penalty is written for sigmoid units; set "
                                  "\"activation\": \"sigmoid\"");
        if (config.model == "k_sparse" && config.k > config.hidden)
            throw PlaygroundError("reset: k = " + std::to_string(config.k) + " is more than the " + std::to_string(config.hidden) +
                                  " hidden units");
        const std::size_t n = images.rows();
        std::size_t n_train = std::min(config.train_images, n);
        if (n_train == n) n_train = n - std::max<std::size_t>(1, n / 7);  // keep some images back
        const std::size_t n_held = std::min<std::size_t>(n - n_train, 500);
        train_x_ = images.slice_rows(0, n_train);
        held_x_ = images.slice_rows(n_train, n_train + n_held);
        held_labels_.assign(labels.begin() + static_cast<std::ptrdiff_t>(n_train),
                            labels.begin() + static_cast<std::ptrdiff_t>(n_train + n_held));
        order_.resize(n_train);
        std::iota(order_.begin(), order_.end(), std::size_t{0});
        if (vae) {
            vae_ = std::make_unique<models::Vae>(2, rng_);
            opt_ = make_optimizer(config.optimizer, vae_->parameters(), config.lr);
        } else {
            encoder_ = std::make_shared<Linear>(784, config.hidden, rng_);
            decoder_ = std::make_shared<Linear>(config.hidden, 784, rng_);
            std::vector<Var> params = encoder_->parameters();
            for (const Var& p : decoder_->parameters()) params.push_back(p);
            opt_ = make_optimizer(config.optimizer, params, config.lr);
            if (config.model == "denoising") {
                if (config.noise_kind == "gaussian") noise_ = std::make_shared<GaussianNoise>(config.noise, rng_);
                else if (config.noise_kind == "salt_pepper") noise_ = std::make_shared<SaltPepperNoise>(config.noise, rng_);
                else noise_ = std::make_shared<MaskingNoise>(config.noise, rng_);
            }
        }
    }
    std::string name() const override { return "fashion"; }
    json info() const override {
        const std::size_t params = vae_ ? vae_->num_parameters() : encoder_->num_parameters() + decoder_->num_parameters();
        return {{"n_train", train_x_.rows()}, {"n_held", held_x_.rows()}, {"params", params}, {"model", config.model}};
    }
    std::size_t steps_per_epoch() const override { return (train_x_.rows() + config.batch - 1) / config.batch; }

    float train_step() override {
        const Tensor xb = next_batch();
        Var loss = objective(Var::constant(xb), true);
        opt_->zero_grad();
        loss.backward();
        opt_->step();
        ++steps;
        return loss.item();
    }
    // The reconstruction error on the held-out images: MSE per pixel (VAE: the negative ELBO per image).
    float held_loss() override {
        if (vae_) return static_cast<float>(models::vae_score(*vae_, held_x_, config.seed).loss());
        NoGradGuard no_grad;
        return mse(decode(code(Var::constant(held_x_))), Var::constant(held_x_)).item();
    }

    json view(const std::string& kind) override {
        NoGradGuard no_grad;
        if (kind == "recon") {
            const std::size_t n = std::min<std::size_t>(8, held_x_.rows());
            const Tensor x = held_x_.slice_rows(0, n);
            Tensor shown = x;
            if (noise_) {  // a denoiser is shown its noisy input
                noise_->train();
                shown = (*noise_)(Var::constant(x)).value();
            }
            const Tensor y = reconstruct(shown);
            json in = json::array(), out = json::array();
            for (std::size_t i = 0; i < n; ++i) {
                in.push_back(to_vector(shown.slice_rows(i, i + 1)));
                out.push_back(to_vector(y.slice_rows(i, i + 1)));
            }
            return {{"width", 28}, {"height", 28}, {"inputs", in}, {"outputs", out}};
        }
        if (kind == "filters") {
            const Tensor W = vae_ ? vae_->hidden->weight().value() : encoder_->weight().value();  // (hidden x 784)
            json filters = json::array();
            for (std::size_t j = 0; j < std::min<std::size_t>(64, W.rows()); ++j) filters.push_back(to_vector(W.slice_rows(j, j + 1)));
            return {{"width", 28}, {"height", 28}, {"filters", filters}};
        }
        if (kind == "codes") {
            const std::size_t n = std::min<std::size_t>(1000, held_x_.rows());
            const Tensor x = held_x_.slice_rows(0, n);
            Tensor points;
            std::string axes;
            if (vae_) {
                points = models::posterior_means(*vae_, x);
                axes = "mean (VAE)";
            } else {
                const Tensor h = code(Var::constant(x)).value();
                points = project_2d(h);
                axes = "PCA of the codes";
            }
            json p = json::array();
            for (std::size_t i = 0; i < n; ++i) p.push_back({points.at({i, 0}), points.at({i, 1}), held_labels_[i]});
            return {{"points", p}, {"axes", axes}, {"classes", data::fashion_mnist_classes()}};
        }
        return Task::view(kind);
    }

    json encode(const std::vector<float>& pixels) override {
        if (pixels.size() != 784)
            throw PlaygroundError("encode: expected 784 pixels (28 x 28), got " + std::to_string(pixels.size()));
        NoGradGuard no_grad;
        const Tensor x = Tensor::from({1, 784}, pixels);
        const Tensor h = vae_ ? vae_->encode(Var::constant(x)).mu.value() : code(Var::constant(x)).value();
        return {{"code", to_vector(h)}, {"recon", to_vector(reconstruct(x))}};
    }

private:
    Tensor next_batch() {
        const std::size_t n = train_x_.rows();
        if (cursor_ == 0)  // a new epoch: a new order
            for (std::size_t i = n; i > 1; --i) std::swap(order_[i - 1], order_[rng_.below(i)]);
        const std::size_t end = std::min(n, cursor_ + config.batch);
        const std::vector<std::size_t> rows(order_.begin() + static_cast<std::ptrdiff_t>(cursor_),
                                            order_.begin() + static_cast<std::ptrdiff_t>(end));
        cursor_ = end == n ? 0 : end;
        return train_x_.gather_rows(rows);
    }
    Var code(const Var& x) const {
        const Var a = (*encoder_)(x);
        if (config.model == "k_sparse") return topk_mask(a, config.k);  // Makhzani & Frey: linear units, k largest kept
        return activate(config.activation, a);
    }
    Var decode(const Var& h) const { return sigmoid((*decoder_)(h)); }
    Tensor reconstruct(const Tensor& x) {
        if (vae_) return sigmoid(vae_->forward(Var::constant(x))).value();
        return decode(code(Var::constant(x))).value();
    }
    // The training objective of a batch: reconstruction error + the model's penalty.
    Var objective(const Var& x, bool training) {
        if (vae_) {
            const models::VaeLoss l = models::vae_loss(*vae_, x, rng_);
            return l.total();
        }
        Var input = x;
        if (noise_ && training) input = (*noise_)(x);
        const Var h = code(input);
        Var loss = mse(decode(h), x);
        if (config.model == "sparse_l1") loss = loss + config.l1 * l1_activity(h);
        if (config.model == "sparse_kl") loss = loss + config.kl_weight * kl_sparsity(h, config.kl_target);
        if (config.model == "contractive") loss = loss + config.contractive * contractive_penalty(h, encoder_->weight());
        return loss;
    }
    // The codes along their two main directions (PCA: the covariance's top eigenvectors).
    static Tensor project_2d(const Tensor& h) {
        if (h.cols() == 1) return Tensor::concat({h, Tensor::zeros({h.rows(), 1})}, 1);
        const Tensor centred = h - mean(h, 0, true);
        const Tensor cov = matmul(centred, centred, true, false) / static_cast<float>(h.rows());
        const Tensor top2 = symmetric_eigen(cov).vectors.slice_rows(0, 2);  // (2 x hidden)
        return matmul(centred, top2, false, true);
    }

    Rng rng_;
    Tensor train_x_, held_x_;
    std::vector<int> held_labels_;
    std::vector<std::size_t> order_;
    std::size_t cursor_ = 0;
    std::shared_ptr<Linear> encoder_, decoder_;
    std::shared_ptr<Module> noise_;
    std::unique_ptr<models::Vae> vae_;
    std::unique_ptr<Optimizer> opt_;
};

// ---------------------------------------------------------------------------------------
// The recommender: tutorial 03's residual autoencoder (models/recommender) on a ratings set,
// split 80/20; the loss is the masked MSE of the residuals, held_loss the RMSE on the 20%.
class RecommenderTask : public Task {
public:
    RecommenderTask(Config c, const data::RatingSet& set, std::optional<data::MovieCatalog> titles)
        : Task(std::move(c)), split_(data::random_split(set, 0.2, config.seed)), titles_(std::move(titles)), rng_(config.seed) {
        if (config.hidden == 0) config.hidden = 64;
        if (config.batch == 0) config.batch = 32;
        if (config.optimizer.empty()) config.optimizer = "adam";
        if (config.lr == 0) config.lr = config.optimizer == "sgd" ? 0.1f : 1e-3f;
        models::RecommenderSettings s;
        s.hidden = config.hidden;
        s.dropout = config.noise;
        s.batch = config.batch;
        const std::size_t users = split_.train.n_users(), items = split_.train.n_items();
        model_ = std::make_unique<models::ResidualAutoencoder>(users, items, s, rng_);
        model_->set_baseline(data::BiasModel::fit(split_.train.ratings, users, items));
        train_ = data::RatingMatrix::from(split_.train.ratings, users, items);
        for (std::size_t u = 0; u < users; ++u)
            if (!train_.by_user().row(u).empty()) order_.push_back(u);
        opt_ = make_optimizer(config.optimizer, model_->net->parameters(), config.lr);
    }
    std::string name() const override { return "recommender"; }
    json info() const override {
        return {{"n_train", split_.train.size()}, {"n_held", split_.test.size()}, {"params", model_->net->num_parameters()},
                {"users", split_.train.n_users()}, {"movies", split_.train.n_items()}};
    }
    std::size_t steps_per_epoch() const override { return (order_.size() + config.batch - 1) / config.batch; }

    float train_step() override {
        if (cursor_ == 0)
            for (std::size_t i = order_.size(); i > 1; --i) std::swap(order_[i - 1], order_[rng_.below(i)]);
        const std::size_t end = std::min(order_.size(), cursor_ + config.batch);
        const std::vector<std::size_t> users(order_.begin() + static_cast<std::ptrdiff_t>(cursor_),
                                             order_.begin() + static_cast<std::ptrdiff_t>(end));
        cursor_ = end == order_.size() ? 0 : end;
        model_->train();
        const Tensor r = model_->residuals(train_, users), rated = train_.observed_rows(users);
        Var loss = masked_mse((*model_)(Var::constant(r)), Var::constant(r), rated, MaskedMseOptions().mean_corrector(true));
        opt_->zero_grad();
        loss.backward();
        opt_->step();
        ++steps;
        return loss.item();
    }
    // RMSE of the predicted ratings on the held-out 20%.
    float held_loss() override {
        const Tensor p = predictions();
        return static_cast<float>(data::rmse(split_.test.ratings, [&](std::uint32_t u, std::uint32_t i) { return p.at({u, i}); }));
    }
    json view(const std::string& kind) override {
        if (kind == "ratings")
            return {{"users", split_.train.n_users()}, {"movies", split_.train.n_items()},
                    {"ratings", split_.train.size() + split_.test.size()}, {"source", split_.train.source}};
        return Task::view(kind);
    }
    json recommend(std::int64_t user, std::size_t k) override {
        std::uint32_t u;
        try {
            u = split_.train.users.index(user);
        } catch (const std::exception&) {
            throw PlaygroundError("recommend: no user " + std::to_string(user) + " in the ratings (user ids " +
                                  std::to_string(split_.train.users.raw(0)) + " to " +
                                  std::to_string(split_.train.users.raw(split_.train.n_users() - 1)) + ")");
        }
        const Tensor p = predictions();
        std::vector<bool> seen(split_.train.n_items(), false);
        for (auto [item, r] : train_.by_user().row(u)) seen[item] = true;
        std::vector<std::uint32_t> candidates;
        for (std::uint32_t i = 0; i < seen.size(); ++i)
            if (!seen[i]) candidates.push_back(i);
        const std::size_t n = std::min(k, candidates.size());
        std::partial_sort(candidates.begin(), candidates.begin() + static_cast<std::ptrdiff_t>(n), candidates.end(),
                          [&](std::uint32_t a, std::uint32_t b) { return p.at({u, a}) > p.at({u, b}); });
        json items = json::array();
        for (std::size_t j = 0; j < n; ++j) {
            const std::int64_t movie = split_.train.items.raw(candidates[j]);
            items.push_back({{"movie", movie},
                             {"title", titles_ ? titles_->title(movie) : "movie " + std::to_string(movie)},
                             {"predicted", p.at({u, candidates[j]})}});
        }
        return {{"user", user}, {"items", items}};
    }

private:
    Tensor predictions() {
        model_->eval();
        std::vector<std::size_t> all(split_.train.n_users());
        std::iota(all.begin(), all.end(), std::size_t{0});
        return model_->predict(train_, all);
    }

    data::Split split_;
    std::optional<data::MovieCatalog> titles_;
    Rng rng_;
    std::unique_ptr<models::ResidualAutoencoder> model_;
    data::RatingMatrix train_;
    std::vector<std::size_t> order_;
    std::size_t cursor_ = 0;
    std::unique_ptr<Optimizer> opt_;
};

// ---------------------------------------------------------------------------------------

namespace {
// Runs one call: its JSON answer with "ok": true, or {"ok": false, "error": the message}.
template <class F>
std::string answer(F&& call) {
    try {
        json out = call();
        out["ok"] = true;
        return out.dump();
    } catch (const std::exception& e) {
        return json{{"ok", false}, {"error", e.what()}}.dump();
    }
}
}  // namespace

struct Playground::State {
    Tensor images;
    std::vector<int> labels;
    std::optional<data::RatingSet> ratings;  // the last load_ratings
};

Playground::Playground() : state_(std::make_unique<State>()) {}
Playground::~Playground() = default;

std::string Playground::reset(const std::string& config_json) {
    return answer([&] {
        Config c = parse_config(config_json);
        if (c.task == "course") task_ = std::make_unique<CourseTask>(c);
        else if (c.task == "fashion") task_ = std::make_unique<FashionTask>(c, state_->images, state_->labels);
        else if (state_->ratings) task_ = std::make_unique<RecommenderTask>(c, *state_->ratings, std::nullopt);
        else {
            const data::SyntheticMovieLens syn = data::synthetic_movielens();
            task_ = std::make_unique<RecommenderTask>(c, syn.ratings, syn.movies);
        }
        json out = task_->info();
        out["task"] = task_->name();
        return out;
    });
}

Task& Playground::task(const char* call) {
    if (!task_) throw PlaygroundError(std::string(call) + ": no task yet; call reset(config) first");
    return *task_;
}

std::string Playground::scratch_file(const std::string& name) const {
    return scratch_dir_.empty() ? name : scratch_dir_ + "/" + name;
}

namespace {
void write_bytes(const std::string& path, const char* data, std::size_t size) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(data, static_cast<std::streamsize>(size));
    if (!out) throw PlaygroundError("cannot write the scratch file " + path);
}
}  // namespace

std::string Playground::load_images(const std::vector<std::uint8_t>& idx_images, const std::vector<std::uint8_t>& idx_labels) {
    return answer([&] {
        const std::string images = scratch_file("images-idx3-ubyte"), labels = scratch_file("labels-idx1-ubyte");
        write_bytes(images, reinterpret_cast<const char*>(idx_images.data()), idx_images.size());
        write_bytes(labels, reinterpret_cast<const char*>(idx_labels.data()), idx_labels.size());
        const Tensor x = data::load_idx_images(images);  // first, so that its errors come first
        return store_images(x, data::load_idx_labels(labels));
    });
}

std::string Playground::load_images(const Tensor& images, const std::vector<int>& labels) {
    return answer([&] { return store_images(images, labels); });
}

json Playground::store_images(const Tensor& images, const std::vector<int>& labels) {
    if (images.shape().rank() != 2 || images.cols() != 784)
        throw PlaygroundError("load_images: the images must be 28 x 28 (784 pixels each), got " + images.shape().str());
    if (labels.size() != images.rows())
        throw PlaygroundError("load_images: " + std::to_string(images.rows()) + " images but " + std::to_string(labels.size()) +
                              " labels");
    for (int label : labels)
        if (label < 0 || label > 9) throw PlaygroundError("load_images: label " + std::to_string(label) + " is not a class 0..9");
    state_->images = images;
    state_->labels = labels;
    return json{{"n", labels.size()}};
}

std::string Playground::train(int steps) {
    return answer([&] {
        Task& t = task("train");
        if (steps < 1) throw PlaygroundError("train: steps must be at least 1, got " + std::to_string(steps));
        const auto start = Clock::now();
        double total = 0;
        for (int i = 0; i < steps; ++i) {
            const float loss = t.train_step();
            if (!std::isfinite(loss))
                throw PlaygroundError("train: the loss became " + std::string(std::isnan(loss) ? "NaN" : "infinite") + " at step " +
                                      std::to_string(t.steps) + "; lower the learning rate and reset");
            total += loss;
        }
        const double seconds = seconds_since(start);
        return json{{"step", t.steps}, {"epoch", static_cast<double>(t.steps) / static_cast<double>(t.steps_per_epoch())},
                    {"loss", total / steps}, {"held_loss", t.held_loss()}, {"seconds", seconds}};
    });
}

std::string Playground::view(const std::string& kind) {
    return answer([&] { return task("view").view(kind); });
}
std::string Playground::forward() {
    return answer([&] { return task("forward").forward(); });
}
std::string Playground::backward_step() {
    return answer([&] { return task("backward_step").backward_step(); });
}
std::string Playground::apply_step() {
    return answer([&] { return json{{"loss", task("apply_step").apply_step()}}; });
}
std::string Playground::encode(const std::vector<float>& pixels) {
    return answer([&] { return task("encode").encode(pixels); });
}
std::string Playground::recommend(int user, int k) {
    return answer([&] {
        if (k < 1) throw PlaygroundError("recommend: k must be at least 1, got " + std::to_string(k));
        return task("recommend").recommend(user, static_cast<std::size_t>(k));
    });
}

std::string Playground::load_ratings(const std::string& csv) {
    return answer([&] {
        const std::string path = scratch_file("ratings.csv");
        write_bytes(path, csv.data(), csv.size());
        data::RatingSet set = data::load_movielens(path, data::MovieLensFormat::Csv);
        if (set.n_users() < 2 || set.size() < 10)
            throw PlaygroundError("load_ratings: " + std::to_string(set.size()) + " ratings of " + std::to_string(set.n_users()) +
                                  " users: the recommender needs at least 10 ratings of 2 users");
        json out = {{"users", set.n_users()}, {"movies", set.n_items()}, {"ratings", set.size()}};
        state_->ratings = std::move(set);
        return out;
    });
}

std::string Playground::bench(const std::string& task_name, int steps) {
    return answer([&] {
        if (steps < 1) throw PlaygroundError("bench: steps must be at least 1, got " + std::to_string(steps));
        Config c;
        c.task = task_name;
        std::unique_ptr<Task> t;
        if (task_name == "course") t = std::make_unique<CourseTask>(c);
        else if (task_name == "fashion") t = std::make_unique<FashionTask>(c, state_->images, state_->labels);
        else throw PlaygroundError("bench: task must be \"course\" or \"fashion\", got \"" + task_name + "\"");
        t->train_step();  // warm up: the first step allocates what the others reuse
        const auto start = Clock::now();
        for (int i = 0; i < steps; ++i) t->train_step();
        return json{{"step_us", 1e6 * seconds_since(start) / steps}, {"steps", steps}, {"task", task_name}};
    });
}

}  // namespace hg::playground
