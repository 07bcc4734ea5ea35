// Memory: each training step frees the graph it built, so 1,000 steps leave no more live
// tensors (tensor/kernels/storage.hpp) than 10 steps did, and the resident set stays flat; and
// once the first steps have filled the pool (tensor/kernels/pool.hpp), a step allocates nothing.
// Under the sanitizer build (./lab sanitize) LeakSanitizer checks every test besides.
#include <doctest/doctest.h>

#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <memory>
#include <thread>
#include <vector>

#include "autograd/loss.hpp"
#include "layer_checks.hpp"
#include "models/course.hpp"
#include "nn/activation.hpp"
#include "nn/adam.hpp"
#include "nn/conv2d.hpp"
#include "nn/dropout.hpp"
#include "nn/linear.hpp"
#include "nn/rmsprop.hpp"
#include "nn/sequential.hpp"
#include "tensor/kernels/pool.hpp"
#include "tensor/kernels/storage.hpp"

namespace {
std::unique_ptr<std::vector<double>> g_sink;  // an allocation the compiler cannot leave out
}  // namespace

using hg::Tensor;
using hg::Var;

namespace {

// Resident memory of this process in bytes (/proc/self/statm), 0 if unknown.
std::size_t resident_bytes() {
    std::FILE* f = std::fopen("/proc/self/statm", "r");
    if (!f) return 0;
    unsigned long size = 0, resident = 0;
    const int got = std::fscanf(f, "%lu %lu", &size, &resident);
    std::fclose(f);
    return got == 2 ? resident * static_cast<std::size_t>(::sysconf(_SC_PAGESIZE)) : 0;
}

struct Trainer {
    hg::Rng rng{3};
    std::shared_ptr<hg::Sequential> model =
        hg::sequential({std::make_shared<hg::Linear>(16, 6, rng), std::make_shared<hg::Sigmoid>(),
                        std::make_shared<hg::Dropout>(0.2f, rng), std::make_shared<hg::Linear>(6, 16, rng)});
    hg::Adam opt{model->parameters(), hg::AdamOptions(1e-2f)};
    Tensor x = Tensor::uniform({8, 16}, 0.0f, 1.0f, rng);
    std::vector<Var> kept;  // a student's bug: keeping each loss Var (not loss.item()) keeps its tensors

    float step(bool keep_loss) {
        const Var input = Var::constant(x);
        Var loss = hg::mse((*model)(input), input);
        opt.zero_grad();
        loss.backward();
        opt.step();
        if (keep_loss) kept.push_back(loss);
        return loss.item();
    }
};

}  // namespace

TEST_CASE("memory: 1,000 training steps keep the live tensor count and the RSS flat") {
    Trainer t;
    for (int i = 0; i < 10; ++i) t.step(false);  // the optimiser's state exists from here on
    const std::size_t tensors = hg::kernels::live_tensors();
    const std::size_t rss = resident_bytes();
    float first = 0, last = 0;
    for (int i = 0; i < 1000; ++i) {
        const float l = t.step(false);
        if (i == 0) first = l;
        last = l;
    }
    CHECK(last < first);  // it did train
    CHECK(hg::kernels::live_tensors() == tensors);
#if HG_POOL_PASSTHROUGH
    // AddressSanitizer keeps freed memory in quarantine (up to 256 MB) to catch use after
    // free, so the RSS grows by design; LeakSanitizer checks for leaks at exit instead.
    (void)rss;
#else
    if (rss > 0) CHECK(resident_bytes() < rss + (8u << 20));  // allocator slack, far below a leak's size
#endif
}

TEST_CASE("memory: the counter sees a leaked graph (keeping every loss Var)") {
    Trainer t;
    for (int i = 0; i < 10; ++i) t.step(false);
    const std::size_t tensors = hg::kernels::live_tensors();
    for (int i = 0; i < 100; ++i) t.step(true);
    CHECK(hg::kernels::live_tensors() >= tensors + 100);  // each kept loss holds at least its own value
    t.kept.clear();
    CHECK(hg::kernels::live_tensors() == tensors);
}

