// Dropout and the corruption layers of denoising autoencoders. All of them act only in
// training mode (module.train()); in eval mode they pass their input through unchanged.
//
//   Dropout(p)          zero each entry with probability p, scale survivors by 1/(1−p)
//                       (inverted dropout: the expected value is unchanged)
//   MaskingNoise(p)     zero each entry with probability p, no rescaling — the "masking
//                       noise" of denoising autoencoders (Vincent et al. 2008)
//   GaussianNoise(σ)    x + ε, ε ~ N(0, σ²) per entry
//   SaltPepperNoise(p)  set each entry with probability p to 0 or 1 (half each)
//
// The gradient passes to x where x survives (1/(1−p), 1 or 0 per entry); the noise itself
// is a constant of the graph. Each layer owns its random stream, seeded from the Rng given
// at construction, so a run is reproduced by its seed:
//
//   hg::Rng rng(7);
//   auto noisy = std::make_shared<hg::MaskingNoise>(0.25f, rng);
//   hg::Var x_tilde = (*noisy)(x);       // training: a quarter of x zeroed
//   noisy->eval();  (*noisy)(x);         // evaluation: x itself
#pragma once

#include "nn/module.hpp"
#include "tensor/format.hpp"
#include "tensor/rng.hpp"

namespace hg {

class Dropout : public Module {
public:
    Dropout(float p, Rng& rng);
    Var forward(const Var& x) override;
    std::string describe() const override { return "p=" + format_number(p_); }

private:
    float p_;
    Rng rng_;
};

class MaskingNoise : public Module {
public:
    MaskingNoise(float p, Rng& rng);
    Var forward(const Var& x) override;
    std::string describe() const override { return "p=" + format_number(p_); }

private:
    float p_;
    Rng rng_;
};

class GaussianNoise : public Module {
public:
    GaussianNoise(float stddev, Rng& rng);
    Var forward(const Var& x) override;
    std::string describe() const override { return "stddev=" + format_number(stddev_); }

private:
    float stddev_;
    Rng rng_;
};

class SaltPepperNoise : public Module {
public:
    SaltPepperNoise(float p, Rng& rng);
    Var forward(const Var& x) override;
    std::string describe() const override { return "p=" + format_number(p_); }

private:
    float p_;
    Rng rng_;
};

}  // namespace hg
