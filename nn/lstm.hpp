// The long short-term memory cell (Hochreiter & Schmidhuber 1997, "Long Short-Term Memory",
// Neural Computation 9(8); with the forget gate of Gers, Schmidhuber & Cummins 2000), as an
// autograd composite of linear, sigmoid and tanh: backward through time comes for free.
//
// One step reads the input x_t and the previous state (h, c) and writes the next state:
//
//   z   = [x_t, h_{t−1}]                  (N x (in + hidden)): the two side by side
//   i   = σ(z·W_iᵀ + b_i)                 input gate:  how much of the candidate to write
//   f   = σ(z·W_fᵀ + b_f)                 forget gate: how much of the old cell to keep
//   g   = tanh(z·W_gᵀ + b_g)              the candidate cell
//   o   = σ(z·W_oᵀ + b_o)                 output gate: how much of the cell to show
//   c_t = f ⊙ c_{t−1} + i ⊙ g             the cell: a running sum, gated
//   h_t = o ⊙ tanh(c_t)                   the output, and the state the next step reads
//
// Each gate is a Linear layer (in + hidden -> hidden), so the weights print and save by
// name ("forget.weight"). The cell's sum c_t = f ⊙ c_{t−1} + ... is what lets a gradient
// travel many steps back: dc_t/dc_{t−1} = f, a gate the cell learns, not a product of
// squashing derivatives as in a plain recurrent net (tutorial 17 derives the whole rule).
//
//   hg::LstmCell cell(1, 16, rng);                       // 1 input, 16 hidden units
//   hg::LstmState s = cell.zero_state(batch);            // h = c = 0
//   for (const hg::Var& x : steps) s = cell.step(x, s);  // x: (batch x 1) each
//   s.h;                                                 // (batch x 16): the last output
//
// The forget gate's bias starts at 1 (Jozefowicz, Zaremba & Sutskever 2015): the cell
// keeps its memory at the start of training instead of halving it every step.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "nn/linear.hpp"
#include "nn/module.hpp"
#include "tensor/rng.hpp"

namespace hg {

struct LstmState {
    Var h, c;  // (N x hidden) each: the output and the cell
};

// The weights of one cell, as plain Vars: the step's equations apply to any four gates
// (the cell's own, or the inputs of a gradient check).
struct LstmGates {
    Var input_weight, input_bias, forget_weight, forget_bias, cell_weight, cell_bias, output_weight, output_bias;
};

// One step of the equations above.
LstmState lstm_step(const Var& x, const LstmState& state, const LstmGates& gates);

// The steps over a sequence x_1..x_T from `state`, which ends as the last step's state;
// returns h_1..h_T. cut > 0: the state is detached (below) before every step t that is a
// multiple of cut (t counted from 0, no cut before the first step).
std::vector<Var> lstm_unroll(const std::vector<Var>& xs, LstmState& state, const LstmGates& gates,
                             std::size_t cut = 0);

class LstmCell : public Module {
public:
    LstmCell(std::size_t in, std::size_t hidden, Rng& rng);

    LstmState step(const Var& x, const LstmState& state);
    LstmState zero_state(std::size_t batch) const;
    // One step from the zero state: h for the input x (N x in). Sequences use step().
    Var forward(const Var& x) override { return step(x, zero_state(x.shape()[0])).h; }
    std::string describe() const override;

    std::size_t in_features() const { return in_; }
    std::size_t hidden_size() const { return hidden_; }
    LstmGates gates() const;

    std::shared_ptr<Linear> input, forget, cell, output;

private:
    std::size_t in_, hidden_;
};

// The state with its history cut off: the same values, as constants. Backward through
// time stops here (truncated backpropagation through time).
LstmState detach(const LstmState& state);

}  // namespace hg
