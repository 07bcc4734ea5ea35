// MovieLens readers — the data layer's front door. Start here.
//
// MovieLens (GroupLens, University of Minnesota; Harper & Konstan 2015, "The MovieLens
// Datasets: History and Context", ACM TiiS 5(4)) comes in three file formats, all read
// here, detected from the first line or named explicitly:
//
//   MovieLensFormat::Tab          ml-100k   u.data, u1.base..u5.test, ua/ub   user \t item \t rating \t timestamp
//                                           whole stars 1..5
//   MovieLensFormat::DoubleColon  ml-1m, ml-10m   ratings.dat                UserID::MovieID::Rating::Timestamp
//                                           half stars 0.5..5 (ml-1m uses whole stars only)
//   MovieLensFormat::Csv          ml-latest(-small), ml-20m, ml-25m, ml-32m   ratings.csv, header
//                                           "userId,movieId,rating,timestamp", half stars 0.5..5;
//                                           a file made by hand may leave out the timestamp
//
// A worked example — the course's recommender set-up on ml-100k's canonical split:
//
//   #include "data/movielens.hpp"
//   #include "data/movies.hpp"
//   #include "data/ratings.hpp"
//   using namespace hg::data;
//
//   Split s = load_movielens_split("data/ml-100k", "u1");   // u1.base + u1.test
//   s.train.size();                  // 80000 ratings  (s.test.size() == 20000)
//   s.train.n_users();               // 943  — ids 1..943 map to indices 0..942
//   s.train.n_items();               // 1682 — the items of BOTH files (see "Ids" below)
//   RatingMatrix m = RatingMatrix::from(s.train);
//   hg::Tensor x = m.dense_rows({0, 1, 2});   // users 1..3 as a (3 x 1682) batch, 0 = unrated
//   MovieCatalog movies = load_movies("data/ml-100k");      // u.item, latin-1 -> UTF-8
//   movies.title(s.train.items.raw(0));                     // "Toy Story (1995)"
//
// Any other set: load_movielens("data/ml-latest-small") reads its ratings.csv, and
// random_split(set, 0.2, seed) (data/rating_set.hpp) makes a seeded 80/20 split.
//
// Ids. Raw ids are mapped to dense indices by IdMap, in increasing order of the raw id.
// A train/test pair is read together and gets ONE pair of maps built from the ids of both
// files, so a user has the same index in train and test, and the matrix has a column for
// every item of either file. Users/items that only the test file rates are counted in
// Split::test_only_users / test_only_items (ml-100k u1: 0 users, 32 items).
//
// Policies (each one is tested):
//   * A duplicate (user, item) pair in one file is an ERROR naming both lines — MovieLens
//     files have none, so a duplicate means a damaged or concatenated file. A pair rated in
//     both the train and the test file is an error too (it would leak the answer).
//   * Ratings outside the format's scale, non-positive or non-numeric ids, a wrong number
//     of fields: errors. Blank lines are skipped and counted (RatingSet::blank_lines).
//   * Every error is an hg::DataError "<file>:<line>: <what> (got '<text>')".
//   * Nothing is dropped silently: lines_read == size() + header_lines + blank_lines.
#pragma once

#include <string>

#include "data/error.hpp"
#include "data/rating_set.hpp"

namespace hg::data {

enum class MovieLensFormat {
    Auto,         // decide from the first non-blank line
    Tab,          // ml-100k
    DoubleColon,  // ml-1m, ml-10m
    Csv,          // ml-latest, ml-latest-small, ml-20m, ml-25m, ml-32m
};
std::string format_name(MovieLensFormat format);  // "ml-100k (tab-separated)", ...

// The ratings of one file. `path` is a ratings file, or a folder holding u.data,
// ratings.dat or ratings.csv (looked for in that order).
RatingSet load_movielens(const std::string& path, MovieLensFormat format = MovieLensFormat::Auto);

// A train file and a test file read together, with shared id maps (see "Ids" above).
Split load_movielens_pair(const std::string& train_path, const std::string& test_path,
                          MovieLensFormat format = MovieLensFormat::Auto);

// One of ml-100k's canonical splits: dir/<name>.base and dir/<name>.test, name in
// u1..u5 (five disjoint 80/20 splits for cross-validation) or ua/ub (10 test ratings per user).
Split load_movielens_split(const std::string& dir, const std::string& name = "u1");

}  // namespace hg::data
