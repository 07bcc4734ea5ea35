#include "data/paths.hpp"

#include <cstdlib>
#include <filesystem>
#include <functional>

#include "data/error.hpp"
#include "data/idx.hpp"

#ifndef HG_SOURCE_ROOT
#error "HG_SOURCE_ROOT must name the repository's folder (set in data/meson.build)"
#endif

namespace hg::data {

namespace fs = std::filesystem;

namespace {

bool has_movielens_files(const fs::path& dir) {
    for (const char* f : {"u.data", "u1.base", "ratings.dat", "ratings.csv"})
        if (fs::exists(dir / f)) return true;
    return false;
}

// Looks in the candidate folders in order; returns the first that holds the set.
struct Search {
    std::function<bool(const fs::path&)> holds;
    DataFolder result;

    bool try_dir(const fs::path& dir, const std::string& how) {
        if (!result.searched.empty()) result.searched += ", ";
        result.searched += dir.string();
        if (!holds(dir)) return false;
        result.path = dir.string();
        result.found_by = how;
        return true;
    }
};

DataFolder find(const std::string& data_flag, const std::string& name, const std::function<bool(const fs::path&)>& holds,
                const std::string& system_dir, bool env_must_hold) {
    Search s{holds, {}};
    if (!data_flag.empty()) {
        if (s.try_dir(fs::path(data_flag) / name, "--data") || s.try_dir(fs::path(data_flag), "--data")) return s.result;
        throw file_error(data_flag, "--data names a folder without " + name + ": looked in " + s.result.searched);
    }
    if (const char* env = std::getenv("HG_DATA"); env && *env) {
        std::error_code ec;
        if (!fs::is_directory(env, ec))
            throw file_error(env, "HG_DATA names no folder: set it to a folder holding " + name +
                                      "/ (or unset it to use what ./lab fetch put in data/, or the built-in set)");
        if (s.try_dir(fs::path(env) / name, "HG_DATA") || s.try_dir(fs::path(env), "HG_DATA")) return s.result;
        if (env_must_hold)
            throw file_error(env, "HG_DATA names a folder without " + name + ": looked in " + s.result.searched +
                                      " (unset it to use the built-in set)");
    }
    std::error_code ec;
    const fs::path here = fs::current_path(ec) / "data", repo = repo_data_dir();
    if (!ec && !fs::equivalent(here, repo, ec) && s.try_dir(here / name, "./data")) return s.result;
    if (s.try_dir(repo / name, "the repository's data/")) return s.result;
    if (!system_dir.empty() && s.try_dir(system_dir, "the system")) return s.result;
    DataFolder not_found;
    not_found.searched = s.result.searched;
    return not_found;
}

}  // namespace

std::string repo_data_dir() { return (fs::path(HG_SOURCE_ROOT) / "data").string(); }

DataFolder find_movielens(const std::string& data_flag, const std::string& name) {
    return find(data_flag, name, has_movielens_files, "", true);
}

DataFolder find_fashion_mnist(const std::string& data_flag) {
    return find(data_flag, "fashion-mnist", [](const fs::path& p) { return fashion_mnist_available(p.string()); },
                fashion_mnist_dir, false);
}

std::string require_fashion_mnist(const std::string& data_flag) {
    const DataFolder folder = find_fashion_mnist(data_flag);
    if (!folder.found())
        throw DataError("Fashion-MNIST not found (looked in " + folder.searched +
                        "). Install Debian's package dataset-fashion-mnist (apt install dataset-fashion-mnist), "
                        "or pass --data DIR with its four IDX files");
    return folder.path;
}

}  // namespace hg::data
