#include "data/rating_set.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "tensor/error.hpp"
#include "tensor/format.hpp"
#include "tensor/rng.hpp"

namespace hg::data {

bool RatingScale::contains(float r) const {
    if (!(r >= min - 1e-6f && r <= max + 1e-6f)) return false;
    const float steps = (r - min) / step;
    return std::fabs(steps - std::round(steps)) < 1e-4f;
}

std::string RatingScale::str() const {
    const std::string range = format_number(min) + ".." + format_number(max);
    if (step == 1.0f && min >= 1.0f) return "whole stars " + range;
    if (step == 0.5f) return "half stars " + range;
    return range + " in steps of " + format_number(step);
}

namespace {
// Ids in 0..limit are "small": a table of limit + 1 entries costs little next to them.
std::int64_t small_id_limit(std::size_t n) { return static_cast<std::int64_t>(4 * n + 65536); }
}  // namespace

IdMap::IdMap(std::vector<std::int64_t> raw_ids) {
    const auto [lo, hi] = std::minmax_element(raw_ids.begin(), raw_ids.end());
    if (!raw_ids.empty() && *lo >= 0 && *hi <= small_id_limit(raw_ids.size())) {
        // Sorting by presence flags: O(n + max id), and duplicates vanish for free.
        std::vector<bool> present(static_cast<std::size_t>(*hi) + 1, false);
        for (std::int64_t id : raw_ids) present[static_cast<std::size_t>(id)] = true;
        for (std::size_t id = 0; id < present.size(); ++id)
            if (present[id]) raw_.push_back(static_cast<std::int64_t>(id));
    } else {
        raw_ = std::move(raw_ids);
        std::sort(raw_.begin(), raw_.end());
        raw_.erase(std::unique(raw_.begin(), raw_.end()), raw_.end());
    }
    if (!raw_.empty() && raw_.front() >= 0 && raw_.back() <= small_id_limit(raw_.size())) {
        table_.assign(static_cast<std::size_t>(raw_.back()) + 1, 0);
        for (std::size_t k = 0; k < raw_.size(); ++k) table_[static_cast<std::size_t>(raw_[k])] = static_cast<std::uint32_t>(k + 1);
    }
}

bool IdMap::contains(std::int64_t raw) const {
    if (!table_.empty()) return raw >= 0 && static_cast<std::size_t>(raw) < table_.size() && table_[static_cast<std::size_t>(raw)] != 0;
    return std::binary_search(raw_.begin(), raw_.end(), raw);
}

std::uint32_t IdMap::index(std::int64_t raw) const {
    if (!table_.empty() && raw >= 0 && static_cast<std::size_t>(raw) < table_.size() && table_[static_cast<std::size_t>(raw)] != 0)
        return table_[static_cast<std::size_t>(raw)] - 1;
    const auto it = std::lower_bound(raw_.begin(), raw_.end(), raw);
    if (it == raw_.end() || *it != raw)
        throw IndexError("IdMap::index: id " + std::to_string(raw) + " is not in the map (" +
                         std::to_string(raw_.size()) + " ids" +
                         (raw_.empty() ? std::string() : ", from " + std::to_string(raw_.front()) + " to " +
                                                             std::to_string(raw_.back())) +
                         ")");
    return static_cast<std::uint32_t>(it - raw_.begin());
}

std::int64_t IdMap::raw(std::size_t index) const {
    if (index >= raw_.size())
        throw IndexError("IdMap::raw: index " + std::to_string(index) + " is past the end of a map of " +
                         std::to_string(raw_.size()) + " ids");
    return raw_[index];
}

double RatingSet::density() const {
    const double cells = static_cast<double>(n_users()) * static_cast<double>(n_items());
    return cells > 0 ? static_cast<double>(size()) / cells : 0.0;
}

std::string RatingSet::summary() const {
    char pct[32];
    std::snprintf(pct, sizeof pct, "%.2f%%", 100.0 * density());
    return source + ": " + std::to_string(size()) + " ratings, " + std::to_string(n_users()) + " users x " +
           std::to_string(n_items()) + " items (" + pct + " dense)";
}

namespace detail {
void count_test_only(Split& split) {
    std::vector<bool> user_in_train(split.train.n_users(), false), item_in_train(split.train.n_items(), false);
    for (const Rating& r : split.train.ratings) {
        user_in_train[r.user] = true;
        item_in_train[r.item] = true;
    }
    std::vector<bool> user_counted(split.test.n_users(), false), item_counted(split.test.n_items(), false);
    split.test_only_users = split.test_only_items = 0;
    for (const Rating& r : split.test.ratings) {
        if (!user_in_train[r.user] && !user_counted[r.user]) {
            user_counted[r.user] = true;
            ++split.test_only_users;
        }
        if (!item_in_train[r.item] && !item_counted[r.item]) {
            item_counted[r.item] = true;
            ++split.test_only_items;
        }
    }
}
}  // namespace detail

Split random_split(const RatingSet& set, double test_fraction, std::uint64_t seed) {
    if (!(test_fraction > 0.0 && test_fraction < 1.0))
        throw ValueError("random_split: test_fraction must lie in (0, 1), got " + std::to_string(test_fraction));
    std::vector<std::size_t> order(set.size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
    Rng rng(seed);
    rng.shuffle(order);
    const auto n_test = static_cast<std::size_t>(std::llround(static_cast<double>(set.size()) * test_fraction));
    std::vector<bool> in_test(set.size(), false);
    for (std::size_t k = 0; k < n_test; ++k) in_test[order[k]] = true;

    Split split;
    for (RatingSet* part : {&split.train, &split.test}) {
        part->users = set.users;
        part->items = set.items;
        part->scale = set.scale;
    }
    const std::string how = " [random split, test fraction " + format_number(static_cast<float>(test_fraction)) +
                            ", seed " + std::to_string(seed) + "]";
    split.train.source = set.source + how + " train";
    split.test.source = set.source + how + " test";
    for (std::size_t i = 0; i < set.size(); ++i) (in_test[i] ? split.test : split.train).ratings.push_back(set.ratings[i]);

    detail::count_test_only(split);
    return split;
}

}  // namespace hg::data
