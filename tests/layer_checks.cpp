#include "layer_checks.hpp"

#include <atomic>
#include <cstdlib>
#include <new>
#include <thread>

#include "autograd/loss.hpp"
#include "autograd/var.hpp"
#include "nn/adam.hpp"
#include "nn/safetensors.hpp"
#include "temp_dir.hpp"
#include "tensor/kernels/pool.hpp"

// Every call of the global operator new in the program is counted (the pool gets its blocks
// from operator new too, as do std::vector, std::string, std::function, ...). The sanitizer
// build keeps its own operator new, which checks every new against its delete.
namespace {
std::atomic<std::size_t> g_operator_new_calls{0};
}  // namespace

#if !HG_POOL_PASSTHROUGH
namespace {
void* counted_new(std::size_t n, std::size_t align) {
    g_operator_new_calls.fetch_add(1, std::memory_order_relaxed);
    if (n == 0) n = 1;
    void* p = align > __STDCPP_DEFAULT_NEW_ALIGNMENT__ ? std::aligned_alloc(align, (n + align - 1) / align * align)
                                                        : std::malloc(n);
    if (!p) throw std::bad_alloc();
    return p;
}
}  // namespace
void* operator new(std::size_t n) { return counted_new(n, 0); }
void* operator new[](std::size_t n) { return counted_new(n, 0); }
void* operator new(std::size_t n, std::align_val_t a) { return counted_new(n, static_cast<std::size_t>(a)); }
void* operator new[](std::size_t n, std::align_val_t a) { return counted_new(n, static_cast<std::size_t>(a)); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }
void operator delete(void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete(void* p, std::size_t, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t, std::align_val_t) noexcept { std::free(p); }
#endif

namespace hg::test {

std::size_t operator_new_calls() { return g_operator_new_calls.load(); }

bool allocations_counted() { return kernels::pool_recycles; }

std::size_t allocations_in_steps(const std::function<std::function<void()>()>& make_step, int warmup, int steps) {
    std::size_t during = 0;
    std::thread([&] {
        std::function<void()> step = make_step();
        for (int i = 0; i < warmup; ++i) step();
        const std::size_t before = operator_new_calls();
        for (int i = 0; i < steps; ++i) step();
        during = operator_new_calls() - before;
    }).join();
    return during;
}

std::size_t allocations_in_autoencoder_steps(const std::function<std::shared_ptr<Module>()>& make_model,
                                             const Shape& input, int warmup, int steps) {
    struct Trainer {
        Trainer(std::shared_ptr<Module> m, const Shape& input)
            : model(std::move(m)), opt(model->parameters(), AdamOptions(1e-3f)), x(Tensor::uniform(input, 0.0f, 1.0f, rng)) {}
        void step() {
            const Var in = Var::constant(x);
            Var loss = mse((*model)(in), in);
            opt.zero_grad();
            loss.backward();
            opt.step();
        }
        std::shared_ptr<Module> model;
        Adam opt;
        Rng rng{1};
        Tensor x;
    };
    return allocations_in_steps(
        [&] {
            auto t = std::make_shared<Trainer>(make_model(), input);
            return [t] { t->step(); };
        },
        warmup, steps);
}

std::string buffer_round_trip_problems(const std::function<std::shared_ptr<Module>()>& make, const Tensor& x,
                                       int passes) {
    const std::shared_ptr<Module> trained = make(), fresh = make(), loaded = make();
    const Var input = Var::constant(x);
    trained->train();
    for (int i = 0; i < passes; ++i) (*trained)(input);

    std::string problems;
    const auto moved = trained->named_buffers(), initial = fresh->named_buffers();
    if (moved.empty()) problems += "the layer registers no buffer; ";
    for (std::size_t b = 0; b < moved.size() && b < initial.size(); ++b)
        if (max_abs_diff(moved[b].second.value(), initial[b].second.value()) == 0.0f)
            problems += "buffer '" + moved[b].first + "' is unchanged after " + std::to_string(passes) +
                        " training passes (updated in a tensor other than the registered one?); ";

    TempDir dir("buffers");
    save(*trained, dir.file("layer.safetensors"));
    load(*loaded, dir.file("layer.safetensors"));
    trained->eval();
    loaded->eval();
    NoGradGuard no_grad;
    const float diff = max_abs_diff((*trained)(input).value(), (*loaded)(input).value());
    if (diff != 0.0f)
        problems += "a copy loaded from the layer's file computes another evaluation output (max |difference| " +
                    std::to_string(diff) + "): forward reads something save() does not write; ";
    return problems;
}

}  // namespace hg::test
