#include "data/ratings.hpp"

#include <algorithm>
#include <numeric>
#include <string>

#include "tensor/error.hpp"

namespace hg::data {

namespace {

struct Triple {
    std::uint32_t row, col;
    float value;
};

// Counting sort by row, then each row sorted by column: O(nnz log(row length)).
Csr build_csr(const std::vector<Triple>& triples, std::size_t n_rows, std::size_t n_cols, const char* row_name,
              const char* col_name) {
    Csr csr;
    csr.n_rows = n_rows;
    csr.n_cols = n_cols;
    csr.offsets.assign(n_rows + 1, 0);
    for (const Triple& t : triples) ++csr.offsets[t.row + 1];
    std::partial_sum(csr.offsets.begin(), csr.offsets.end(), csr.offsets.begin());
    csr.index.resize(triples.size());
    csr.value.resize(triples.size());
    std::vector<std::size_t> next(csr.offsets.begin(), csr.offsets.end() - 1);
    for (const Triple& t : triples) {
        const std::size_t k = next[t.row]++;
        csr.index[k] = t.col;
        csr.value[k] = t.value;
    }
    std::vector<std::pair<std::uint32_t, float>> buf;
    for (std::size_t r = 0; r < n_rows; ++r) {
        const std::size_t b = csr.offsets[r], e = csr.offsets[r + 1];
        const auto first = csr.index.begin() + static_cast<std::ptrdiff_t>(b);
        if (!std::is_sorted(first, first + static_cast<std::ptrdiff_t>(e - b))) {
            buf.clear();
            for (std::size_t k = b; k < e; ++k) buf.emplace_back(csr.index[k], csr.value[k]);
            std::sort(buf.begin(), buf.end(), [](const auto& x, const auto& y) { return x.first < y.first; });
            for (std::size_t k = b; k < e; ++k) {
                csr.index[k] = buf[k - b].first;
                csr.value[k] = buf[k - b].second;
            }
        }
        for (std::size_t k = b + 1; k < e; ++k)
            if (csr.index[k] == csr.index[k - 1])
                throw ValueError("RatingMatrix::from: " + std::string(row_name) + " " + std::to_string(r) + " rates " +
                                 col_name + " " + std::to_string(csr.index[k]) +
                                 " twice (the matrix holds one rating per pair; deduplicate the ratings first)");
    }
    return csr;
}

void check_batch(const std::vector<std::size_t>& rows, std::size_t n, const char* fn, const char* what) {
    for (std::size_t r : rows)
        if (r >= n)
            throw IndexError(std::string("RatingMatrix::") + fn + ": " + what + " index " + std::to_string(r) +
                             " is out of range (" + std::to_string(n) + " " + what + "s)");
}

Tensor rows_of(const Csr& csr, const std::vector<std::size_t>& rows, bool mask, const char* fn, const char* what) {
    check_batch(rows, csr.n_rows, fn, what);
    Tensor out({rows.size(), csr.n_cols});
    float* p = out.data();
    for (std::size_t b = 0; b < rows.size(); ++b) {
        float* dst = p + b * csr.n_cols;
        for (std::size_t k = csr.offsets[rows[b]]; k < csr.offsets[rows[b] + 1]; ++k)
            dst[csr.index[k]] = mask ? 1.0f : csr.value[k];
    }
    return out;
}

std::vector<std::size_t> all_rows(std::size_t n) {
    std::vector<std::size_t> rows(n);
    std::iota(rows.begin(), rows.end(), std::size_t{0});
    return rows;
}

}  // namespace

Csr::Row Csr::row(std::size_t r) const {
    if (r >= n_rows)
        throw IndexError("Csr::row: row " + std::to_string(r) + " is out of range (" + std::to_string(n_rows) + " rows)");
    const std::size_t b = offsets[r], n = offsets[r + 1] - b;
    return {std::span<const std::uint32_t>(index.data() + b, n), std::span<const float>(value.data() + b, n)};
}

RatingMatrix RatingMatrix::from(const std::vector<Rating>& ratings, std::size_t n_users, std::size_t n_items) {
    std::vector<Triple> by_user, by_item;
    by_user.reserve(ratings.size());
    by_item.reserve(ratings.size());
    for (std::size_t k = 0; k < ratings.size(); ++k) {
        const Rating& r = ratings[k];
        if (r.user >= n_users || r.item >= n_items)
            throw IndexError("RatingMatrix::from: rating " + std::to_string(k) + " (user " + std::to_string(r.user) +
                             ", item " + std::to_string(r.item) + ") is outside a matrix of " +
                             std::to_string(n_users) + " users x " + std::to_string(n_items) + " items");
        by_user.push_back({r.user, r.item, r.rating});
        by_item.push_back({r.item, r.user, r.rating});
    }
    RatingMatrix m;
    m.by_user_ = build_csr(by_user, n_users, n_items, "user", "item");
    m.by_item_ = build_csr(by_item, n_items, n_users, "item", "user");
    return m;
}

RatingMatrix RatingMatrix::from(const RatingSet& set) { return from(set.ratings, set.n_users(), set.n_items()); }

double RatingMatrix::density() const {
    const double cells = static_cast<double>(n_users()) * static_cast<double>(n_items());
    return cells > 0 ? static_cast<double>(nnz()) / cells : 0.0;
}

Tensor RatingMatrix::dense_rows(const std::vector<std::size_t>& users) const {
    return rows_of(by_user_, users, false, "dense_rows", "user");
}
Tensor RatingMatrix::observed_rows(const std::vector<std::size_t>& users) const {
    return rows_of(by_user_, users, true, "observed_rows", "user");
}
Tensor RatingMatrix::dense_item_rows(const std::vector<std::size_t>& items) const {
    return rows_of(by_item_, items, false, "dense_item_rows", "item");
}
Tensor RatingMatrix::observed_item_rows(const std::vector<std::size_t>& items) const {
    return rows_of(by_item_, items, true, "observed_item_rows", "item");
}

namespace {
void check_dense_size(std::size_t rows, std::size_t cols, const char* fn) {
    constexpr std::size_t limit = std::size_t{1} << 28;
    if (cols != 0 && rows > limit / cols)
        throw ValueError(std::string("RatingMatrix::") + fn + ": " + std::to_string(rows) + " x " + std::to_string(cols) +
                         " cells is too big to hold densely (limit 2^28 = 1 GiB of floats); take batches with "
                         "dense_rows(users) instead");
}
}  // namespace

Tensor RatingMatrix::dense() const {
    check_dense_size(n_users(), n_items(), "dense");
    return dense_rows(all_rows(n_users()));
}

Tensor RatingMatrix::observed() const {
    check_dense_size(n_users(), n_items(), "observed");
    return observed_rows(all_rows(n_users()));
}

}  // namespace hg::data
