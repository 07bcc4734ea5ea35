// The sequence-to-sequence autoencoder: an LSTM reads a sequence into one vector, and a
// second LSTM, fed that vector at every step, writes the sequence back out (the shape of
// Srivastava, Mansimov & Salakhutdinov 2015, "Unsupervised Learning of Video
// Representations using LSTMs", ICML, with the code repeated at every step as in the Keras
// blog's "Building Autoencoders in Keras", 2016). Tutorial 17 trains it on waves and on
// MovieLens users' ratings in time order.
//
//   encoder   LstmCell(features -> code):   (h, c) = step(x_t, (h, c)) for t = 1..T;  code = h_T
//   decoder   LstmCell(code -> hidden):     (h, c) = step(code, (h, c)) for t = 1..T
//   readout   Linear(hidden -> features):   x̂_t = readout(h_t)
//
// A batch of sequences is a matrix, one sequence per row, its steps side by side:
// row n = [x_1, x_2, ..., x_T] with x_t the `features` numbers of step t, so x is
// (N x T·features) and the model's output has the same shape (loss: mse(model(x), x)).
//
//   hg::models::SequenceAutoencoder model({.features = 1, .steps = 32, .code = 16, .hidden = 64}, rng);
//   hg::Var loss = hg::mse(model(hg::Var::constant(x)), hg::Var::constant(x));
//   model.truncate_every = 8;   // training: cut backward through time every 8 encoder steps
#pragma once

#include <cstddef>
#include <memory>
#include <string>

#include "nn/linear.hpp"
#include "nn/lstm.hpp"
#include "nn/module.hpp"
#include "tensor/rng.hpp"
#include "tensor/tensor.hpp"

namespace hg::models {

struct SequenceShape {
    std::size_t features = 1;  // numbers per step
    std::size_t steps = 32;    // T
    std::size_t code = 16;     // the encoder's hidden size: the code is its last output
    std::size_t hidden = 64;   // the decoder's hidden size
};

class SequenceAutoencoder : public Module {
public:
    SequenceAutoencoder(const SequenceShape& shape, Rng& rng);

    // x: (N x steps·features) -> the code (N x code). x is read as data: no gradient reaches it.
    Var encode(const Var& x);
    // code: (N x code) -> the sequence (N x steps·features).
    Var decode(const Var& code);
    Var forward(const Var& x) override { return decode(encode(x)); }
    std::string describe() const override;

    const SequenceShape& shape() const { return shape_; }

    // 0: backward through time runs over the whole sequence. k > 0: the encoder's state is
    // detached after every k-th step, so a gradient reaches back at most k steps (values
    // do not change, only what training learns from).
    std::size_t truncate_every = 0;

    std::shared_ptr<LstmCell> encoder, decoder;
    std::shared_ptr<Linear> readout;

private:
    SequenceShape shape_;
};

// Step t (0-based) of a batch of sequences: columns [t·features, (t+1)·features) of x.
Tensor sequence_step(const Tensor& x, std::size_t t, std::size_t features);

}  // namespace hg::models
