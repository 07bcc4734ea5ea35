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
