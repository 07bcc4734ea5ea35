// hg::Module — a layer, or a model built from layers. The base of everything in nn/.
//
// A module owns its trainable parameters (hg::Var leaves) and its sub-modules, each under
// a name. Names join with dots into paths, so every parameter of a model has a readable
// name that printed models, exported graphs and checkpoints share:
//
//   class Autoencoder : public hg::Module {
//   public:
//       Autoencoder(hg::Rng& rng) : Module("Autoencoder") {
//           encoder = register_module("encoder", hg::sequential({std::make_shared<hg::Linear>(8, 3, rng),
//                                                                std::make_shared<hg::Sigmoid>()}));
//           decoder = register_module("decoder", std::make_shared<hg::Linear>(3, 8, rng));
//       }
//       hg::Var forward(const hg::Var& x) override { return (*decoder)((*encoder)(x)); }
//       std::shared_ptr<hg::Sequential> encoder;
//       std::shared_ptr<hg::Linear> decoder;
//   };
//
//   Autoencoder model(rng);
//   model.named_parameters();   // encoder.0.weight (3x8), encoder.0.bias (3),
//                               // decoder.weight (8x3), decoder.bias (8)
//   std::cout << model;         // Autoencoder(
//                               //   (encoder): Sequential(
//                               //     (0): Linear(in=8, out=3, bias)  weight (3x8), bias (3)  27 params
//                               //     (1): Sigmoid()
//                               //   )  27 params
//                               //   (decoder): Linear(in=3, out=8, bias)  weight (8x3), bias (8)  32 params
//                               // )  59 params
//
// A training step is then: loss = f(model(x)); opt.zero_grad(); loss.backward(); opt.step().
//
// Rules of the house:
//  - forward(x) builds the graph of one pass from hg ops; backward() comes for free.
//  - train() / eval() switch the mode of the whole tree; Dropout and the noise layers act
//    only in training mode, BatchNorm1d uses its running statistics outside it (a module
//    reads is_training()). To evaluate, EvalGuard switches to eval() and off gradients.
//  - parameters() lists each parameter once, even if two modules share it (tied weights).
//  - Modules are owned through std::shared_ptr and are not copyable (a copy would silently
//    share its parameters with the original).
// See nn/README.md, "Writing your own layer".
#pragma once

#include <cstddef>
#include <iosfwd>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "autograd/var.hpp"

namespace hg {

using NamedVar = std::pair<std::string, Var>;

class Module {
public:
    virtual ~Module() = default;
    Module(const Module&) = delete;
    Module& operator=(const Module&) = delete;

    // One forward pass. Layers that take or return more than one Var add methods of their
    // own (a VAE's encode() returns mu and logvar) and keep forward() for the common path.
    virtual Var forward(const Var& x) = 0;
    Var operator()(const Var& x) { return forward(x); }

    // Every trainable parameter of the tree, each once, in registration order (own
    // parameters first, then each child's), with dotted paths: "encoder.0.weight".
    std::vector<NamedVar> named_parameters() const;
    std::vector<Var> parameters() const;
    std::size_t num_parameters() const;  // the number of trainable floats
    // Tensors saved with the model but never trained (a fixed baseline, running statistics),
    // as constant Vars with dotted names like the parameters.
    std::vector<NamedVar> named_buffers() const;
    // What a checkpoint holds: the named parameters, then the named buffers.
    std::vector<NamedVar> state() const;
    // The random streams of the tree (Dropout's, the noise layers'), with dotted names
    // ("net.0.rng"): a checkpoint (nn/checkpoint.hpp) saves them, so that a resumed run
    // draws the same masks as one that never stopped.
    std::vector<std::pair<std::string, Rng*>> named_rngs();
    void zero_grad();

    void train(bool on = true);  // this module and all below it
    void eval() { train(false); }
    bool is_training() const { return training_; }

    const std::string& type_name() const { return type_name_; }  // "Linear"
    // The settings shown between the parentheses of the printout: "in=8, out=3, bias".
    virtual std::string describe() const { return {}; }
    // The model tree with each layer's parameter shapes and counts (see the example above).
    std::string str() const;

    // The parameters and sub-modules registered directly on this module (not recursive).
    const std::vector<NamedVar>& own_parameters() const { return params_; }
    const std::vector<std::pair<std::string, std::shared_ptr<Module>>>& children() const { return children_; }

protected:
    explicit Module(std::string type_name) : type_name_(std::move(type_name)) {}

    // Make value a trainable parameter called name (no dots: a path is built from names).
    Var register_parameter(const std::string& name, Tensor value);
    // Register an existing parameter Var (it must require grad).
    Var register_parameter(const std::string& name, Var parameter);

    // Make value a buffer called name: part of the model's state (saved and loaded), but no
    // parameter (never trained). Keep the returned Var and update its value() in place:
    // load() copies into this very tensor, so a new Var assigned to the member later is
    // neither saved nor loaded (tests/layer_checks.hpp checks a layer for that).
    Var register_buffer(const std::string& name, Tensor value);

    // Make rng (a member of this module) part of its checkpointed state, as name.
    void register_rng(const std::string& name, Rng& rng);

    // Adopt a sub-module; its parameters are renamed "name.<their path>".
    template <class M>
    std::shared_ptr<M> register_module(const std::string& name, std::shared_ptr<M> module) {
        adopt(name, module);
        return module;
    }

private:
    void adopt(const std::string& name, std::shared_ptr<Module> module);
    void check_new_name(const std::string& name, const char* what) const;
    void set_path(const std::string& path);  // renames the parameters of the whole subtree
    void collect(std::vector<NamedVar>& out, const std::string& prefix, std::vector<const Node*>& seen,
                 bool buffers) const;
    void print(std::string& out, std::size_t indent) const;

    std::string type_name_;
    std::string path_;  // where this module sits in its model ("encoder.0"); "" for the root
    bool training_ = true;
    std::vector<NamedVar> params_;
    std::vector<NamedVar> buffers_;
    std::vector<std::pair<std::string, Rng*>> rngs_;
    std::vector<std::pair<std::string, std::shared_ptr<Module>>> children_;
};

std::ostream& operator<<(std::ostream& os, const Module& m);

// Evaluation for a scope: eval() on the whole tree (Dropout, the noise layers and
// BatchNorm1d switch to their inference behaviour) and a NoGradGuard (no graph); on leaving,
// the tree's previous mode returns. They are two switches: a NoGradGuard alone leaves a model
// in training mode, where dropout still drops and BatchNorm1d normalises with the batch's
// statistics and moves its running ones; eval() alone still builds a graph.
//
//   { hg::EvalGuard evaluating(model); Tensor y = model(x).value(); }
class EvalGuard {
public:
    explicit EvalGuard(Module& model) : model_(model), was_training_(model.is_training()) { model.eval(); }
    ~EvalGuard() { model_.train(was_training_); }
    EvalGuard(const EvalGuard&) = delete;
    EvalGuard& operator=(const EvalGuard&) = delete;

private:
    Module& model_;
    bool was_training_;
    NoGradGuard no_grad_;
};

// 33660 -> "33,660" (for parameter counts).
std::string with_thousands(std::size_t n);

}  // namespace hg
