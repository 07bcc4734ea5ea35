// Movie metadata — titles, years and genres — for showing recommendations by name.
//
//   MovieCatalog movies = load_movies("data/ml-100k");   // reads u.item (and u.genre)
//   const Movie* m = movies.find(1);                      // by the raw MovieLens id
//   m->title;   // "Toy Story (1995)"      m->year;   // 1995
//   m->genres;  // {"Animation", "Children's", "Comedy"}
//   movies.title(set.items.raw(index));   // the title of a dense item index of a RatingSet
//
// Three formats, detected from the first line (or pick the file yourself):
//   u.item      ml-100k   id|title|release date|video date|IMDb URL|19 genre flags (0/1)
//               genre names from u.genre in the same folder when present. latin-1 text.
//   movies.dat  ml-1m/10m MovieID::Title::Genre|Genre|...   (ml-1m's is latin-1)
//   movies.csv  ml-latest movieId,title,genres — titles with commas are "quoted", and ""
//               inside quotes is one quote: 11,"American President, The (1995)",Comedy|Drama
// All text comes out as UTF-8: valid UTF-8 is kept, anything else is read as latin-1 and
// converted ("Misérables" is the single byte 0xE9 in u.item).
// Errors are hg::DataError "<file>:<line>: <what> (got '<text>')"; a movie id listed twice
// is an error.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "data/error.hpp"

namespace hg::data {

struct Movie {
    std::int64_t id = 0;              // the raw MovieLens id (IdMap::raw of an item index)
    std::string title;                // as written, year included: "Toy Story (1995)"
    int year = 0;                     // from "(1995)" at the end of the title, else the release date; 0 = unknown
    std::vector<std::string> genres;  // e.g. {"Animation", "Children's", "Comedy"}; empty when none
};

class MovieCatalog {
public:
    MovieCatalog() = default;
    MovieCatalog(std::vector<Movie> movies, std::string source);  // sorted by id here; ids must be distinct

    std::size_t size() const { return movies_.size(); }
    const std::vector<Movie>& movies() const { return movies_; }  // by increasing id
    const Movie* find(std::int64_t id) const;                    // nullptr when unknown
    std::string title(std::int64_t id) const;                    // "movie 1234 (no title)" when unknown
    const std::string& source() const { return source_; }
    std::size_t lines_read = 0;  // lines of the file (header and blank lines included)

private:
    std::vector<Movie> movies_;
    std::string source_;
};

// A metadata file, or a folder holding u.item, movies.dat or movies.csv (in that order).
MovieCatalog load_movies(const std::string& path);

// u.genre: "name|index" per line (indices 0..100); the names in index order. load_movies
// reads it from beside a u.item.
std::vector<std::string> load_genre_names(const std::string& path);

// ml-100k's 19 genres in u.item's flag order ("unknown", "Action", ..., "Western").
const std::vector<std::string>& movielens_100k_genres();

// The year at the end of a MovieLens title, "Heat (1995)" -> 1995; 0 when there is none.
int year_from_title(const std::string& title);

}  // namespace hg::data
