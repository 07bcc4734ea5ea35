// Graphviz export of a graph, drawn top to bottom (inputs above the ops that use them):
//   - parameters (leaves that need a gradient): blue boxes with name, shape, first values, grad;
//   - constants (inputs, targets, masks: values that need no gradient): grey pages;
//   - ops: white boxes with their op (and name, if set) and value, and grad once backward ran;
//   - a composite op (mean, sub, mse, ...: see hg::CompositeScope) as the code called it: a
//     dashed box with its name around the ops it recorded.
//
//   hg::Var loss = ...;
//   loss.backward(true);                 // keep the graph so it can still be drawn
//   hg::write_dot(loss, "graph.dot");    // then: dot -Tpng graph.dot -o graph.png
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
