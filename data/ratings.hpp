// hg::data::RatingMatrix — the users x items ratings matrix, stored sparsely.
//
// ml-100k's matrix is 943 x 1682 = 1.6 M cells of which 80,000 (5%) are rated; ml-25m's
// is 162,541 x 59,047 = 9.6 G cells (38 GB as dense floats) of which 25 M are rated. So
// the matrix is kept in compressed sparse row form (CSR), twice:
//
//   by_user(): row u lists the items user u rated and the ratings   (users x items)
//   by_item(): row i lists the users who rated item i and the ratings (items x users;
//              the same numbers, i.e. the CSC form of the users x items matrix)
//
// A CSR of R rows is three arrays: offsets (R + 1 numbers), index and value (one per
// rating). Row r's entries are index[offsets[r] .. offsets[r+1]) — sorted — and their values:
//
//   users x items            by_user(): offsets = {0, 2, 3}
//     [ 5  .  3 ]                       index   = {0, 2, 1}
//     [ .  4  . ]                       value   = {5, 3, 4}
//
// A model that reads whole rows (the course's autoencoder takes one user's ratings of
// every movie) asks for a dense batch:
//
//   RatingMatrix m = RatingMatrix::from(split.train);
//   hg::Tensor x = m.dense_rows({4, 17, 99});     // (3 x n_items), 0 where not rated
//   hg::Tensor mask = m.observed_rows({4, 17, 99}); // (3 x n_items), 1 where rated
//   hg::Tensor items = m.dense_item_rows({0, 1});  // (2 x n_users): item-based models (I-AutoRec)
//   for (auto [item, r] : m.by_user().row(4)) ... // or walk one row's ratings directly
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "data/rating_set.hpp"
#include "tensor/tensor.hpp"

namespace hg::data {

// One sparse matrix in compressed sparse row form.
struct Csr {
    struct Entry {
        std::uint32_t index;  // column
        float value;
    };
    // The entries of one row: iterate `for (auto [col, v] : csr.row(r))`.
    struct Row {
        std::span<const std::uint32_t> index;
        std::span<const float> value;
        std::size_t size() const { return index.size(); }
        bool empty() const { return index.empty(); }
        Entry operator[](std::size_t k) const { return {index[k], value[k]}; }
        struct Iterator {
            const Row* row;
            std::size_t k;
            Entry operator*() const { return (*row)[k]; }
            Iterator& operator++() { ++k; return *this; }
            bool operator!=(const Iterator& o) const { return k != o.k; }
        };
        Iterator begin() const { return {this, 0}; }
        Iterator end() const { return {this, size()}; }
    };

    std::size_t n_rows = 0, n_cols = 0;
    std::vector<std::size_t> offsets;  // n_rows + 1
    std::vector<std::uint32_t> index;  // column of each entry, sorted within a row
    std::vector<float> value;

    Row row(std::size_t r) const;  // throws hg::IndexError past the end
    std::size_t nnz() const { return value.size(); }
};

class RatingMatrix {
public:
    RatingMatrix() = default;
    // Ratings with user < n_users and item < n_items (else hg::IndexError). A (user, item)
    // pair given twice is an hg::ValueError — the readers never produce one.
    static RatingMatrix from(const std::vector<Rating>& ratings, std::size_t n_users, std::size_t n_items);
    // The set's ratings, sized by its id maps (a split's parts give matrices of equal size).
    static RatingMatrix from(const RatingSet& set);

    std::size_t n_users() const { return by_user_.n_rows; }
    std::size_t n_items() const { return by_user_.n_cols; }
    std::size_t nnz() const { return by_user_.nnz(); }  // number of ratings
    double density() const;

    const Csr& by_user() const { return by_user_; }  // users x items
    const Csr& by_item() const { return by_item_; }  // items x users

    // A batch of users as dense rows: (users.size() x n_items), 0 where not rated.
    Tensor dense_rows(const std::vector<std::size_t>& users) const;
    // 1 where the user rated the item, 0 elsewhere — the mask of a masked loss.
    Tensor observed_rows(const std::vector<std::size_t>& users) const;
    // A batch of items as dense rows of the items x users matrix: (items.size() x n_users).
    Tensor dense_item_rows(const std::vector<std::size_t>& items) const;
    Tensor observed_item_rows(const std::vector<std::size_t>& items) const;

    // The whole matrix, for small sets (ml-100k: 943 x 1682). Refuses (hg::ValueError)
    // above 2^28 cells (1 GiB of floats) and points at dense_rows().
    Tensor dense() const;
    Tensor observed() const;

private:
    Csr by_user_, by_item_;
};

}  // namespace hg::data
