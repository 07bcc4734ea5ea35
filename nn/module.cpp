#include "nn/module.hpp"

#include <algorithm>
#include <ostream>

#include "tensor/error.hpp"

namespace hg {

std::string with_thousands(std::size_t n) {
    std::string digits = std::to_string(n), out;
    for (std::size_t i = 0; i < digits.size(); ++i) {
        if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
        out += digits[i];
    }
    return out;
}

void Module::check_new_name(const std::string& name, const char* what) const {
    const std::string where = type_name_ + (path_.empty() ? "" : " '" + path_ + "'");
    if (name.empty() || name.find('.') != std::string::npos)
        throw ValueError(std::string("register_") + what + ": " + where + ": the name '" + name +
                         "' must be non-empty and contain no '.' (dots join names into paths)");
    for (const auto& [n, v] : params_)
        if (n == name) throw ValueError(std::string("register_") + what + ": " + where + " already has a parameter '" + name + "'");
    for (const auto& [n, b] : buffers_)
        if (n == name) throw ValueError(std::string("register_") + what + ": " + where + " already has a buffer '" + name + "'");
    for (const auto& [n, m] : children_)
        if (n == name) throw ValueError(std::string("register_") + what + ": " + where + " already has a module '" + name + "'");
}

Var Module::register_parameter(const std::string& name, Tensor value) {
    return register_parameter(name, Var::parameter(std::move(value)));
}

Var Module::register_parameter(const std::string& name, Var parameter) {
    check_new_name(name, "parameter");
    if (!parameter.requires_grad() || !parameter.inputs().empty())
        throw ValueError("register_parameter: '" + name + "' of " + type_name_ +
                         " must be a trainable leaf (make it with Var::parameter)");
    parameter.set_name(path_.empty() ? name : path_ + "." + name);
    params_.emplace_back(name, parameter);
    return parameter;
}

Var Module::register_buffer(const std::string& name, Tensor value) {
    check_new_name(name, "buffer");
    Var buffer = Var::constant(std::move(value), path_.empty() ? name : path_ + "." + name);
    buffers_.emplace_back(name, buffer);
    return buffer;
}

void Module::adopt(const std::string& name, std::shared_ptr<Module> module) {
    if (!module) throw ValueError("register_module: " + type_name_ + ": the module '" + name + "' is null");
    if (module.get() == this) throw ValueError("register_module: " + type_name_ + " cannot contain itself");
    check_new_name(name, "module");
    module->set_path(path_.empty() ? name : path_ + "." + name);
    children_.emplace_back(name, std::move(module));
}

void Module::set_path(const std::string& path) {
    path_ = path;
    for (auto& [name, p] : params_) p.set_name(path_.empty() ? name : path_ + "." + name);
    for (auto& [name, b] : buffers_) b.set_name(path_.empty() ? name : path_ + "." + name);
    for (auto& [name, child] : children_) child->set_path(path_.empty() ? name : path_ + "." + name);
}

void Module::collect(std::vector<NamedVar>& out, const std::string& prefix, std::vector<const Node*>& seen,
                     bool buffers) const {
    for (const auto& [name, p] : buffers ? buffers_ : params_) {
        if (std::find(seen.begin(), seen.end(), p.node()) != seen.end()) continue;  // shared: listed once
        seen.push_back(p.node());
        out.emplace_back(prefix + name, p);
    }
    for (const auto& [name, child] : children_) child->collect(out, prefix + name + ".", seen, buffers);
}

std::vector<NamedVar> Module::named_parameters() const {
    std::vector<NamedVar> out;
    std::vector<const Node*> seen;
    collect(out, "", seen, false);
    return out;
}

std::vector<NamedVar> Module::named_buffers() const {
    std::vector<NamedVar> out;
    std::vector<const Node*> seen;
    collect(out, "", seen, true);
    return out;
}

std::vector<NamedVar> Module::state() const {
    std::vector<NamedVar> out = named_parameters();
    for (NamedVar& b : named_buffers()) out.push_back(std::move(b));
    return out;
}

void Module::register_rng(const std::string& name, Rng& rng) {
    check_new_name(name, "rng");
    for (const auto& [n, r] : rngs_)
        if (n == name) throw ValueError("register_rng: " + type_name_ + " already has a random stream '" + name + "'");
    rngs_.emplace_back(name, &rng);
}

std::vector<std::pair<std::string, Rng*>> Module::named_rngs() {
    std::vector<std::pair<std::string, Rng*>> out;
    for (const auto& [name, r] : rngs_) out.emplace_back(path_.empty() ? name : path_ + "." + name, r);
    for (const auto& [name, child] : children_)
        for (auto& nr : child->named_rngs())
            if (std::none_of(out.begin(), out.end(), [&](const auto& o) { return o.second == nr.second; }))
                out.push_back(std::move(nr));  // a module shared twice: listed once
    return out;
}

std::vector<Var> Module::parameters() const {
    std::vector<Var> out;
    for (auto& [name, p] : named_parameters()) out.push_back(p);
    return out;
}

std::size_t Module::num_parameters() const {
    std::size_t n = 0;
    for (const auto& [name, p] : named_parameters()) n += p.value().numel();
    return n;
}

void Module::zero_grad() {
    for (Var& p : parameters()) p.zero_grad();
}

void Module::train(bool on) {
    training_ = on;
    for (auto& [name, child] : children_) child->train(on);
}

void Module::print(std::string& out, std::size_t indent) const {
    // A leaf layer is one line: "Linear(in=8, out=3, bias)  weight (3x8), bias (3)  27 params".
    // A container opens "Sequential(", lists its children one per line, and closes with ")"
    // and the total of the whole subtree.
    out += type_name_ + "(" + describe();
    if (children_.empty()) out += ")";
    std::size_t own = 0;
    for (std::size_t i = 0; i < params_.size(); ++i) {
        out += (i ? ", " : "  ") + params_[i].first + " " + params_[i].second.shape().str();
        own += params_[i].second.value().numel();
    }
    for (std::size_t i = 0; i < buffers_.size(); ++i)
        out += (i || !params_.empty() ? ", " : "  ") + ("buffer " + buffers_[i].first) + " " + buffers_[i].second.shape().str();
    if (children_.empty()) {
        if (own) out += "  " + with_thousands(own) + " params";
        return;
    }
    out += "\n";
    const std::string pad(indent + 2, ' ');
    for (const auto& [name, child] : children_) {
        out += pad + "(" + name + "): ";
        child->print(out, indent + 2);
        out += "\n";
    }
    out += std::string(indent, ' ') + ")";
    if (const std::size_t total = num_parameters()) out += "  " + with_thousands(total) + " params";
}

std::string Module::str() const {
    std::string out;
    print(out, 0);
    return out;
}

std::ostream& operator<<(std::ostream& os, const Module& m) { return os << m.str(); }

}  // namespace hg
