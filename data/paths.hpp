// Finding a data set on disk. A tutorial asks once and either reads the real data or says
// plainly that it uses the built-in set:
//
//   DataFolder ml = find_movielens(t.options().data);   // --data DIR, "" when not given
//   if (ml.found()) split = load_movielens_split(ml.path, "u1");
//   else t.say() << "ml-100k not found (" << ml.searched << "): using the built-in synthetic set\n";
//
// The places, in order:
//   1. --data DIR    DIR/<name>, or DIR itself when it holds the files. Given but wrong is
//                    an error (hg::DataError): the user asked for that folder.
//   2. $HG_DATA      the same two checks. A variable naming no folder is an error; so is
//                    one without the MovieLens set asked for (the tests and benchmarks read
//                    MovieLens from there). Fashion-MNIST is looked for further on.
//   3. ./data        data/<name> in the current folder, then in the repository (where
//                    `./lab fetch movielens 100k` unpacks; git-ignored).
//   4. nothing       found() is false; `searched` lists where it looked.
#pragma once

#include <string>

namespace hg::data {

struct DataFolder {
    std::string path;      // the folder holding the data set's files; "" when not found
    std::string found_by;  // "--data", "HG_DATA", "./data", "the repository's data/", "the system"
    std::string searched;  // the places looked at, for a "not found" message
    bool found() const { return !path.empty(); }
};

// A MovieLens set: name is its folder name in the zip ("ml-100k", "ml-1m",
// "ml-latest-small", ...). A folder counts when it holds u.data, u1.base, ratings.dat or
// ratings.csv.
DataFolder find_movielens(const std::string& data_flag = "", const std::string& name = "ml-100k");

// Fashion-MNIST's four IDX files: --data DIR[/fashion-mnist], $HG_DATA/fashion-mnist,
// ./data/fashion-mnist, then Debian's /usr/share/datasets/fashion-mnist.
DataFolder find_fashion_mnist(const std::string& data_flag = "");
// The same, for a program that cannot go on without it: the folder, or an hg::DataError that
// says where it looked and how to install Debian's package dataset-fashion-mnist.
std::string require_fashion_mnist(const std::string& data_flag = "");

// The repository's data/ folder (this source folder): where the fetch command unpacks.
std::string repo_data_dir();

}  // namespace hg::data