namespace {
// The course's recommender step (tutorial 03 --mode course): one user per step, RMSprop
// with weight decay, gradients never zeroed.
struct CourseStep {
    hg::Rng rng{5};
    std::shared_ptr<hg::Sequential> model = hg::models::course_model(40, rng);  // 40 movies
    hg::RMSprop opt{model->parameters(), hg::models::course_rmsprop()};
    Tensor x = hg::gt(Tensor::uniform({1, 40}, 0.0f, 1.0f, rng), 0.8f) * 4.0f;
    Tensor observed = hg::ne(x, 0.0f);

    void step() {
        const Var input = Var::constant(x);
        Var loss = hg::masked_mse((*model)(input), input, observed);
        loss.backward();
        opt.step();
    }
};
}  // namespace

TEST_CASE("memory: after the first steps, a training step allocates nothing") {
    if (!hg::test::allocations_counted()) {
        MESSAGE("skipped: the sanitizer build passes every allocation to the system (tensor/kernels/pool.hpp)");
        return;
    }
    const std::size_t during = hg::test::allocations_in_steps([] {
        auto adam = std::make_shared<Trainer>();  // mini-batch, dropout, mse, Adam, zero_grad
        auto course = std::make_shared<CourseStep>();
        return [adam, course] { adam->step(false), course->step(); };
    });
    CHECK(during == 0);
    // A small convolutional autoencoder (tutorial 12's layers): conv, max-pool, upsample.
    const std::size_t conv = hg::test::allocations_in_autoencoder_steps([] {
        hg::Rng rng(6);
        return hg::sequential(
            {std::make_shared<hg::Conv2d>(1, 4, 3, rng, hg::Conv2dOptions().padding(1)), std::make_shared<hg::ReLU>(),
             std::make_shared<hg::MaxPool2d>(2), std::make_shared<hg::Upsample2d>(2),
             std::make_shared<hg::Conv2d>(4, 1, 3, rng, hg::Conv2dOptions().padding(1))});
    }, hg::Shape{2, 1, 8, 8});
    CHECK(conv == 0);

    // The counter does count: a vector outside the pool is one more call.
    const std::size_t vector_before = hg::test::operator_new_calls();
    g_sink = std::make_unique<std::vector<double>>(1000);
    CHECK(hg::test::operator_new_calls() - vector_before == 2);  // the unique_ptr's vector, its numbers
    g_sink.reset();
}

namespace {
void check_pool_reuse() {
    using hg::kernels::pool_allocate;
    using hg::kernels::pool_deallocate;
    const hg::kernels::PoolStats start = hg::kernels::pool_stats();
    void* a = pool_allocate(6728);  // 1682 floats: the class of 6657..7168 bytes
    std::memset(a, 1, 6728);
    pool_deallocate(a, 6728);
    CHECK(hg::kernels::pool_stats().cached_bytes >= start.cached_bytes + 6728);
    void* b = pool_allocate(7000);  // the same class
    CHECK(b == a);
    void* c = pool_allocate(7200);  // the next class: another block
    CHECK(c != a);
    void* big = pool_allocate(std::size_t{4} << 20);  // above 1 MiB: straight to the system
    pool_deallocate(big, std::size_t{4} << 20);
    pool_deallocate(b, 7000);
    pool_deallocate(c, 7200);
    const hg::kernels::PoolStats end = hg::kernels::pool_stats();
    CHECK(end.reuses >= start.reuses + 1);
    CHECK(end.cached_bytes < start.cached_bytes + (1u << 20));  // the 4 MiB block was not kept

    // Tensors use it: a tensor freed and made again reuses its block.
    const float* first = nullptr;
    {
        Tensor t({1, 1682});
        first = t.data();
    }
    Tensor again({1, 1682}, 2.0f);
    CHECK(again.data() == first);
    CHECK(again[1681] == 2.0f);
}
}  // namespace

TEST_CASE("pool: a freed block serves the next request of its size class") {
    if (!hg::kernels::pool_recycles) {
        MESSAGE("skipped: the sanitizer build passes every allocation to the system (tensor/kernels/pool.hpp)");
        return;
    }
    std::thread(check_pool_reuse).join();  // a new thread: its pool starts empty
}
