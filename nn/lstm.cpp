#include "nn/lstm.hpp"

#include "autograd/ops.hpp"
#include "tensor/error.hpp"

namespace hg {

LstmState lstm_step(const Var& x, const LstmState& state, const LstmGates& w) {
    const Var z = concat({x, state.h}, 1);
    const Var i = sigmoid(linear(z, w.input_weight, w.input_bias));
    const Var f = sigmoid(linear(z, w.forget_weight, w.forget_bias));
    const Var g = tanh(linear(z, w.cell_weight, w.cell_bias));
    const Var o = sigmoid(linear(z, w.output_weight, w.output_bias));
    const Var c = f * state.c + i * g;
    return {o * tanh(c), c};
}

std::vector<Var> lstm_unroll(const std::vector<Var>& xs, LstmState& state, const LstmGates& gates, std::size_t cut) {
    std::vector<Var> hs;
    for (std::size_t t = 0; t < xs.size(); ++t) {
        if (cut > 0 && t > 0 && t % cut == 0) state = detach(state);  // truncated BPTT: the cut
        state = lstm_step(xs[t], state, gates);
        hs.push_back(state.h);
    }
    return hs;
}

LstmCell::LstmCell(std::size_t in, std::size_t hidden, Rng& rng) : Module("LstmCell"), in_(in), hidden_(hidden) {
    if (in == 0 || hidden == 0)
        throw ValueError("LstmCell: in = " + std::to_string(in) + " and hidden = " + std::to_string(hidden) +
                         " must both be positive");
    input = register_module("input", std::make_shared<Linear>(in + hidden, hidden, rng));
    forget = register_module("forget", std::make_shared<Linear>(in + hidden, hidden, rng));
    cell = register_module("cell", std::make_shared<Linear>(in + hidden, hidden, rng));
    output = register_module("output", std::make_shared<Linear>(in + hidden, hidden, rng));
    forget->bias().mutable_value().fill(1.0f);
}

LstmGates LstmCell::gates() const {
    return {input->weight(), input->bias(), forget->weight(), forget->bias(),
            cell->weight(),  cell->bias(),  output->weight(), output->bias()};
}

LstmState LstmCell::step(const Var& x, const LstmState& state) {
    if (x.value().rank() != 2 || x.shape()[1] != in_ || state.h.shape() != Shape{x.shape()[0], hidden_})
        throw ShapeError("LstmCell(" + describe() + "): the input has shape " + x.shape().str() + " and the state h " +
                         state.h.shape().str() + "; expected (N x " + std::to_string(in_) + ") and (N x " +
                         std::to_string(hidden_) + ")");
    return lstm_step(x, state, gates());
}

LstmState LstmCell::zero_state(std::size_t batch) const {
    return {Var::constant(Tensor::zeros({batch, hidden_})), Var::constant(Tensor::zeros({batch, hidden_}))};
}

std::string LstmCell::describe() const {
    return "in=" + std::to_string(in_) + ", hidden=" + std::to_string(hidden_);
}

LstmState detach(const LstmState& state) {
    return {Var::constant(state.h.value()), Var::constant(state.c.value())};
}

}  // namespace hg
