#include "data/movies.hpp"

#include <algorithm>
#include <filesystem>

#include "data/text.hpp"

namespace hg::data {

namespace {

enum class MoviesFormat { UItem, Dat, Csv };

bool is_csv_header(std::string_view line) {
    return line.rfind("movieId", 0) == 0 || line.rfind("\xEF\xBB\xBFmovieId", 0) == 0;  // with or without a BOM
}

MoviesFormat detect(const std::string& path, std::size_t line_no, std::string_view line) {
    if (is_csv_header(line)) return MoviesFormat::Csv;
    if (line.find("::") != std::string_view::npos) return MoviesFormat::Dat;
    if (line.find('|') != std::string_view::npos) return MoviesFormat::UItem;
    if (line.find(',') != std::string_view::npos) return MoviesFormat::Csv;
    throw line_error(path, line_no,
                     "cannot tell the movie file's format: expected u.item ('|'-separated), movies.dat ('::') or "
                     "movies.csv (with the header movieId,title,genres)",
                     line);
}

std::int64_t parse_movie_id(const std::string& path, std::size_t line_no, std::string_view field) {
    std::int64_t id;
    if (!text::parse_int(text::trim(field), id))
        throw line_error(path, line_no, std::string(text::number_problem(text::trim(field), true)) + " movie id", field);
    if (id <= 0) throw line_error(path, line_no, "non-positive movie id: MovieLens ids start at 1", field);
    return id;
}

std::vector<std::string> split_genres(std::string_view field) {
    std::vector<std::string> genres;
    if (text::trim(field).empty() || text::trim(field) == "(no genres listed)") return genres;
    for (std::string_view g : text::split(field, "|")) genres.emplace_back(text::trim(g));
    return genres;
}

std::string find_movies_file(const std::string& dir) {
    for (const char* name : {"u.item", "movies.dat", "movies.csv"}) {
        const auto p = std::filesystem::path(dir) / name;
        if (std::filesystem::exists(p)) return p.string();
    }
    throw file_error(dir, "no MovieLens movie file here: looked for u.item (ml-100k), movies.dat (ml-1m/10m) and "
                          "movies.csv (ml-latest/20m/25m/32m)");
}

}  // namespace

std::vector<std::string> load_genre_names(const std::string& path) {
    const std::string content = text::read_file(path, "the genre list u.genre");
    std::vector<std::string> names;
    text::LineCursor lines(content);
    for (std::string_view line; lines.next(line);) {
        if (text::is_blank(line)) continue;
        const auto f = text::split(line, "|");
        std::int64_t index;
        if (f.size() != 2 || !text::parse_int(text::trim(f[1]), index) || index < 0 || index > 100)
            throw line_error(path, lines.number(), "expected 'genre name|index'", line);
        if (names.size() <= static_cast<std::size_t>(index)) names.resize(static_cast<std::size_t>(index) + 1);
        names[static_cast<std::size_t>(index)] = text::to_utf8(text::trim(f[0]));
    }
    return names;
}

const std::vector<std::string>& movielens_100k_genres() {
    static const std::vector<std::string> names = {
        "unknown", "Action",    "Adventure", "Animation", "Children's", "Comedy",  "Crime",
        "Documentary", "Drama", "Fantasy",   "Film-Noir", "Horror",     "Musical", "Mystery",
        "Romance", "Sci-Fi",    "Thriller",  "War",       "Western"};
    return names;
}

int year_from_title(const std::string& title) {
    const std::string_view t = text::trim(title);
    if (t.size() < 6 || t.back() != ')' || t[t.size() - 6] != '(') return 0;
    std::int64_t year;
    if (!text::parse_int(t.substr(t.size() - 5, 4), year) || year < 1800 || year > 2999) return 0;
    return static_cast<int>(year);
}

MovieCatalog::MovieCatalog(std::vector<Movie> movies, std::string source)
    : movies_(std::move(movies)), source_(std::move(source)) {
    std::stable_sort(movies_.begin(), movies_.end(), [](const Movie& a, const Movie& b) { return a.id < b.id; });
    for (std::size_t k = 1; k < movies_.size(); ++k)
        if (movies_[k].id == movies_[k - 1].id)
            throw file_error(source_, "movie id " + std::to_string(movies_[k].id) + " is listed twice");
}

const Movie* MovieCatalog::find(std::int64_t id) const {
    const auto it = std::lower_bound(movies_.begin(), movies_.end(), id,
                                     [](const Movie& m, std::int64_t v) { return m.id < v; });
    return it != movies_.end() && it->id == id ? &*it : nullptr;
}

std::string MovieCatalog::title(std::int64_t id) const {
    const Movie* m = find(id);
    return m ? m->title : "movie " + std::to_string(id) + " (no title)";
}

MovieCatalog load_movies(const std::string& path) {
    const std::string file = std::filesystem::is_directory(path) ? find_movies_file(path) : path;
    const std::string content = text::read_file(file, "a movies file");
    if (content.empty()) throw file_error(file, "the file is empty (0 bytes): expected MovieLens movies");

    std::vector<std::string> genre_names = movielens_100k_genres();
    const auto genre_file = std::filesystem::path(file).parent_path() / "u.genre";

    std::vector<Movie> movies;
    std::vector<std::size_t> line_of;  // to name the line of a duplicate id
    bool format_known = false, header_seen = false;
    MoviesFormat format = MoviesFormat::UItem;
    std::vector<std::string> csv;
    text::LineCursor lines(content);
    for (std::string_view line; lines.next(line);) {
        const std::size_t n = lines.number();
        if (text::is_blank(line)) continue;
        if (!format_known) {
            format = detect(file, n, line);
            format_known = true;
            if (format == MoviesFormat::UItem && std::filesystem::exists(genre_file))
                genre_names = load_genre_names(genre_file.string());
        }
        Movie m;
        if (format == MoviesFormat::UItem) {
            const auto f = text::split(line, "|");
            const std::size_t expected = 5 + genre_names.size();
            if (f.size() != expected)
                throw line_error(file, n,
                                 "wrong column count: expected " + std::to_string(expected) +
                                     " '|'-separated fields (id, title, release date, video date, URL, " +
                                     std::to_string(genre_names.size()) + " genre flags), found " +
                                     std::to_string(f.size()),
                                 line);
            m.id = parse_movie_id(file, n, f[0]);
            m.title = text::to_utf8(text::trim(f[1]));
            for (std::size_t g = 0; g < genre_names.size(); ++g) {
                const std::string_view flag = text::trim(f[5 + g]);
                if (flag != "0" && flag != "1")
                    throw line_error(file, n, "genre flag " + std::to_string(g + 1) + " (" + genre_names[g] +
                                                  ") must be 0 or 1", flag);
                if (flag == "1") m.genres.push_back(genre_names[g]);
            }
            m.year = year_from_title(m.title);
            std::int64_t y;  // release date "01-Jan-1995" when the title has no year (same range as a title's)
            const std::string_view date = text::trim(f[2]);
            if (m.year == 0 && date.size() >= 4 && text::parse_int(date.substr(date.size() - 4), y) && y >= 1800 && y <= 2999)
                m.year = static_cast<int>(y);
        } else if (format == MoviesFormat::Dat) {
            const auto f = text::split(line, "::");
            if (f.size() != 3)
                throw line_error(file, n,
                                 "wrong column count: expected 3 '::'-separated fields (MovieID, Title, Genres), found " +
                                     std::to_string(f.size()),
                                 line);
            m.id = parse_movie_id(file, n, f[0]);
            m.title = text::to_utf8(text::trim(f[1]));
            m.genres = split_genres(text::to_utf8(f[2]));
            m.year = year_from_title(m.title);
        } else {
            if (!header_seen && movies.empty() && is_csv_header(line)) {
                header_seen = true;
                continue;
            }
            if (!text::split_csv(line, csv))
                throw line_error(file, n, "broken CSV quoting: a quoted field must end with a quote before the next comma",
                                 line);
            if (csv.size() != 3)
                throw line_error(file, n,
                                 "wrong column count: expected 3 fields (movieId, title, genres), found " +
                                     std::to_string(csv.size()) + " (a title with commas must be in double quotes)",
                                 line);
            m.id = parse_movie_id(file, n, csv[0]);
            m.title = text::to_utf8(text::trim(csv[1]));
            m.genres = split_genres(text::to_utf8(csv[2]));
            m.year = year_from_title(m.title);
        }
        movies.push_back(std::move(m));
        line_of.push_back(n);
    }
    if (movies.empty()) throw file_error(file, "no movies in the file (" + std::to_string(lines.number()) + " lines read)");

    // A duplicate id names both lines (the catalog itself only knows the file).
    std::vector<std::size_t> order(movies.size());
    for (std::size_t k = 0; k < order.size(); ++k) order[k] = k;
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return movies[a].id < movies[b].id; });
    for (std::size_t k = 1; k < order.size(); ++k)
        if (movies[order[k]].id == movies[order[k - 1]].id)
            throw line_error(file, line_of[order[k]],
                             "duplicate movie id " + std::to_string(movies[order[k]].id) + ", already listed on line " +
                                 std::to_string(line_of[order[k - 1]]),
                             movies[order[k]].title);

    MovieCatalog catalog(std::move(movies), file);
    catalog.lines_read = lines.number();
    return catalog;
}

}  // namespace hg::data
