// libFuzzer target: the MovieLens reader on ml-1m/10m's '::'-separated ratings.dat, and in automatic
// detection. Only hg::DataError may come out (fuzz/targets.hpp).
#include "fuzz/memory_file.hpp"
#include "fuzz/targets.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    try {
        hg::fuzz::movielens_one(hg::fuzz::as_file(data, size), hg::data::MovieLensFormat::DoubleColon);
    } catch (const hg::DataError&) {
    }
    return 0;
}
