// libFuzzer target: a checkpoint's metadata (epoch, extra values) and the whole checkpoint into a small model. Only hg::SafetensorsError may come out
// (fuzz/targets.hpp).
#include "fuzz/memory_file.hpp"
#include "fuzz/targets.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    try {
        hg::fuzz::checkpoint_one(hg::fuzz::as_file(data, size));
    } catch (const hg::SafetensorsError&) {
    }
    return 0;
}
