// Graphviz export of a graph: one box per node with its op (or name), shape and its
// first few values and gradients; arrows from inputs to the ops that use them.
//
//   hg::Var loss = ...;
//   loss.backward(true);                 // keep the graph so it can still be drawn
//   hg::write_dot(loss, "graph.dot");    // then: dot -Tsvg graph.dot -o graph.svg
//
// backward() frees the graph unless asked to keep it, so draw before it, or retain it.
#pragma once

#include <string>

#include "autograd/var.hpp"

namespace hg {

std::string to_dot(const Var& root, std::size_t values_shown = 3);
// Writes to_dot(root) to path (via a temporary file renamed into place).
void write_dot(const Var& root, const std::string& path, std::size_t values_shown = 3);

}  // namespace hg
