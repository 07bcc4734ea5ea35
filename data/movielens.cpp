#include "data/movielens.hpp"

#include <algorithm>
#include <filesystem>
#include <vector>

#include "data/text.hpp"
#include "tensor/error.hpp"

namespace hg::data {

namespace {

// A rating as written in the file, before its ids are mapped.
struct RawRating {
    std::int64_t user, item;
    float rating;
    std::int64_t timestamp;
    std::size_t line;
};

struct RawFile {
    std::string path;
    MovieLensFormat format = MovieLensFormat::Auto;
    std::vector<RawRating> rows;
    std::size_t lines_read = 0, header_lines = 0, blank_lines = 0;
};

RatingScale scale_of(MovieLensFormat format) {
    if (format == MovieLensFormat::Tab) return {1.0f, 5.0f, 1.0f};
    return {0.5f, 5.0f, 0.5f};
}

std::string_view separator_of(MovieLensFormat format) {
    switch (format) {
        case MovieLensFormat::Tab: return "\t";
        case MovieLensFormat::DoubleColon: return "::";
        default: return ",";
    }
}

std::string separator_name(MovieLensFormat format) {
    switch (format) {
        case MovieLensFormat::Tab: return "tabs";
        case MovieLensFormat::DoubleColon: return "'::'";
        default: return "commas";
    }
}

bool is_csv_header(std::string_view line) {
    return line.rfind("userId", 0) == 0 || line.rfind("\xEF\xBB\xBFuserId", 0) == 0;  // with or without a BOM
}

MovieLensFormat detect(const std::string& path, std::size_t line_no, std::string_view line) {
    if (is_csv_header(line)) return MovieLensFormat::Csv;
    if (line.find("::") != std::string_view::npos) return MovieLensFormat::DoubleColon;
    if (line.find('\t') != std::string_view::npos) return MovieLensFormat::Tab;
    if (line.find(',') != std::string_view::npos) return MovieLensFormat::Csv;
    throw line_error(path, line_no,
                     "cannot tell the MovieLens format: expected fields separated by tabs (ml-100k), '::' "
                     "(ml-1m/10m) or commas (ml-latest/20m/25m/32m ratings.csv)",
                     line);
}

std::int64_t parse_id(const std::string& path, std::size_t line_no, std::string_view field, const char* what) {
    std::int64_t id;
    if (!text::parse_int(text::trim(field), id))
        throw line_error(path, line_no, std::string(text::number_problem(text::trim(field), true)) + " " + what, field);
    if (id <= 0)
        throw line_error(path, line_no, std::string("non-positive ") + what + ": MovieLens ids start at 1", field);
    return id;
}

RawFile read_raw(const std::string& path, MovieLensFormat format) {
    const std::string content = text::read_file(path, "a ratings file");
    if (content.empty()) throw file_error(path, "the file is empty (0 bytes): expected MovieLens ratings");

    RawFile raw;
    raw.path = path;
    raw.format = format;
    raw.rows.reserve(content.size() / 20);  // ~20 bytes per ml-100k line
    text::LineCursor lines(content);
    for (std::string_view line; lines.next(line);) {
        const std::size_t n = lines.number();
        if (text::is_blank(line)) {
            ++raw.blank_lines;
            continue;
        }
        if (raw.format == MovieLensFormat::Auto) raw.format = detect(path, n, line);
        if (raw.format == MovieLensFormat::Csv && raw.rows.empty() && raw.header_lines == 0 && is_csv_header(line)) {
            if (line.find("movieId") == std::string_view::npos || line.find("rating") == std::string_view::npos)
                throw line_error(path, n, "unexpected header: expected 'userId,movieId,rating,timestamp'", line);
            ++raw.header_lines;
            continue;
        }
        std::string_view fields[4];
        const std::size_t n_fields = text::split(line, separator_of(raw.format), fields, 4);
        // A CSV file made by hand may leave out the timestamp (it is then 0).
        const bool csv = raw.format == MovieLensFormat::Csv;
        if (n_fields != 4 && !(csv && n_fields == 3))
            throw line_error(path, n,
                             std::string("wrong column count: expected ") + (csv ? "3 or 4" : "4") +
                                 " fields (user, item, rating" + (csv ? "[, timestamp]" : ", timestamp") +
                                 ") separated by " + separator_name(raw.format) + ", found " + std::to_string(n_fields),
                             line);
        RawRating r;
        r.line = n;
        r.user = parse_id(path, n, fields[0], "user id");
        r.item = parse_id(path, n, fields[1], "item id");
        if (!text::parse_float(text::trim(fields[2]), r.rating))
            throw line_error(path, n, std::string(text::number_problem(text::trim(fields[2]), false)) + " rating", fields[2]);
        const RatingScale scale = scale_of(raw.format);
        if (!scale.contains(r.rating))
            throw line_error(path, n,
                             "rating outside the format's range: " + format_name(raw.format) + " ratings are " +
                                 scale.str(),
                             fields[2]);
        r.timestamp = 0;
        if (n_fields == 4 && !text::parse_int(text::trim(fields[3]), r.timestamp))
            throw line_error(path, n, std::string(text::number_problem(text::trim(fields[3]), true)) + " timestamp", fields[3]);
        raw.rows.push_back(r);
    }
    raw.lines_read = lines.number();
    if (raw.rows.empty())
        throw file_error(path, "no ratings in the file (" + std::to_string(raw.lines_read) + " lines read, " +
                                   std::to_string(raw.header_lines) + " header, " + std::to_string(raw.blank_lines) +
                                   " blank)");
    return raw;
}

// The rows of a file sorted by (user, item, line), as indices into raw.rows.
std::vector<std::uint32_t> sorted_by_pair(const RawFile& raw) {
    std::vector<std::uint32_t> order(raw.rows.size());
    for (std::uint32_t i = 0; i < order.size(); ++i) order[i] = i;
    std::sort(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t b) {
        const RawRating &x = raw.rows[a], &y = raw.rows[b];
        if (x.user != y.user) return x.user < y.user;
        if (x.item != y.item) return x.item < y.item;
        return x.line < y.line;
    });
    return order;
}

// The text of line `line_no` of a file — read again, only to quote it in an error.
std::string line_at(const std::string& path, std::size_t line_no) {
    const std::string content = text::read_file(path);
    text::LineCursor lines(content);
    for (std::string_view line; lines.next(line);)
        if (lines.number() == line_no) return std::string(line);
    return "";
}

// Policy: a (user, item) pair rated twice in one file is an error naming both lines.
void check_no_duplicates(const RawFile& raw, const std::vector<std::uint32_t>& order) {
    for (std::size_t k = 1; k < order.size(); ++k) {
        const RawRating &a = raw.rows[order[k - 1]], &b = raw.rows[order[k]];
        if (a.user == b.user && a.item == b.item)
            throw line_error(raw.path, b.line,
                             "duplicate (user, item) pair: user " + std::to_string(b.user) + " already rated item " +
                                 std::to_string(b.item) + " on line " + std::to_string(a.line) +
                                 " (duplicates are an error, not 'keep last')",
                             line_at(raw.path, b.line));
    }
}

// A pair rated in both the train and the test file would leak the answer: an error.
void check_disjoint(const RawFile& train, const std::vector<std::uint32_t>& train_order, const RawFile& test,
                    const std::vector<std::uint32_t>& test_order) {
    std::size_t i = 0, j = 0;
    while (i < train_order.size() && j < test_order.size()) {
        const RawRating &a = train.rows[train_order[i]], &b = test.rows[test_order[j]];
        if (a.user == b.user && a.item == b.item)
            throw line_error(test.path, b.line,
                             "the test file rates user " + std::to_string(b.user) + ", item " + std::to_string(b.item) +
                                 ", which the train file " + train.path + " also rates (line " + std::to_string(a.line) +
                                 "): train and test must be disjoint",
                             line_at(test.path, b.line));
        const bool a_first = a.user != b.user ? a.user < b.user : a.item < b.item;
        if (a_first) ++i;
        else ++j;
    }
}

RatingSet to_set(const RawFile& raw, const IdMap& users, const IdMap& items) {
    RatingSet set;
    set.users = users;
    set.items = items;
    set.scale = scale_of(raw.format);
    set.source = raw.path;
    set.lines_read = raw.lines_read;
    set.header_lines = raw.header_lines;
    set.blank_lines = raw.blank_lines;
    set.ratings.reserve(raw.rows.size());
    for (const RawRating& r : raw.rows)
        set.ratings.push_back({users.index(r.user), items.index(r.item), r.rating, r.timestamp});
    return set;
}

void add_ids(const RawFile& raw, std::vector<std::int64_t>& users, std::vector<std::int64_t>& items) {
    for (const RawRating& r : raw.rows) {
        users.push_back(r.user);
        items.push_back(r.item);
    }
}

std::string find_ratings_file(const std::string& dir) {
    for (const char* name : {"u.data", "ratings.dat", "ratings.csv"}) {
        const auto p = std::filesystem::path(dir) / name;
        if (std::filesystem::exists(p)) return p.string();
    }
    throw file_error(dir, "no MovieLens ratings file here: looked for u.data (ml-100k), ratings.dat (ml-1m/10m) and "
                          "ratings.csv (ml-latest/20m/25m/32m); for ml-100k's splits use load_movielens_split(dir, \"u1\")");
}

}  // namespace

