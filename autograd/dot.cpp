#include "autograd/dot.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>
#include <unordered_map>
#include <vector>

#include "tensor/format.hpp"

namespace hg {

namespace {

std::string first_values(const Tensor& t, std::size_t shown) {
    std::string s = "[";
    for (std::size_t i = 0; i < std::min(shown, t.numel()); ++i) s += (i ? ", " : "") + format_number(t[i], 4);
    return s + (t.numel() > shown ? ", ...]" : "]");
}

// Text inside a record label, where { } | < > lay out fields, and inside a quoted string.
std::string escape_record(const std::string& s) {
    std::string out;
    for (char c : s) {
        if (c == '"' || c == '\\' || c == '{' || c == '}' || c == '|' || c == '<' || c == '>') out += '\\';
        out += c;
    }
    return out;
}
std::string escape_plain(const std::string& s) {
    std::string out;
    for (char c : s) {
        if (c == '"' || c == '\\') out += '\\';
        out += c;
    }
    return out;
}

// One node statement. A node that needs no gradient is a constant: a page with its name (or,
// for one an op computed from constants only, that op) and its value. The others are records:
// title, shape, value, grad, stacked top to bottom.
std::string node_line(const Node& n, const std::string& id, std::size_t shown) {
    const std::string shape = n.value.shape().str(), value = "value " + first_values(n.value, shown);
    if (!n.requires_grad) {
        const std::string what = n.op == "leaf" ? "constant" : "constant, computed by " + n.op;
        const std::string title = n.name.empty() ? what : n.name + " (" + what + ")";
        return "  " + id + " [shape=note, fillcolor=lightgrey, label=\"" + escape_plain(title) + "\\n" +
               escape_plain(shape) + "\\n" + escape_plain(value) + "\"];\n";
    }
    const std::string title = n.name.empty() ? n.op : n.name + " (" + n.op + ")";
    std::string label = escape_record(title) + "|" + escape_record(shape) + "|" + escape_record(value);
    if (n.has_grad) label += "|grad " + escape_record(first_values(n.grad, shown));
    const char* fill = n.op == "leaf" ? "lightblue" : "white";
    return "  " + id + " [shape=record, fillcolor=" + fill + ", label=\"{" + label + "}\"];\n";
}

}  // namespace

std::string to_dot(const Var& root, std::size_t shown) {
    const VarList order = topological_order(root);
    std::unordered_map<const Node*, std::string> id;
    for (std::size_t i = 0; i < order.size(); ++i) id[order[i].node()] = "n" + std::to_string(i);

    // Each call of a composite op and the nodes it recorded, in the order the graph first reaches them.
    struct Call {
        const char* name;
        std::string nodes;
    };
    std::vector<Call> calls;
    std::unordered_map<std::uint64_t, std::size_t> call_index;  // a call's number -> its place in calls
    std::string s =
        "digraph hourglass {\n  rankdir=TB;\n  node [fontname=\"monospace\", fontsize=10, style=filled];\n"
        "  label=\"blue: parameters   grey pages: constants (no gradient)   white: ops\\l"
        "dashed box: a composite op as the code called it, around the ops it recorded\\l\";\n"
        "  fontname=\"monospace\"; fontsize=10;\n";
    for (const Var& v : order) {
        const Node& n = *v.node();
        const std::string line = node_line(n, id[&n], shown);
        if (n.composite == nullptr || !n.requires_grad) {
            s += line;
            continue;
        }
        const auto [at, first] = call_index.try_emplace(n.composite_call, calls.size());
        if (first) calls.push_back(Call{n.composite, ""});
        calls[at->second].nodes += "  " + line;
    }
    for (std::size_t c = 0; c < calls.size(); ++c)
        s += "  subgraph cluster_" + std::to_string(c) + " {\n    label=\"" + escape_plain(calls[c].name) +
             "\"; labeljust=l; style=dashed;\n" + calls[c].nodes + "  }\n";
    for (const Var& v : order)
        for (const Var& in : v.inputs()) s += "  " + id[in.node()] + " -> " + id[v.node()] + ";\n";
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
