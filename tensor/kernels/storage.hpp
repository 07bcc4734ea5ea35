// hg::Tensor's numbers: a float array in the pool (tensor/kernels/pool.hpp), which also
// counts the tensors alive; and StepVector, a std::vector in the same pool for the other
// arrays a training step builds and frees (a pooling layer's argmax indices, ...).
//
// What it buys: a training loop frees and rebuilds tensors of the same sizes on every step;
// from the pool they come back without a call to the system allocator, so a step allocates
// nothing (tests/test_memory.cpp). The count is for leak tests: a loop that frees each
// step's graph keeps it flat from step to step.
//
//   const std::size_t before = hg::kernels::live_tensors();
//   for (int i = 0; i < 1000; ++i) train_step();
//   hg::kernels::live_tensors() - before;   // 0 when every step frees what it built
//
// Storage(n) holds n zeros, like std::vector<float>(n). The one way to get memory whose
// numbers are unspecified is Storage::uninitialised(n) (Tensor::empty), for a kernel that
// writes every number at once: it saves the pass that would zero them first.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <new>
#include <utility>
#include <vector>

#include "tensor/kernels/pool.hpp"

namespace hg::kernels {

// A std::vector whose memory the next training step reuses. StepVector<T>(n) holds n
// value-initialised elements (zeros), as std::vector<T>(n) does.
template <class T>
using StepVector = std::vector<T, PoolAllocator<T>>;

inline std::atomic<std::ptrdiff_t> g_live_tensors{0};

// The number of tensors (storages) alive right now, all threads. Moved-from tensors count
// until they are destroyed.
inline std::size_t live_tensors() {
    return static_cast<std::size_t>(g_live_tensors.load(std::memory_order_relaxed));
}

class Storage {
public:
    Storage() = default;
    explicit Storage(std::size_t n, float fill = 0.0f) : numbers_(n, fill) {}
    // n floats whose values are whatever the memory held: write every one before reading.
    static Storage uninitialised(std::size_t n) { return Storage(n, Unset{}); }

    std::size_t size() const { return numbers_.size(); }
    bool empty() const { return numbers_.empty(); }
    float* data() { return numbers_.data(); }
    const float* data() const { return numbers_.data(); }
    float* begin() { return numbers_.data(); }
    float* end() { return numbers_.data() + numbers_.size(); }
    const float* begin() const { return numbers_.data(); }
    const float* end() const { return numbers_.data() + numbers_.size(); }
    float& operator[](std::size_t i) { return numbers_[i]; }
    float operator[](std::size_t i) const { return numbers_[i]; }

    void reserve(std::size_t n) { numbers_.reserve(n); }
    void resize(std::size_t n) { numbers_.resize(n, 0.0f); }  // new numbers are 0

    friend bool operator==(const Storage& a, const Storage& b) {
        return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin());
    }

private:
    struct Unset {};
    Storage(std::size_t n, Unset) { numbers_.resize(n); }  // FloatAllocator::construct(p) leaves each float unset

    // PoolAllocator, except that construct(p) without a value leaves the float unset. Only
    // uninitialised() above resizes without a value.
    template <class T>
    struct FloatAllocator : PoolAllocator<T> {
        template <class U>
        struct rebind {
            using other = FloatAllocator<U>;
        };
        FloatAllocator() noexcept = default;
        template <class U>
        FloatAllocator(const FloatAllocator<U>&) noexcept {}  // NOLINT: allocators convert implicitly
        template <class U>
        void construct(U* p) noexcept {
            ::new (static_cast<void*>(p)) U;  // default-initialised: a float is left as it was
        }
        template <class U, class... Args>
        void construct(U* p, Args&&... args) {
            ::new (static_cast<void*>(p)) U(std::forward<Args>(args)...);
        }
    };
    struct LiveCount {  // moves g_live_tensors; takes no space ([[no_unique_address]])
        LiveCount() noexcept { g_live_tensors.fetch_add(1, std::memory_order_relaxed); }
        LiveCount(const LiveCount&) noexcept : LiveCount() {}
        LiveCount& operator=(const LiveCount&) noexcept { return *this; }
        ~LiveCount() { g_live_tensors.fetch_sub(1, std::memory_order_relaxed); }
    };

    std::vector<float, FloatAllocator<float>> numbers_;
    [[no_unique_address]] LiveCount live_;
};

}  // namespace hg::kernels
