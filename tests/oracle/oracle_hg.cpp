// oracle_hg — hourglass's half of the differential test against PyTorch (oracle.py).
//
// Reads jobs from stdin, one JSON object per line, and answers each with one line on
// stdout. A job is either
//   a graph:  {"id": 7, "nodes": [...], "seed": [...]}
//             nodes in topological order; node i is {"op": "leaf", "shape": [2,3], "v": [...]}
//             (a parameter), {"op": "const", ...} (a tensor: masks), or an op with "in": [node
//             indices] and its attributes ({"op": "sum_axis", "in": [0], "axis": 1, "keepdim": true}).
//             The last node is the output; backward() runs from it with the seed gradient.
//   a run of an optimiser: {"id": 9, "optim": "adam", "opts": {...}, "params": [...], "a": [...],
//             "c": [...], "steps": 20}: minimise Σ_k Σ a_k (p_k − c_k)⁴/4 + (p_k − c_k)²/2 and
//             report the parameters after every step.
// The answer is {"id", "shapes", "values", "grads"} (per node; null for consts and for nodes
// without a gradient), {"id", "steps": [[params after step 1], ...]}, or {"id", "error": "..."}
// when hourglass throws. Before each job it prints {"begin": id} and flushes, so the driver
// can tell which job a crash happened in.
#include <cmath>
#include <cstdio>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "autograd/anomaly.hpp"
#include "autograd/ops.hpp"
#include "autograd/loss.hpp"
#include "nn/adam.hpp"
#include "nn/optimizer.hpp"
#include "nn/rmsprop.hpp"
#include "nn/rprop.hpp"
#include "nn/sgd.hpp"

using hg::Shape;
using hg::Tensor;
using hg::Var;
using nlohmann::json;

