#include "autograd/dot.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>
#include <unordered_map>

#include "tensor/format.hpp"

namespace hg {

namespace {

std::string first_values(const Tensor& t, std::size_t shown) {
    std::string s = "[";
    for (std::size_t i = 0; i < std::min(shown, t.numel()); ++i) s += (i ? ", " : "") + format_number(t[i], 4);
    return s + (t.numel() > shown ? ", ...]" : "]");
}

std::string escape(const std::string& s) {
    std::string out;
    for (char c : s) {
        if (c == '"' || c == '\\' || c == '{' || c == '}' || c == '|' || c == '<' || c == '>') out += '\\';
        out += c;
    }
    return out;
}

}  // namespace

std::string to_dot(const Var& root, std::size_t shown) {
    const VarList order = topological_order(root);
    std::unordered_map<Node*, std::size_t> id;
    for (std::size_t i = 0; i < order.size(); ++i) id[order[i].node()] = i;

    std::string s = "digraph hourglass {\n  rankdir=LR;\n  node [shape=record, fontname=\"monospace\", fontsize=10];\n";
    for (const Var& v : order) {
        const Node* n = v.node();
        std::string title = n->name.empty() ? n->op : n->name + " (" + n->op + ")";
        std::string label = escape(title) + "|" + escape(n->value.shape().str()) +
                            "|value " + escape(first_values(n->value, shown));
        if (n->has_grad) label += "|grad " + escape(first_values(n->grad, shown));
        const char* fill = n->op == "leaf" ? (n->requires_grad ? "lightblue" : "lightgrey") : "white";
        s += "  n" + std::to_string(id[v.node()]) + " [label=\"{" + label + "}\", style=filled, fillcolor=" + fill + "];\n";
    }
    for (const Var& v : order)
        for (const Var& in : v.inputs())
            s += "  n" + std::to_string(id[in.node()]) + " -> n" + std::to_string(id[v.node()]) + ";\n";
    return s + "}\n";
}

void write_dot(const Var& root, const std::string& path, std::size_t shown) {
    const std::string tmp = path + ".tmp";
    {
        std::ofstream f(tmp);
        if (!f) throw std::runtime_error("write_dot: cannot open '" + tmp + "' for writing");
        f << to_dot(root, shown);
        if (!f) throw std::runtime_error("write_dot: writing '" + tmp + "' failed");
    }
    std::filesystem::rename(tmp, path);
}

}  // namespace hg
