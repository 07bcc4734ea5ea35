#include "nn/checkpoint.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>

#include "tensor/error.hpp"

namespace hg {

namespace {

const char* const kFormat = "hourglass-checkpoint-1";
constexpr std::size_t kMaxEpoch = 2147483647;  // INT_MAX

[[noreturn]] void fail(const std::string& path, const std::string& what) {
    throw SafetensorsError("checkpoint '" + path + "': " + what);
}

std::string rng_text(const Rng& r) {
    std::string s;
    for (std::uint64_t w : r.state()) s += (s.empty() ? "" : " ") + std::to_string(w);
    return s;
}

bool parse_rng(const std::string& text, Rng::State& out) {
    std::size_t pos = 0, k = 0;
    while (k < out.size()) {
        if (pos >= text.size() || !std::isdigit(static_cast<unsigned char>(text[pos]))) return false;
        std::size_t used = 0;
        try {
            out[k++] = std::stoull(text.substr(pos), &used);
        } catch (const std::exception&) {
            return false;
        }
        pos += used;
        if (k < out.size()) {
            if (pos >= text.size() || text[pos] != ' ') return false;
            ++pos;
        }
    }
    return pos == text.size();
}

std::size_t parse_epoch(const std::string& path, const std::map<std::string, std::string>& meta) {
    const auto f = meta.find("format");
    if (f == meta.end() || f->second != kFormat)
        fail(path, "not a checkpoint (its metadata has no \"format\": \"" + std::string(kFormat) +
                       "\"; a model saved with hg::save loads with hg::load)");
    const auto e = meta.find("epoch");
    if (e == meta.end()) fail(path, "the epoch is missing");
    if (e->second.empty() || e->second.find_first_not_of("0123456789") != std::string::npos)
        fail(path, "the epoch is not a count (got \"" + e->second.substr(0, 40) + "\")");
    // An epoch count fits an int everywhere it is used; a larger one is a damaged file.
    if (e->second.size() > 10 || std::stoull(e->second) > kMaxEpoch)
        fail(path, "the epoch " + e->second.substr(0, 40) + " is larger than any run makes (at most " +
                       std::to_string(kMaxEpoch) + ")");
    return std::stoull(e->second);
}

// Values under "prefix/" with the prefix removed.
std::map<std::string, std::string> under(const std::map<std::string, std::string>& meta, const std::string& prefix) {
    std::map<std::string, std::string> out;
    for (const auto& [k, v] : meta)
        if (k.compare(0, prefix.size(), prefix) == 0) out[k.substr(prefix.size())] = v;
    return out;
}

}  // namespace

Checkpoint::Checkpoint(Module& model, Optimizer& optimizer)
    : model_(model), optimizer_(optimizer), rngs_(model.named_rngs()) {}

Checkpoint& Checkpoint::rng(const std::string& name, Rng& rng) {
    for (const auto& [n, r] : rngs_)
        if (n == name) throw ValueError("Checkpoint::rng: there is already a random stream named '" + name + "'");
    rngs_.emplace_back(name, &rng);
    return *this;
}

void Checkpoint::save(const std::string& path, std::size_t epoch, const std::map<std::string, std::string>& extra) const {
    NamedTensors tensors;
    for (const auto& [name, v] : model_.state()) tensors.emplace_back("model/" + name, v.value());
    // The gradients too: a loop that lets them accumulate across steps (the course's
    // recipe in tutorial 03 never zeroes them) carries state in them.
    for (const auto& [name, v] : model_.named_parameters())
        if (v.has_grad()) tensors.emplace_back("grad/" + name, v.grad());
    OptimizerState opt = optimizer_.state();
    for (auto& [key, t] : opt.tensors) tensors.emplace_back("optimizer/" + key, std::move(t));
    std::map<std::string, std::string> meta{{"format", kFormat}, {"epoch", std::to_string(epoch)}};
    for (const auto& [k, v] : opt.values) meta["optimizer/" + k] = v;
    for (const auto& [name, r] : rngs_) meta["rng/" + name] = rng_text(*r);
    for (const auto& [k, v] : extra) meta["extra/" + k] = v;
    save_safetensors(path, tensors, meta);  // temporary file, fsync, rename, fsync of the folder
}

std::size_t Checkpoint::load(const std::string& path, std::map<std::string, std::string>* extra) {
    SafetensorsFile file = read_safetensors(path);
    const std::size_t epoch = parse_epoch(path, file.metadata);

    // 1. Check everything: the model's tensors, the random streams, the optimiser.
    std::vector<NamedVar> state = model_.state();
    std::vector<std::pair<Var, const Tensor*>> plan, grads;
    const std::vector<NamedVar> params = model_.named_parameters();
    OptimizerState opt;
    opt.values = under(file.metadata, "optimizer/");
    for (const auto& [name, t] : file.tensors) {
        if (name.rfind("optimizer/", 0) == 0) {
            opt.tensors.emplace_back(name.substr(10), t);
        } else if (name.rfind("model/", 0) == 0) {
            const std::string model_name = name.substr(6);
            const auto it = std::find_if(state.begin(), state.end(), [&](const NamedVar& nv) { return nv.first == model_name; });
            if (it == state.end()) fail(path, "'" + name + "' is not in the model " + model_.type_name());
            if (!(it->second.shape() == t.shape()))
                fail(path, "'" + name + "' is " + t.shape().str() + " in the file but " + it->second.shape().str() +
                               " in the model");
            plan.emplace_back(it->second, &t);
        } else if (name.rfind("grad/", 0) == 0) {
            const std::string param = name.substr(5);
            const auto it = std::find_if(params.begin(), params.end(), [&](const NamedVar& nv) { return nv.first == param; });
            if (it == params.end() || !(it->second.shape() == t.shape()))
                fail(path, "'" + name + "' is the gradient of no parameter of that shape in the model " + model_.type_name());
            grads.emplace_back(it->second, &t);
        } else {
            fail(path, "unexpected tensor '" + name + "' (not model/, grad/ or optimizer/)");
        }
    }
    if (plan.size() != state.size())
        fail(path, "it holds " + std::to_string(plan.size()) + " of the model's " + std::to_string(state.size()) +
                       " tensors (a checkpoint of another model?)");
    std::vector<std::pair<Rng*, Rng::State>> rngs;
    for (const auto& [name, r] : rngs_) {
        const auto it = file.metadata.find("rng/" + name);
        Rng::State s{};
        if (it == file.metadata.end()) fail(path, "no random stream '" + name + "'");
        if (!parse_rng(it->second, s) || (s[0] | s[1] | s[2] | s[3]) == 0 || s[4] > 1 || s[5] > 0xffffffffu)
            fail(path, "random stream '" + name + "' is not a generator state: '" + it->second + "'");
        rngs.emplace_back(r, s);
    }
    // The optimiser checks its own state and throws before changing anything; it goes
    // first of the changes so that a mismatch leaves the model untouched too.
    optimizer_.load_state(opt);

    // 2. Apply.
    for (auto& [v, t] : plan) std::memcpy(v.mutable_value().data(), t->data(), t->numel() * sizeof(float));
    for (const auto& [name, p] : params) {
        Var v = p;
        v.zero_grad();
    }
    for (auto& [v, t] : grads) std::memcpy(v.grad().data(), t->data(), t->numel() * sizeof(float));
    for (auto& [r, s] : rngs) r->set_state(s);
    if (extra) *extra = under(file.metadata, "extra/");
    return epoch;
}

bool checkpoint_exists(const std::string& path) {
    std::error_code ec;
    return std::filesystem::is_regular_file(path, ec);
}

std::pair<std::size_t, std::map<std::string, std::string>> checkpoint_info(const std::string& path) {
    const SafetensorsFile file = read_safetensors(path);
    return {parse_epoch(path, file.metadata), under(file.metadata, "extra/")};
}

namespace {
// The value as a whole finite number, if it is exactly one (strtod's syntax, no spaces).
bool read_number(const std::string& text, double& x) {
    if (text.empty() || std::isspace(static_cast<unsigned char>(text[0]))) return false;
    char* end = nullptr;
    x = std::strtod(text.c_str(), &end);
    return *end == '\0' && std::isfinite(x);
}

// The start of a value, for a message: a damaged file's value can be megabytes long.
std::string quoted(const std::string& value) {
    return "\"" + value.substr(0, 40) + (value.size() > 40 ? "...\"" : "\"");
}
}  // namespace

const std::string& checkpoint_text(const std::string& path, const CheckpointExtras& extra, const std::string& key) {
    const auto it = extra.find(key);
    if (it == extra.end()) fail(path, "extra/" + key + " is missing (a checkpoint of another program, or of an older hourglass?)");
    return it->second;
}

double checkpoint_number(const std::string& path, const CheckpointExtras& extra, const std::string& key) {
    const std::string& text = checkpoint_text(path, extra, key);
    double x = 0;
    if (!read_number(text, x)) fail(path, "extra/" + key + " is not a finite number (got " + quoted(text) + ")");
    return x;
}

int checkpoint_count(const std::string& path, const CheckpointExtras& extra, const std::string& key) {
    const std::string& text = checkpoint_text(path, extra, key);
    if (text.empty() || text.size() > 10 || text.find_first_not_of("0123456789") != std::string::npos ||
        std::stoull(text) > kMaxEpoch)
        fail(path, "extra/" + key + " is not a count from 0 to " + std::to_string(kMaxEpoch) + " (got " + quoted(text) + ")");
    return static_cast<int>(std::stoull(text));
}

std::vector<double> checkpoint_numbers(const std::string& path, const CheckpointExtras& extra, const std::string& key,
                                       std::size_t count) {
    const std::string& text = checkpoint_text(path, extra, key);
    std::vector<double> values;
    for (std::size_t start = 0; !text.empty();) {
        const std::size_t space = std::min(text.find(' ', start), text.size());
        double x = 0;
        if (!read_number(text.substr(start, space - start), x))
            fail(path, "extra/" + key + " is not a list of finite numbers separated by single spaces (at " +
                           quoted(text.substr(start)) + ")");
        values.push_back(x);
        if (space == text.size()) break;
        start = space + 1;
    }
    if (values.size() != count)
        fail(path, "extra/" + key + " holds " + std::to_string(values.size()) + " numbers, not " + std::to_string(count));
    return values;
}

void check_checkpoint_settings(const std::string& path, const CheckpointExtras& extra,
                               const std::map<std::string, std::string>& run) {
    std::string saved, ours;
    for (const auto& [key, value] : run) {
        const std::string& theirs = checkpoint_text(path, extra, key);
        if (theirs == value) continue;
        saved += (saved.empty() ? "" : ", ") + key + "=" + quoted(theirs);
        ours += (ours.empty() ? "" : ", ") + key + "=" + quoted(value);
    }
    if (!saved.empty())
        throw ValueError("checkpoint '" + path + "' was saved by a run with " + saved + "; this run has " + ours +
                         ": resume with the same settings, or delete the checkpoint to start again");
}

}  // namespace hg