namespace {

Shape shape_of(const json& dims) { return Shape(dims.get<std::vector<std::size_t>>()); }

Tensor tensor_of(const json& node) {
    const std::vector<double> v = node.at("v").get<std::vector<double>>();
    std::vector<float> f(v.begin(), v.end());
    return Tensor::from(shape_of(node.at("shape")), f);
}

// Floats as JSON numbers that read back to the same float (9 significant digits), with
// NaN and ±Infinity spelled as Python's json module reads them.
void put_floats(std::string& out, const float* x, std::size_t n) {
    out += '[';
    char buf[32];
    for (std::size_t i = 0; i < n; ++i) {
        if (i) out += ',';
        if (std::isnan(x[i])) out += "NaN";
        else if (std::isinf(x[i])) out += x[i] > 0 ? "Infinity" : "-Infinity";
        else {
            std::snprintf(buf, sizeof buf, "%.9g", static_cast<double>(x[i]));
            out += buf;
        }
    }
    out += ']';
}

void put_tensor(std::string& out, const Tensor& t) { put_floats(out, t.data(), t.numel()); }

void put_shape(std::string& out, const Shape& s) {
    out += '[';
    for (std::size_t d = 0; d < s.rank(); ++d) out += (d ? "," : "") + std::to_string(s[d]);
    out += ']';
}

// One op of the graph description, on already-built inputs.
Var apply(const json& node, const std::vector<Var>& in, const std::vector<Tensor>& consts, std::string& extra) {
    const std::string op = node.at("op");
    auto f = [&](const char* key) { return node.at(key).get<float>(); };
    auto z = [&](const char* key) { return node.at(key).get<std::size_t>(); };
    auto i = [&](const char* key) { return node.at(key).get<int>(); };
    auto c = [&](std::size_t k) -> const Tensor& { return consts.at(node.at("in").at(k).get<std::size_t>()); };

    if (op == "add") return hg::add(in[0], in[1]);
    if (op == "sub") return hg::sub(in[0], in[1]);
    if (op == "mul") return hg::mul(in[0], in[1]);
    if (op == "div") return hg::div(in[0], in[1]);
    if (op == "op+") return in[0] + in[1];
    if (op == "op-") return in[0] - in[1];
    if (op == "op*") return in[0] * in[1];
    if (op == "op/") return in[0] / in[1];
    if (op == "neg") return hg::neg(in[0]);
    if (op == "op_neg") return -in[0];
    if (op == "scale") return hg::scale(in[0], f("s"));
    if (op == "add_scalar") return hg::add_scalar(in[0], f("s"));
    if (op == "x+s") return in[0] + f("s");
    if (op == "s+x") return f("s") + in[0];
    if (op == "x-s") return in[0] - f("s");
    if (op == "s-x") return f("s") - in[0];
    if (op == "x*s") return in[0] * f("s");
    if (op == "s*x") return f("s") * in[0];
    if (op == "x/s") return in[0] / f("s");
    if (op == "pow") return hg::pow(in[0], f("p"));
    if (op == "square") return hg::square(in[0]);
    if (op == "exp") return hg::exp(in[0]);
    if (op == "log") return hg::log(in[0]);
    if (op == "sqrt") return hg::sqrt(in[0]);
    if (op == "abs") return hg::abs(in[0]);
    if (op == "mask") return hg::mask(in[0], c(1));
    if (op == "matmul") return hg::matmul(in[0], in[1]);
    if (op == "transpose") return hg::transpose(in[0]);
    if (op == "reshape") return hg::reshape(in[0], shape_of(node.at("shape")));
    if (op == "concat") return hg::concat(in, i("axis"));
    if (op == "sum") return hg::sum(in[0]);
    if (op == "mean") return hg::mean(in[0]);
    if (op == "sum_axis") return hg::sum(in[0], i("axis"), node.at("keepdim").get<bool>());
    if (op == "mean_axis") return hg::mean(in[0], i("axis"), node.at("keepdim").get<bool>());
    if (op == "sigmoid") return hg::sigmoid(in[0]);
    if (op == "tanh") return hg::tanh(in[0]);
    if (op == "relu") return hg::relu(in[0]);
    if (op == "leaky_relu") return hg::leaky_relu(in[0], f("slope"));
    if (op == "elu") return hg::elu(in[0], f("alpha"));
    if (op == "selu") return hg::selu(in[0]);
    if (op == "softplus") return hg::softplus(in[0]);
    if (op == "gelu") return hg::gelu(in[0]);
    if (op == "softmax") return hg::softmax(in[0]);
    if (op == "log_softmax") return hg::log_softmax(in[0]);
    if (op == "topk_mask") return hg::topk_mask(in[0], z("k"));
    if (op == "dropout") {
        // The mask is hourglass's own draw; the same stream, replayed, tells the driver which
        // entries were dropped, so PyTorch can apply that mask.
        hg::Rng rng(node.at("seed").get<std::uint64_t>()), replay = rng;
        const float p = f("p");
        std::vector<float> keep(in[0].value().numel());
        for (float& k : keep) k = replay.bernoulli(p) ? 0.0f : 1.0f;
        put_floats(extra, keep.data(), keep.size());
        return hg::dropout(in[0], p, rng);
    }
    if (op == "conv2d")
        return in.size() == 3 ? hg::conv2d(in[0], in[1], in[2], z("stride"), z("padding"))
                              : hg::conv2d(in[0], in[1], z("stride"), z("padding"));
    if (op == "max_pool2d") return hg::max_pool2d(in[0], z("size"));
    if (op == "upsample2d") return hg::upsample2d(in[0], z("factor"));
    if (op == "linear") return in.size() == 3 ? hg::linear(in[0], in[1], in[2]) : hg::linear(in[0], in[1]);
    if (op == "mse") return hg::mse(in[0], in[1]);
    if (op == "masked_mse")
        return hg::masked_mse(in[0], in[1], c(2), hg::MaskedMseOptions().mean_corrector(node.at("corrector").get<bool>()));
    if (op == "bce") return hg::bce(in[0], in[1]);
    if (op == "bce_with_logits") return hg::bce_with_logits(in[0], in[1]);
    if (op == "cross_entropy") return hg::cross_entropy(in[0], node.at("labels").get<std::vector<int>>());
    if (op == "l1_activity") return hg::l1_activity(in[0]);
    if (op == "kl_sparsity") return hg::kl_sparsity(in[0], f("rho"));
    if (op == "contractive_penalty") return hg::contractive_penalty(in[0], in[1]);
    if (op == "vae_kl") return hg::vae_kl(in[0], in[1]);
    if (op == "reparameterise") {
        // ε is hourglass's own N(0, 1) draw (one per entry of μ, in order); replayed for the driver.
        hg::Rng rng(node.at("seed").get<std::uint64_t>()), replay = rng;
        const Tensor eps = Tensor::normal(in[0].shape(), 0.0f, 1.0f, replay);
        put_tensor(extra, eps);
        return hg::reparameterise(in[0], in[1], rng);
    }
    throw std::runtime_error("oracle_hg: unknown op '" + op + "'");
}

std::string run_graph(const json& job) {
    const json& nodes = job.at("nodes");
    std::vector<Var> vars(nodes.size());
    std::vector<Tensor> consts(nodes.size());
    std::vector<bool> is_const(nodes.size(), false);
    std::vector<std::string> extras(nodes.size());
    for (std::size_t k = 0; k < nodes.size(); ++k) {
        const json& node = nodes[k];
        const std::string op = node.at("op");
        if (op == "leaf") {
            vars[k] = Var::parameter(tensor_of(node));
        } else if (op == "const") {
            consts[k] = tensor_of(node);
            is_const[k] = true;
        } else {
            std::vector<Var> in;
            for (const json& j : node.at("in")) {
                const std::size_t a = j.get<std::size_t>();
                if (!is_const[a]) in.push_back(vars[a]);
            }
            vars[k] = apply(node, in, consts, extras[k]);
        }
    }
    Var& out = vars.back();
    const std::vector<double> s = job.at("seed").get<std::vector<double>>();
    out.backward(Tensor::from(out.shape(), std::vector<float>(s.begin(), s.end())));

    std::string r = "{\"id\":" + job.at("id").dump() + ",\"shapes\":[";
    for (std::size_t k = 0; k < nodes.size(); ++k) {
        if (k) r += ',';
        if (is_const[k]) r += "null";
        else put_shape(r, vars[k].shape());
    }
    r += "],\"values\":[";
    for (std::size_t k = 0; k < nodes.size(); ++k) {
        if (k) r += ',';
        if (is_const[k]) r += "null";
        else put_tensor(r, vars[k].value());
    }
    r += "],\"grads\":[";
    for (std::size_t k = 0; k < nodes.size(); ++k) {
        if (k) r += ',';
        if (is_const[k] || !vars[k].requires_grad()) r += "null";
        else put_tensor(r, vars[k].grad());
    }
    r += "],\"extra\":{";
    bool first = true;
    for (std::size_t k = 0; k < nodes.size(); ++k) {
        if (extras[k].empty()) continue;
        r += (first ? "\"" : ",\"") + std::to_string(k) + "\":" + extras[k];
        first = false;
    }
    return r + "}}";
}

std::unique_ptr<hg::Optimizer> make_optimizer(const json& job, std::vector<Var> params) {
    const std::string name = job.at("optim");
    const json& o = job.at("opts");
    auto f = [&](const char* key, float dflt) { return o.contains(key) ? o.at(key).get<float>() : dflt; };
    if (name == "sgd")
        return std::make_unique<hg::SGD>(params, hg::SGDOptions(f("lr", 0.1f))
                                                     .momentum(f("momentum", 0.0f))
                                                     .dampening(f("dampening", 0.0f))
                                                     .weight_decay(f("weight_decay", 0.0f))
                                                     .nesterov(o.value("nesterov", false)));
    if (name == "rmsprop")
        return std::make_unique<hg::RMSprop>(params, hg::RMSpropOptions(f("lr", 0.01f))
                                                         .alpha(f("alpha", 0.99f))
                                                         .eps(f("eps", 1e-8f))
                                                         .weight_decay(f("weight_decay", 0.0f))
                                                         .momentum(f("momentum", 0.0f))
                                                         .centered(o.value("centered", false)));
    const hg::AdamOptions adam = hg::AdamOptions(f("lr", 1e-3f))
                                     .betas(f("beta1", 0.9f), f("beta2", 0.999f))
                                     .eps(f("eps", 1e-8f))
                                     .weight_decay(f("weight_decay", 0.0f));
    if (name == "adam") return std::make_unique<hg::Adam>(params, adam);
    if (name == "adamw") return std::make_unique<hg::AdamW>(params, adam);
    if (name == "rprop")
        return std::make_unique<hg::Rprop>(params, hg::RpropOptions(f("lr", 0.01f))
                                                       .etas(f("eta_minus", 0.5f), f("eta_plus", 1.2f))
                                                       .step_sizes(f("step_min", 1e-6f), f("step_max", 50.0f)));
    throw std::runtime_error("oracle_hg: unknown optimiser '" + name + "'");
}

std::string run_optimizer(const json& job) {
    std::vector<Var> params, a, c;
    for (const json& p : job.at("params")) params.push_back(Var::parameter(tensor_of(p)));
    for (const json& t : job.at("a")) a.push_back(Var::constant(tensor_of(t)));
    for (const json& t : job.at("c")) c.push_back(Var::constant(tensor_of(t)));
    auto opt = make_optimizer(job, params);
    std::string r = "{\"id\":" + job.at("id").dump() + ",\"steps\":[";
    const int steps = job.at("steps").get<int>();
    for (int s = 0; s < steps; ++s) {
        Var loss = Var::constant(Tensor::scalar(0.0f));
        for (std::size_t k = 0; k < params.size(); ++k) {
            Var d = params[k] - c[k];
            Var d2 = hg::square(d);
            loss = loss + hg::sum(a[k] * hg::square(d2) * 0.25f + d2 * 0.5f);
        }
        opt->zero_grad();
        loss.backward();
        opt->step();
        r += s ? ",[" : "[";
        for (std::size_t k = 0; k < params.size(); ++k) {
            if (k) r += ',';
            put_tensor(r, params[k].value());
        }
        r += ']';
    }
    return r + "]}";
}

}  // namespace

int main() {
    hg::set_anomaly_mode(false);  // NaN and Inf are answers to compare here, not reasons to stop
    std::string line;
    while (std::getline(std::cin, line)) {
        if (line.empty()) continue;
        const json job = json::parse(line);
        std::cout << "{\"begin\":" << job.at("id").dump() << "}" << std::endl;
        std::string answer;
        try {
            answer = job.contains("optim") ? run_optimizer(job) : run_graph(job);
        } catch (const std::exception& e) {
            answer = json{{"id", job.at("id")}, {"error", e.what()}}.dump();
        }
        std::cout << answer << std::endl;
    }
    return 0;
}
