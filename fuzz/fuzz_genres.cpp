// libFuzzer target: u.genre's reader. Only hg::DataError may come out
// (fuzz/targets.hpp).
#include "fuzz/memory_file.hpp"
#include "fuzz/targets.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    try {
        hg::fuzz::genres_one(hg::fuzz::as_file(data, size));
    } catch (const hg::DataError&) {
    }
    return 0;
}