std::string format_name(MovieLensFormat format) {
    switch (format) {
        case MovieLensFormat::Auto: return "automatic";
        case MovieLensFormat::Tab: return "ml-100k (tab-separated)";
        case MovieLensFormat::DoubleColon: return "ml-1m/10m ('::'-separated)";
        case MovieLensFormat::Csv: return "ml-latest (ratings.csv)";
    }
    return "?";
}

RatingSet load_movielens(const std::string& path, MovieLensFormat format) {
    const std::string file = std::filesystem::is_directory(path) ? find_ratings_file(path) : path;
    const RawFile raw = read_raw(file, format);
    check_no_duplicates(raw, sorted_by_pair(raw));
    std::vector<std::int64_t> users, items;
    add_ids(raw, users, items);
    return to_set(raw, IdMap(std::move(users)), IdMap(std::move(items)));
}

Split load_movielens_pair(const std::string& train_path, const std::string& test_path, MovieLensFormat format) {
    const RawFile train = read_raw(train_path, format);
    const RawFile test = read_raw(test_path, format == MovieLensFormat::Auto ? train.format : format);
    const auto train_order = sorted_by_pair(train), test_order = sorted_by_pair(test);
    check_no_duplicates(train, train_order);
    check_no_duplicates(test, test_order);
    check_disjoint(train, train_order, test, test_order);

    std::vector<std::int64_t> users, items;
    add_ids(train, users, items);
    add_ids(test, users, items);
    const IdMap user_map(std::move(users)), item_map(std::move(items));
    Split split{to_set(train, user_map, item_map), to_set(test, user_map, item_map)};
    detail::count_test_only(split);
    return split;
}

Split load_movielens_split(const std::string& dir, const std::string& name) {
    const auto base = std::filesystem::path(dir) / (name + ".base");
    const auto test = std::filesystem::path(dir) / (name + ".test");
    return load_movielens_pair(base.string(), test.string(), MovieLensFormat::Auto);
}

}  // namespace hg::data
