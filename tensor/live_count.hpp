// A count of the hg::Tensor objects alive in the process, for leak tests: a training loop
// that frees each step's graph keeps it flat from step to step (tests/test_memory.cpp).
//
//   const std::size_t before = hg::live_tensors();
//   for (int i = 0; i < 1000; ++i) train_step();
//   hg::live_tensors() - before;         // 0 when every step frees what it built
//
// Each Tensor carries an empty member whose constructors and destructor move one relaxed
// atomic counter ([[no_unique_address]]: it takes no space); it counts objects, including
// moved-from ones, until they are destroyed.
#pragma once

#include <atomic>
#include <cstddef>

namespace hg {

namespace detail {
inline std::atomic<std::ptrdiff_t> g_live_tensors{0};

struct LiveTensorCounter {
    LiveTensorCounter() noexcept { g_live_tensors.fetch_add(1, std::memory_order_relaxed); }
    LiveTensorCounter(const LiveTensorCounter&) noexcept : LiveTensorCounter() {}
    LiveTensorCounter(LiveTensorCounter&&) noexcept : LiveTensorCounter() {}
    LiveTensorCounter& operator=(const LiveTensorCounter&) noexcept { return *this; }
    LiveTensorCounter& operator=(LiveTensorCounter&&) noexcept { return *this; }
    ~LiveTensorCounter() { g_live_tensors.fetch_sub(1, std::memory_order_relaxed); }
};
}  // namespace detail

// The number of hg::Tensor objects alive right now (all threads).
inline std::size_t live_tensors() {
    return static_cast<std::size_t>(detail::g_live_tensors.load(std::memory_order_relaxed));
}

}  // namespace hg
