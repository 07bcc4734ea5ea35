// hg::Rng — a small, explicit, seeded random number generator (xoshiro256**).
//
// Every random thing in hourglass (initial weights, noise, dropout masks, shuffling)
// takes an Rng&, so a run is reproduced exactly by its seed:
//
//   hg::Rng rng(42);
//   float u = rng.uniform();          // in [0, 1)
//   float z = rng.normal();           // N(0, 1), Box–Muller
//   std::size_t i = rng.below(10);    // 0..9
//
// The algorithms are spelled out here (not std::normal_distribution, whose output
// differs between standard libraries), so the same seed gives the same numbers everywhere.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace hg {

class Rng {
public:
    explicit Rng(std::uint64_t seed = 0);

    std::uint64_t next_u64();
    float uniform();                     // [0, 1), 24 random bits
    float uniform(float lo, float hi);   // [lo, hi)
    float normal();                      // N(0, 1)
    float normal(float mean, float stddev);
    std::size_t below(std::size_t n);    // uniform integer in [0, n), n > 0
    bool bernoulli(float p);             // true with probability p

    // The whole state (for checkpoints): the four xoshiro words, whether a Box–Muller
    // normal is waiting, and that normal's bits. set_state(state()) resumes the stream.
    using State = std::array<std::uint64_t, 6>;
    State state() const;
    void set_state(const State& state);

    // Fisher–Yates shuffle.
    template <class T>
    void shuffle(std::vector<T>& v) {
        for (std::size_t i = v.size(); i > 1; --i) {
            std::size_t j = below(i);
            std::swap(v[i - 1], v[j]);
        }
    }

private:
    std::uint64_t s_[4];
    bool has_spare_ = false;  // Box–Muller makes normals in pairs
    float spare_ = 0.0f;
};

}  // namespace hg
