#include "tensor/rng.hpp"

#include <bit>
#include <cmath>

#include "tensor/error.hpp"

namespace hg {

namespace {
std::uint64_t splitmix64(std::uint64_t& x) {
    std::uint64_t z = (x += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}
std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
}  // namespace

Rng::Rng(std::uint64_t seed) {
    // Spread one 64-bit seed over the 256-bit state (the xoshiro authors' recommendation).
    for (auto& s : s_) s = splitmix64(seed);
}

std::uint64_t Rng::next_u64() {
    const std::uint64_t result = rotl(s_[1] * 5, 7) * 9;
    const std::uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = rotl(s_[3], 45);
    return result;
}

float Rng::uniform() {
    // The top 24 bits fill a float's mantissa exactly: k / 2^24 for k in 0..2^24-1.
    return static_cast<float>(next_u64() >> 40) * (1.0f / 16777216.0f);
}

float Rng::uniform(float lo, float hi) { return lo + (hi - lo) * uniform(); }

float Rng::normal() {
    if (has_spare_) {
        has_spare_ = false;
        return spare_;
    }
    // Box–Muller: two uniforms -> two independent standard normals (computed in double).
    double u1 = (static_cast<double>(next_u64() >> 11) + 1.0) * (1.0 / 9007199254740992.0);  // (0,1]
    double u2 = static_cast<double>(next_u64() >> 11) * (1.0 / 9007199254740992.0);          // [0,1)
    double r = std::sqrt(-2.0 * std::log(u1));
    double theta = 6.283185307179586 * u2;
    spare_ = static_cast<float>(r * std::sin(theta));
    has_spare_ = true;
    return static_cast<float>(r * std::cos(theta));
}

float Rng::normal(float mean, float stddev) { return mean + stddev * normal(); }

std::size_t Rng::below(std::size_t n) {
    if (n == 0) throw ValueError("Rng::below: n must be positive");
    // Lemire's nearly-divisionless method would be faster; rejection keeps it exact and plain.
    const std::uint64_t limit = UINT64_MAX - UINT64_MAX % n;
    std::uint64_t x;
    do x = next_u64();
    while (x >= limit);
    return static_cast<std::size_t>(x % n);
}

bool Rng::bernoulli(float p) { return uniform() < p; }

Rng::State Rng::state() const {
    return {s_[0], s_[1], s_[2], s_[3], has_spare_ ? 1u : 0u, std::bit_cast<std::uint32_t>(spare_)};
}

void Rng::set_state(const State& state) {
    if ((state[0] | state[1] | state[2] | state[3]) == 0 || state[4] > 1 || state[5] > 0xffffffffu)
        throw ValueError("Rng::set_state: not a state of this generator (all-zero words, or a bad spare flag)");
    for (int k = 0; k < 4; ++k) s_[k] = state[k];
    has_spare_ = state[4] == 1;
    spare_ = std::bit_cast<float>(static_cast<std::uint32_t>(state[5]));
}

}  // namespace hg
