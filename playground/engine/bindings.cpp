// The playground engine as JavaScript sees it (Emscripten's embind): a class Playground
// whose methods take numbers, strings and typed arrays and return JSON text. Only the
// typed arrays need a word here: their bytes are copied into C++ vectors. The API itself is
// playground/API.md; playground.hpp implements it.
#include <emscripten/bind.h>
#include <emscripten/val.h>

#include <cstdint>
#include <string>
#include <vector>

#include "playground/engine/playground.hpp"

namespace {

using hg::playground::Playground;

// A JavaScript typed array (Uint8Array, Float32Array, or a plain array of numbers) as a vector.
template <class T>
std::vector<T> copy_array(const emscripten::val& array) {
    std::vector<T> out(array["length"].as<std::size_t>());
    emscripten::val view(emscripten::typed_memory_view(out.size(), out.data()));
    view.call<void>("set", array);
    return out;
}

std::string load_images(Playground& pg, const emscripten::val& images, const emscripten::val& labels) {
    return pg.load_images(copy_array<std::uint8_t>(images), copy_array<std::uint8_t>(labels));
}

std::string encode(Playground& pg, const emscripten::val& pixels) { return pg.encode(copy_array<float>(pixels)); }

}  // namespace

EMSCRIPTEN_BINDINGS(hourglass_playground) {
    emscripten::class_<Playground>("Playground")
        .constructor<>()
        .function("reset", &Playground::reset)
        .function("load_images", &load_images)
        .function("train", &Playground::train)
        .function("view", &Playground::view)
        .function("forward", &Playground::forward)
        .function("backward_step", &Playground::backward_step)
        .function("apply_step", &Playground::apply_step)
        .function("encode", &encode)
        .function("load_ratings", &Playground::load_ratings)
        .function("recommend", &Playground::recommend)
        .function("bench", &Playground::bench);
}
