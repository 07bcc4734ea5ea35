// Recycled memory for what a training step allocates and frees on every step.
//
// One step of training builds a graph and throws it away: the tensors of activations and
// gradients, the graph's nodes, their lists of inputs and their backward rules. The next
// step builds the same things again, of the same sizes. Asking the system allocator for
// them each time costs a little per block (glibc walks its bins for anything above 1 KiB)
// and means a step is never "allocation-free". The pool keeps the freed blocks instead,
// sorted by size class, and hands them out again:
//
//   void* p = hg::kernels::pool_allocate(6728);  // 6728 bytes: one row of 1682 floats
//   hg::kernels::pool_deallocate(p, 6728);        // kept in the size class 6657..7168
//   void* q = hg::kernels::pool_allocate(6800);  // the same class: q == p, no system call
//
// Size classes: multiples of 16 bytes up to 1 KiB, then eight classes between each power
// of two and the next (a block is at most 12.5% larger than asked). Each thread keeps its
// own free lists (no locks); a block may be freed on another thread than the one that
// allocated it. Blocks above 1 MiB go straight to the system allocator: glibc keeps those
// for reuse itself (keep_freed_memory below), and holding them here split its heap into pieces it
// could not reuse (tutorial 11's peak memory grew by 48 MB with an 8 MiB limit, by 8 MB with
// 1 MiB). A thread keeps at most 32 MiB of free blocks: when a freed block would pass that,
// its free lists are emptied first (after a change of sizes -- a new model, an evaluation
// pass -- the blocks of the old sizes go, and the new sizes fill the lists again in a step).
//
// PoolAllocator<T> puts a standard container on the pool. hg::Tensor's numbers
// (tensor/kernels/storage.hpp), and in autograd the nodes, their input lists and their
// backward rules (autograd/detail/backward_fn.hpp) all live there, so after the first step
// of a training loop, later steps allocate nothing (tests/test_memory.cpp).
//
// Built with AddressSanitizer, the pool passes every request straight to the system: a
// recycled block would hide a use-after-free from the sanitizer.
#pragma once

#include <cstddef>
#include <new>

#if defined(__SANITIZE_ADDRESS__)
#define HG_POOL_PASSTHROUGH 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define HG_POOL_PASSTHROUGH 1
#endif
#endif
#ifndef HG_POOL_PASSTHROUGH
#define HG_POOL_PASSTHROUGH 0
#endif

namespace hg::kernels {

// False in sanitizer builds, where the pool recycles nothing.
inline constexpr bool pool_recycles = !HG_POOL_PASSTHROUGH;

// A block of at least `bytes` bytes, aligned for any fundamental type. Throws std::bad_alloc.
void* pool_allocate(std::size_t bytes);
// Give back a block from pool_allocate, with the same `bytes`.
void pool_deallocate(void* block, std::size_t bytes) noexcept;

// This thread's pool, for tests and curious readers.
struct PoolStats {
    std::size_t system_allocations = 0;  // blocks this thread's pool took from the system
    std::size_t reuses = 0;              // requests served from a free list
    std::size_t cached_bytes = 0;        // bytes in this thread's free lists now
};
PoolStats pool_stats();

// A standard allocator on the pool: std::vector<float, hg::kernels::PoolAllocator<float>>(n)
// holds n zeros, exactly as std::vector<float>(n) does.
template <class T>
struct PoolAllocator {
    using value_type = T;
    static_assert(alignof(T) <= __STDCPP_DEFAULT_NEW_ALIGNMENT__, "the pool aligns for fundamental types only");

    PoolAllocator() noexcept = default;
    template <class U>
    PoolAllocator(const PoolAllocator<U>&) noexcept {}  // NOLINT: allocators convert implicitly

    T* allocate(std::size_t n) {
        if (n > static_cast<std::size_t>(-1) / sizeof(T)) throw std::bad_array_new_length();
        return static_cast<T*>(pool_allocate(n * sizeof(T)));
    }
    void deallocate(T* p, std::size_t n) noexcept { pool_deallocate(p, n * sizeof(T)); }

    template <class U>
    bool operator==(const PoolAllocator<U>&) const noexcept { return true; }  // all share the pool
};

// Training allocates and frees the same large blocks on every step (a batch of activations,
// a weight's gradient). By default glibc hands every block above 128 KiB straight back to
// the operating system when it is freed, so the next step page-faults its way through fresh
// memory again: a 2-epoch run of tutorial 11 spent 0.50 s in the kernel ("sys" in
// `/usr/bin/time build/tutorials/11_deep --train-images 6000 --epochs 2 --threads 1 --quiet`),
// 0.08 s after this call. It asks glibc, for the whole process, to keep freed blocks up to
// 32 MiB (its largest setting) for reuse and not to trim the heap's top. Peak memory is
// unchanged; memory is simply not returned between steps. A program calls it once, first
// (the tutorials' runner, the benchmarks); the library never does. Returns false, changing
// nothing, where the C library is not glibc.
bool keep_freed_memory();

}  // namespace hg::kernels
