// Every input that ever crashed a fuzz target (fuzz/) is kept in tests/regressions/<target>/
// and replayed here through the same code as the fuzzer (fuzz/targets.hpp): each must load,
// or fail with the reader's documented error type — hg::DataError for the data readers,
// hg::SafetensorsError for the safetensors loader — and nothing else.
#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "fuzz/targets.hpp"

#ifndef HG_REGRESSIONS_DIR
#error "HG_REGRESSIONS_DIR must name tests/regressions"
#endif

namespace {

std::vector<std::string> cases(const std::string& target) {
    std::vector<std::string> files;
    const std::filesystem::path dir = std::filesystem::path(HG_REGRESSIONS_DIR) / target;
    if (std::filesystem::is_directory(dir))
        for (const auto& e : std::filesystem::directory_iterator(dir))
            if (e.is_regular_file() && e.path().filename() != "README.md") files.push_back(e.path().string());
    std::sort(files.begin(), files.end());
    return files;
}

// Replays the cases of one target; returns how many there were.
template <class Documented>
std::size_t replay(const std::string& target, const std::function<void(const std::string&)>& read) {
    const std::vector<std::string> files = cases(target);
    for (const std::string& file : files) {
        CAPTURE(file);
        bool documented_or_ok = false;
        try {
            read(file);
            documented_or_ok = true;
        } catch (const Documented& e) {
            documented_or_ok = std::string(e.what()).find(file) != std::string::npos;  // names the file
        } catch (const std::exception& e) {
            FAIL_CHECK("an undocumented exception: " << std::string(e.what()));
            continue;
        }
        CHECK(documented_or_ok);
    }
    return files.size();
}

}  // namespace

TEST_CASE("fuzz regressions: every input that ever crashed a reader now loads or fails with the documented error") {
    using hg::data::MovieLensFormat;
    std::size_t n = 0;
    n += replay<hg::DataError>("movielens_tab", [](const std::string& f) { hg::fuzz::movielens_one(f, MovieLensFormat::Tab); });
    n += replay<hg::DataError>("movielens_colon",
                               [](const std::string& f) { hg::fuzz::movielens_one(f, MovieLensFormat::DoubleColon); });
    n += replay<hg::DataError>("movielens_csv", [](const std::string& f) { hg::fuzz::movielens_one(f, MovieLensFormat::Csv); });
    n += replay<hg::DataError>("idx", [](const std::string& f) { hg::fuzz::idx_one(f); });
    n += replay<hg::SafetensorsError>("safetensors", [](const std::string& f) { hg::fuzz::safetensors_one(f); });
    n += replay<hg::DataError>("movies", [](const std::string& f) { hg::fuzz::movies_one(f); });
    n += replay<hg::DataError>("genres", [](const std::string& f) { hg::fuzz::genres_one(f); });
    n += replay<hg::SafetensorsError>("checkpoint", [](const std::string& f) { hg::fuzz::checkpoint_one(f); });
    MESSAGE(n << " regression inputs replayed from " << HG_REGRESSIONS_DIR);
    CHECK(n > 0);
}
