// What each fuzz target does with one input file — shared by the libFuzzer programs in this
// folder and by tests/test_regressions.cpp, which replays every input that ever crashed.
//
// Each function reads one file the way a user's program would and checks the promises of
// the reader on what it returns. A bad file must throw the reader's documented error type
// (hg::DataError for data/, hg::SafetensorsError for nn/safetensors); the functions let it
// through and the caller accepts it. Anything else — a crash, a hang, a leak, another
// exception type, a broken promise (std::abort) — is a bug.
#pragma once

#include <cmath>
#include <cstdlib>
#include <string>

#include "data/idx.hpp"
#include "data/movielens.hpp"
#include "data/movies.hpp"
#include "data/ratings.hpp"
#include "nn/checkpoint.hpp"
#include "nn/linear.hpp"
#include "nn/safetensors.hpp"
#include "nn/sgd.hpp"

namespace hg::fuzz {

// A promise of the reader did not hold: abort, so that libFuzzer reports a crash.
inline void promise(bool ok) {
    if (!ok) std::abort();
}

// The MovieLens reader, in one format, then in automatic detection.
inline void movielens_one(const std::string& path, hg::data::MovieLensFormat format) {
    for (hg::data::MovieLensFormat f : {format, hg::data::MovieLensFormat::Auto}) {
        try {
            const hg::data::RatingSet set = hg::data::load_movielens(path, f);
            promise(set.size() > 0);
            promise(set.lines_read == set.size() + set.header_lines + set.blank_lines);
            for (const hg::data::Rating& r : set.ratings)
                promise(r.user < set.n_users() && r.item < set.n_items() && set.scale.contains(r.rating));
            const hg::data::RatingMatrix m = hg::data::RatingMatrix::from(set);
            promise(m.nnz() == set.size());
        } catch (const hg::DataError&) {
            if (f == hg::data::MovieLensFormat::Auto) throw;
        }
    }
}

// The IDX reader: the header, then the file as images and as labels (plain or gzip).
inline void idx_one(const std::string& path) {
    bool any_error = false;
    try {
        const hg::data::IdxHeader h = hg::data::read_idx_header(path);
        promise(!h.dims.empty() && h.dims.size() <= 4);
    } catch (const hg::DataError&) {
        any_error = true;
    }
    try {
        const Tensor images = hg::data::load_idx_images(path);
        promise(images.rank() == 2);
        for (std::size_t k = 0; k < images.numel(); ++k) promise(images[k] >= 0.0f && images[k] <= 1.0f);
    } catch (const hg::DataError&) {
        any_error = true;
    }
    try {
        const std::vector<int> labels = hg::data::load_idx_labels(path);
        for (int l : labels) promise(l >= 0 && l <= 255);
    } catch (const hg::DataError&) {
        any_error = true;
    }
    if (any_error) throw hg::DataError(path + ": rejected (see the readers' messages)");
}

// The safetensors loader: the whole file, then into a small model (names must match).
inline void safetensors_one(const std::string& path) {
    const NamedTensors tensors = load_safetensors(path);
    for (const auto& [name, t] : tensors) promise(!name.empty() && name != "__metadata__");
    static hg::Rng rng(0);
    static hg::Linear model(2, 3, rng);
    load(model, path);  // a file not made for this model throws SafetensorsError
}

// The movie metadata reader (u.item, movies.dat, movies.csv, told apart by their first line).
inline void movies_one(const std::string& path) {
    const hg::data::MovieCatalog movies = hg::data::load_movies(path);
    promise(movies.lines_read >= movies.size());
    for (std::size_t k = 0; k < movies.size(); ++k) {
        const hg::data::Movie& m = movies.movies()[k];
        promise(m.id > 0 && (k == 0 || movies.movies()[k - 1].id < m.id));
        promise(m.year == 0 || (m.year >= 1800 && m.year <= 2999));
        promise(movies.find(m.id) == &m);
    }
}

// u.genre's reader.
inline void genres_one(const std::string& path) {
    const std::vector<std::string> names = hg::data::load_genre_names(path);
    promise(names.size() <= 101);
}

// A checkpoint's metadata: the epoch, the extra values read every way tutorial 03 reads
// them, then the whole file into a small model and optimiser. A checkpoint of another
// model or optimiser is refused with hg::ValueError, which is accepted here.
inline void checkpoint_one(const std::string& path) {
    const auto [epoch, extra] = hg::checkpoint_info(path);
    promise(epoch <= 2147483647u);
    for (const auto& [key, value] : extra) {
        promise(hg::checkpoint_text(path, extra, key) == value);
        try {
            promise(std::isfinite(hg::checkpoint_number(path, extra, key)));
        } catch (const hg::SafetensorsError&) {
        }
        try {
            promise(hg::checkpoint_count(path, extra, key) >= 0);
        } catch (const hg::SafetensorsError&) {
        }
        try {
            const std::vector<double> values = hg::checkpoint_numbers(path, extra, key, epoch);
            promise(values.size() == epoch);
            for (double v : values) promise(std::isfinite(v));
        } catch (const hg::SafetensorsError&) {
        }
    }
    try {
        hg::check_checkpoint_settings(path, extra, {{"mode", "course"}, {"seed", "42"}});
        promise(extra.at("mode") == "course" && extra.at("seed") == "42");
    } catch (const hg::ValueError&) {
    }
    static hg::Rng rng(0);
    static hg::Linear model(2, 3, rng);
    static hg::SGD optimizer(model.parameters(), hg::SGDOptions(0.1f).momentum(0.9f));
    hg::Checkpoint checkpoint(model, optimizer);
    try {
        promise(checkpoint.load(path) == epoch);
    } catch (const hg::ValueError&) {
    }
}

}  // namespace hg::fuzz
