// The size classes and per-thread free lists of the pool (tensor/kernels/pool.hpp).
#include "tensor/kernels/pool.hpp"

#include <array>
#include <bit>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace hg::kernels {

namespace {

constexpr std::size_t small_limit = 1024;                    // up to here: steps of 16 bytes
constexpr std::size_t small_step = 16;
constexpr std::size_t small_classes = small_limit / small_step + 1;  // 0, 16, 32, ..., 1024
constexpr std::size_t largest_cached = std::size_t{1} << 20;         // larger blocks bypass the pool
constexpr std::size_t max_cached_bytes = std::size_t{32} << 20;      // per thread
constexpr std::size_t log2_small_limit = std::bit_width(small_limit) - 1;  // 10
constexpr std::size_t classes = small_classes + (std::bit_width(largest_cached) - 1 - log2_small_limit) * 8;

struct SizeClass {
    std::size_t index;  // which free list
    std::size_t bytes;  // the size every block of the class has
};

SizeClass size_class(std::size_t bytes) {
    if (bytes <= small_limit) {
        const std::size_t i = bytes == 0 ? 1 : (bytes + small_step - 1) / small_step;
        return {i, i * small_step};
    }
    // 2^p < bytes <= 2^(p+1): round up to a multiple of 2^(p+1) / 16, one of 8 classes.
    const std::size_t p = std::bit_width(bytes - 1) - 1;
    const std::size_t step = std::size_t{1} << (p - 3);
    const std::size_t k = (bytes + step - 1) / step;  // 9..16
    return {small_classes + (p - log2_small_limit) * 8 + (k - 9), k * step};
}

// A free block holds the link to the next free block of its class in its first bytes.
struct FreeBlock {
    FreeBlock* next;
};

struct Cache {
    std::array<FreeBlock*, classes> free{};
    PoolStats stats;
    void release_all() noexcept;  // every free block back to the system
    ~Cache();
};

// Blocks freed after this thread's cache is gone (a static tensor destroyed at exit) go
// straight back to the system. The flag needs no destructor, so it is readable until the end.
thread_local bool t_cache_gone = false;
thread_local Cache t_cache;

void Cache::release_all() noexcept {
    for (FreeBlock*& head : free)
        while (head) {
            FreeBlock* next = head->next;
            ::operator delete(head);
            head = next;
        }
    stats.cached_bytes = 0;
}

Cache::~Cache() {
    release_all();
    t_cache_gone = true;
}

}  // namespace

void* pool_allocate(std::size_t bytes) {
    if (!pool_recycles || bytes > largest_cached || t_cache_gone) return ::operator new(bytes);
    const SizeClass c = size_class(bytes);
    Cache& cache = t_cache;
    if (FreeBlock* block = cache.free[c.index]) {
        cache.free[c.index] = block->next;
        cache.stats.cached_bytes -= c.bytes;
        ++cache.stats.reuses;
        return block;
    }
    ++cache.stats.system_allocations;
    return ::operator new(c.bytes);
}

void pool_deallocate(void* block, std::size_t bytes) noexcept {
    if (!block) return;
    if (!pool_recycles || bytes > largest_cached || t_cache_gone) {
        ::operator delete(block);
        return;
    }
    const SizeClass c = size_class(bytes);
    Cache& cache = t_cache;
    if (cache.stats.cached_bytes + c.bytes > max_cached_bytes) cache.release_all();  // start over

    auto* free_block = static_cast<FreeBlock*>(block);
    free_block->next = cache.free[c.index];
    cache.free[c.index] = free_block;
    cache.stats.cached_bytes += c.bytes;
}

PoolStats pool_stats() { return t_cache_gone ? PoolStats{} : t_cache.stats; }

bool keep_freed_memory() {
#if defined(__GLIBC__)
    return mallopt(M_MMAP_THRESHOLD, 32 << 20) == 1 && mallopt(M_TRIM_THRESHOLD, 256 << 20) == 1;
#else
    return false;
#endif
}

}  // namespace hg::kernels
