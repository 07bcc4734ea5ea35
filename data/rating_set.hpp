// Ratings as a list: hg::data::Rating, IdMap (raw ids <-> dense indices), RatingSet (the
// ratings of one file with its id maps), Split (train + test sharing their id maps), and
// random_split. The readers in data/movielens.hpp and the built-in sets in data/builtin.hpp
// produce these; data/ratings.hpp turns them into a sparse matrix.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace hg::data {

// One rating: user and item are DENSE indices (0 .. n-1), not the ids of the file.
struct Rating {
    std::uint32_t user = 0;
    std::uint32_t item = 0;
    float rating = 0.0f;
    std::int64_t timestamp = 0;  // seconds since 1970 (0 when the source has none)
};

// The ratings a format allows: min..max in steps of `step` (1 = whole stars).
struct RatingScale {
    float min = 1.0f, max = 5.0f, step = 1.0f;
    bool contains(float r) const;
    std::string str() const;  // "whole stars 1..5", "half stars 0.5..5", "0..1 in steps of 1"
};

// Raw ids (as written in a file: MovieLens user 196, movie 242, or ml-latest's movie
// 193609) <-> dense indices 0..size()-1. Indices follow the raw ids in increasing order,
// so for ml-100k, whose ids are 1..943 and 1..1682, index == id - 1.
class IdMap {
public:
    IdMap() = default;
    explicit IdMap(std::vector<std::int64_t> raw_ids);  // sorted and deduplicated here

    std::size_t size() const { return raw_.size(); }
    bool contains(std::int64_t raw) const;
    std::uint32_t index(std::int64_t raw) const;  // throws hg::IndexError for an unknown id
    std::int64_t raw(std::size_t index) const;    // throws hg::IndexError past the end
    const std::vector<std::int64_t>& raw_ids() const { return raw_; }
    bool operator==(const IdMap& other) const { return raw_ == other.raw_; }

private:
    std::vector<std::int64_t> raw_;  // sorted; raw_[index] is the raw id of index
    // When the ids are small (every MovieLens set but ml-latest's movies), a direct table
    // raw id -> index + 1 (0 = absent) replaces the binary search in raw_.
    std::vector<std::uint32_t> table_;
};

// The ratings of one file (or one part of a split), with the maps that turn its dense
// indices back into the file's ids.
struct RatingSet {
    std::vector<Rating> ratings;  // in file order
    IdMap users, items;
    RatingScale scale;
    std::string source;  // the file it was read from, or a description ("built-in ...")

    // How the file was read; nothing is dropped silently:
    //   lines_read == ratings.size() + header_lines + blank_lines   (for a set read from a file)
    std::size_t lines_read = 0;
    std::size_t header_lines = 0;  // 1 for ml-latest's "userId,movieId,rating,timestamp"
    std::size_t blank_lines = 0;   // empty lines (a final newline makes none)

    std::size_t size() const { return ratings.size(); }
    std::size_t n_users() const { return users.size(); }
    std::size_t n_items() const { return items.size(); }
    double density() const;  // size / (n_users * n_items)
    std::string summary() const;  // "u1.base: 80000 ratings, 943 users x 1682 items (5.04% dense)"
};

// A train/test pair. Both parts share ONE pair of id maps (a user has the same index in
// both), so n_users()/n_items() count the users and items of either part. Users or items
// that only the test part rates get indices too, with empty train rows; their numbers are
// reported here so that a tutorial can say so (a model cannot know them).
struct Split {
    RatingSet train, test;
    std::size_t test_only_users = 0;  // users rated in test but never in train
    std::size_t test_only_items = 0;  // items rated in test but never in train
};

// A seeded random split of the ratings: each rating lands in test with probability
// ~test_fraction (exactly round(size * test_fraction) ratings go to test). Both parts keep
// the file order and the set's id maps. test_fraction must lie in (0, 1).
Split random_split(const RatingSet& set, double test_fraction, std::uint64_t seed);

namespace detail {
// Fills split.test_only_users / test_only_items from the two parts' ratings.
void count_test_only(Split& split);
}  // namespace detail

}  // namespace hg::data
