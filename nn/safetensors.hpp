// Saving and loading models in the safetensors format (https://github.com/huggingface/safetensors),
// which PyTorch, NumPy and most other tools can read. A file is:
//
//   8 bytes     N, the length of the header, an unsigned little-endian 64-bit integer
//   N bytes     a JSON object, one entry per tensor (padded with spaces to a multiple of 8):
//                 {"__metadata__": {"format": "pt"},
//                  "encoder.0.weight": {"dtype": "F32", "shape": [3, 8], "data_offsets": [0, 96]},
//                  "encoder.0.bias":   {"dtype": "F32", "shape": [3],    "data_offsets": [96, 108]}, ...}
//   the rest    the raw numbers, little-endian, row-major; data_offsets = [begin, end) in
//               bytes, counted from the start of this section. Tensors tile it with no gaps.
//
//   hg::save(model, "model.safetensors");    // every named parameter and buffer
//   hg::load(model, "model.safetensors");    // names and shapes must match the model
//
// Writes go to a temporary file that is renamed into place, so a crash never leaves a
// half-written checkpoint. Loading checks everything before it changes anything: the
// header length against the file size, the JSON, each dtype (F32 only), shape and byte
// range, and that the names and shapes match the model. Any problem throws
// SafetensorsError naming the file and what is wrong; the model is then left untouched.
// nn/README.md shows how to open a saved model in PyTorch or NumPy.
#pragma once

#include <map>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "nn/module.hpp"
#include "tensor/tensor.hpp"

namespace hg {

// A checkpoint file that cannot be written, read or used.
struct SafetensorsError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

using NamedTensors = std::vector<std::pair<std::string, Tensor>>;

// Write tensors (F32) under their names, in the given order, plus optional string metadata.
void save_safetensors(const std::string& path, const NamedTensors& tensors,
                      const std::map<std::string, std::string>& metadata = {});

// Read and validate a whole file; the tensors come in the order of their data in the file.
NamedTensors load_safetensors(const std::string& path);

// The same, with the file's string metadata (the header's "__metadata__").
struct SafetensorsFile {
    NamedTensors tensors;
    std::map<std::string, std::string> metadata;
};
SafetensorsFile read_safetensors(const std::string& path);

// A model's named parameters and buffers (Module::state()) to a file (metadata {"format": "pt"}, as PyTorch writers use).
void save(const Module& model, const std::string& path);

// Load every parameter and buffer of model from a file written by save() (or by PyTorch's
// safetensors.torch.save_file with the same names). All or nothing: a missing, extra or
// wrongly shaped tensor throws before any parameter changes. The file holds numbers, not
// the mode: call model.eval() before predicting with a model that has dropout or noise.
void load(Module& model, const std::string& path);

}  // namespace hg
