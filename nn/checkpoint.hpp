// Checkpoints — save a training run mid-way and resume it exactly where it stopped.
//
// A checkpoint is one safetensors file (nn/safetensors.hpp) holding everything a run needs
// to continue as if it had never stopped: the model's state (parameters and buffers), the
// optimiser's (Optimizer::state(): momentum, running averages, step count, lr), the
// parameters' gradients (a loop may let them accumulate across steps), the epoch
// just finished, every random stream (the model's own — Dropout, noise layers — and any
// others you add, like a batch shuffler's), and a few values of your own:
//
//   hg::Checkpoint ckpt(model, opt);
//   ckpt.rng("shuffle", rng);                       // an extra random stream to resume
//   std::size_t first = 1;
//   if (resume && hg::checkpoint_exists(path)) first = ckpt.load(path) + 1;
//   for (std::size_t e = first; e <= epochs; ++e) {
//       train_one_epoch();
//       if (e % every == 0) ckpt.save(path, e);     // crash-safe: see below
//   }
//
// Crash safety. save() writes a temporary file next to the target, fsyncs it, renames it
// over the old checkpoint and fsyncs the folder (so the rename itself survives a power
// cut). A process killed at any moment leaves the previous checkpoint intact and the new
// one either complete or absent; a killed save can leave its temporary file behind
// (".<name>.hg-partial-<pid>" beside it), which the next save() removes. tests/test_checkpoint.cpp kills
// writers with SIGKILL at random points to show it.
//
// Layout in the file: tensors "model/<name>", "grad/<name>" and "optimizer/<key>"; metadata "epoch",
// "optimizer/<key>", "rng/<name>" (six words) and "extra/<key>". load() checks it all —
// names, shapes, the optimiser's kind — before it changes anything, and throws
// SafetensorsError (a bad file) or ValueError (a checkpoint of another model or optimiser).
#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "nn/module.hpp"
#include "nn/optimizer.hpp"
#include "nn/safetensors.hpp"

namespace hg {

class Checkpoint {
public:
    Checkpoint(Module& model, Optimizer& optimizer);

    // Save (and restore) this random stream too, under name.
    Checkpoint& rng(const std::string& name, Rng& rng);

    // Write the whole state after `epoch` epochs, with optional values of your own.
    void save(const std::string& path, std::size_t epoch, const std::map<std::string, std::string>& extra = {}) const;

    // Restore everything from a file save() wrote; returns its epoch. extra (if given)
    // receives the values saved with it. All or nothing.
    std::size_t load(const std::string& path, std::map<std::string, std::string>* extra = nullptr);

private:
    Module& model_;
    Optimizer& optimizer_;
    std::vector<std::pair<std::string, Rng*>> rngs_;  // the model's, then the added ones
};

// True when path names a regular file (a checkpoint to resume from, or so it claims).
bool checkpoint_exists(const std::string& path);

// The epoch and extra values of a checkpoint, without loading it into a model.
std::pair<std::size_t, std::map<std::string, std::string>> checkpoint_info(const std::string& path);

// Reading the extra values back. Each throws SafetensorsError naming the file and the key
// ("checkpoint 'run.safetensors': extra/best is not a number (got \"x\")") when the key is
// missing or its value is not what it should be. `extra` is what load() or checkpoint_info()
// gave for the file at `path`.
using CheckpointExtras = std::map<std::string, std::string>;
const std::string& checkpoint_text(const std::string& path, const CheckpointExtras& extra, const std::string& key);
double checkpoint_number(const std::string& path, const CheckpointExtras& extra, const std::string& key);  // finite
int checkpoint_count(const std::string& path, const CheckpointExtras& extra, const std::string& key);  // 0 .. INT_MAX
// Exactly `count` finite numbers separated by single spaces ("0.5 0.25"; "" for none).
std::vector<double> checkpoint_numbers(const std::string& path, const CheckpointExtras& extra, const std::string& key,
                                       std::size_t count);

// Refuse (ValueError) a checkpoint saved with other settings than this run's: each key of
// `run` (e.g. {"seed", "42"}) must have the same value in `extra`. The message lists what
// differs: "was saved by a run with seed=7, this run has seed=42".
void check_checkpoint_settings(const std::string& path, const CheckpointExtras& extra,
                               const std::map<std::string, std::string>& run);

}  // namespace hg
