// MovieLens readers: the real ml-100k (when HG_DATA points at it), every format on small
// files written here, the id maps and splits, movie metadata, and every kind of bad input.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstring>
#include <filesystem>

#include <sys/stat.h>

#include "data/baselines.hpp"
#include "data/movielens.hpp"
#include "data/movies.hpp"
#include "data/ratings.hpp"
#include "data_test_util.hpp"
#include "temp_dir.hpp"
#include "requires.hpp"

using namespace hg::data;
using hg::test::data_error_of;
using hg::test::TempDir;

// ---- the real ml-100k ----

TEST_CASE("movielens: ml-100k u1.base/u1.test load with 943 users, 1682 items, 80000/20000 ratings" *
          hg::test::requires_movielens()) {
    const std::string dir = hg::test::movielens_100k_dir();
    const Split s = load_movielens_split(dir, "u1");
    CHECK(s.train.size() == 80000);
    CHECK(s.test.size() == 20000);
    CHECK(s.train.n_users() == 943);
    CHECK(s.train.n_items() == 1682);
    CHECK(s.test.users == s.train.users);
    CHECK(s.test.items == s.train.items);
    CHECK(s.train.lines_read == 80000);
    CHECK(s.train.blank_lines == 0);
    CHECK(s.test_only_users == 0);
    CHECK(s.test_only_items == 32);  // 1650 items in u1.base, 1682 in both files
    CHECK(s.train.scale.min == 1.0f);
    // ml-100k's ids are 1..943 and 1..1682: index == id - 1.
    CHECK(s.train.users.raw(0) == 1);
    CHECK(s.train.items.raw(1681) == 1682);
    // The first line of u1.base: "1\t1\t5\t874965758".
    const Rating& r = s.train.ratings.front();
    CHECK(r.user == 0);
    CHECK(r.item == 0);
    CHECK(r.rating == 5.0f);
    CHECK(r.timestamp == 874965758);

    const RatingMatrix m = RatingMatrix::from(s.train);
    CHECK(m.n_users() == 943);
    CHECK(m.n_items() == 1682);
    CHECK(m.nnz() == 80000);
    const hg::Tensor x = m.dense();
    CHECK(x.shape() == hg::Shape{943, 1682});
    CHECK(hg::sum(m.observed()).item() == 80000.0f);
    CHECK(x.at({0, 0}) == 5.0f);

    // The per-item mean beats the global mean, and user + item biases beat both.
    const float mu = global_mean(s.train.ratings);
    const auto im = item_means(s.train.ratings, s.train.n_items());
    const BiasModel bias = BiasModel::fit(s.train.ratings, s.train.n_users(), s.train.n_items());
    const double g = rmse(s.test.ratings, [&](std::uint32_t, std::uint32_t) { return mu; });
    const double i = rmse(s.test.ratings, [&](std::uint32_t, std::uint32_t it) { return im[it]; });
    const double b = rmse(s.test.ratings, [&](std::uint32_t u, std::uint32_t it) { return bias.predict(u, it); });
    MESSAGE("ml-100k u1 test RMSE: global mean " << g << ", item mean " << i << ", biases " << b);
    CHECK(i < g);
    CHECK(b < i);
}

TEST_CASE("movielens: ml-100k u.item titles (latin-1 -> UTF-8), years and genres from u.genre" *
          hg::test::requires_movielens()) {
    const std::string dir = hg::test::movielens_100k_dir();
    const MovieCatalog movies = load_movies(dir);
    CHECK(movies.size() == 1682);
    CHECK(movies.lines_read == 1682);
    const Movie* toy = movies.find(1);
    REQUIRE(toy != nullptr);
    CHECK(toy->title == "Toy Story (1995)");
    CHECK(toy->year == 1995);
    CHECK(toy->genres == std::vector<std::string>{"Animation", "Children's", "Comedy"});
    CHECK(movies.title(543) == "Mis\xC3\xA9rables, Les (1995)");  // é as UTF-8
    CHECK(movies.find(267)->year == 0);                           // "unknown", no date
    CHECK(movies.title(99999) == "movie 99999 (no title)");
}

// ---- the three formats, on small files ----

TEST_CASE("movielens: tab, '::' and csv formats are detected and read alike") {
    TempDir dir("ml_formats");
    const std::string tab = dir.write("u.data", "196\t242\t3\t881250949\n186\t302\t3\t891717742\n22\t377\t1\t878887116\n");
    const std::string dat = dir.write("ratings.dat", "196::242::3::881250949\n186::302::3::891717742\n22::377::1::878887116\n");
    const std::string csv = dir.write("ratings.csv",
                                      "userId,movieId,rating,timestamp\n196,242,3.0,881250949\n186,302,3.0,891717742\n"
                                      "22,377,1.0,878887116\n");
    for (const std::string& path : {tab, dat, csv}) {
        CAPTURE(path);
        const RatingSet set = load_movielens(path);
        REQUIRE(set.size() == 3);
        CHECK(set.n_users() == 3);
        CHECK(set.n_items() == 3);
        CHECK(set.source == path);
        // Indices follow the raw ids in increasing order: users 22, 186, 196.
        CHECK(set.users.raw_ids() == std::vector<std::int64_t>{22, 186, 196});
        CHECK(set.ratings[0].user == 2);
        CHECK(set.ratings[0].item == 0);
        CHECK(set.ratings[2].rating == 1.0f);
        CHECK(set.ratings[1].timestamp == 891717742);
        CHECK(set.lines_read == set.size() + set.header_lines + set.blank_lines);
    }
    CHECK(load_movielens(csv).header_lines == 1);
    CHECK(load_movielens(tab, MovieLensFormat::Tab).size() == 3);  // named instead of detected
}

TEST_CASE("movielens: ml-latest's sparse large ids map to dense indices, half stars are read") {
    TempDir dir("ml_latest");
    const std::string csv = dir.write("ratings.csv",
                                      "userId,movieId,rating,timestamp\r\n1,193609,4.5,1964982703\r\n1,31,2.5,1260759144\r\n"
                                      "610,193609,0.5,1493848402\r\n\r\n");
    const RatingSet set = load_movielens(csv);
    CHECK(set.size() == 3);
    CHECK(set.n_items() == 2);
    CHECK(set.items.index(193609) == 1);
    CHECK(set.items.index(31) == 0);
    CHECK(set.items.raw(1) == 193609);
    CHECK(set.users.index(610) == 1);
    CHECK(set.ratings[0].rating == 4.5f);
    CHECK(set.ratings[2].rating == 0.5f);
    CHECK(set.scale.step == 0.5f);
    CHECK(set.lines_read == 5);
    CHECK(set.blank_lines == 1);
    CHECK_THROWS_AS(set.items.index(32), hg::IndexError);
    CHECK_THROWS_AS(set.items.raw(2), hg::IndexError);
}

TEST_CASE("movielens: a folder is searched for u.data, ratings.dat or ratings.csv") {
    TempDir dir("ml_folder");
    dir.write("ml-1m/ratings.dat", "1::1193::5::978300760\n1::661::3::978302109\n");
    CHECK(load_movielens(dir.file("ml-1m")).size() == 2);
    CHECK(data_error_of([&] { load_movielens(dir.path()); })
              .find("no MovieLens ratings file here: looked for u.data (ml-100k), ratings.dat") != std::string::npos);
}

TEST_CASE("movielens: a train/test pair shares its id maps; test-only users and items are counted") {
    TempDir dir("ml_pair");
    dir.write("u1.base", "1\t10\t4\t1\n2\t10\t3\t2\n2\t20\t5\t3\n");
    dir.write("u1.test", "1\t20\t2\t4\n3\t30\t1\t5\n");
    const Split s = load_movielens_split(dir.path(), "u1");
    CHECK(s.train.n_users() == 3);  // users 1, 2, 3 — user 3 only in test
    CHECK(s.train.n_items() == 3);  // items 10, 20, 30 — item 30 only in test
    CHECK(s.test.n_users() == 3);
    CHECK(s.test_only_users == 1);
    CHECK(s.test_only_items == 1);
    CHECK(s.test.ratings[1].user == 2);
    CHECK(s.test.ratings[1].item == 2);
    // The same raw id gets the same index in both parts.
    CHECK(s.test.ratings[0].item == s.train.ratings[2].item);
    const RatingMatrix train = RatingMatrix::from(s.train), test = RatingMatrix::from(s.test);
    CHECK(train.n_items() == test.n_items());
    CHECK(train.by_user().row(2).empty());  // user 3 has no train ratings
}

TEST_CASE("movielens: random_split is seeded, disjoint, complete and keeps the id maps") {
    TempDir dir("ml_random");
    std::string lines;
    for (int u = 1; u <= 20; ++u)
        for (int i = 1; i <= 10; ++i) lines += std::to_string(u) + "\t" + std::to_string(i) + "\t" + std::to_string(1 + (u + i) % 5) + "\t0\n";
    const RatingSet set = load_movielens(dir.write("u.data", lines));
    REQUIRE(set.size() == 200);
    const Split a = random_split(set, 0.2, 11), b = random_split(set, 0.2, 11), c = random_split(set, 0.2, 12);
    CHECK(a.test.size() == 40);
    CHECK(a.train.size() == 160);
    CHECK(a.train.users == set.users);
    CHECK(a.test.items == set.items);
    auto keys = [](const RatingSet& s) {
        std::vector<std::pair<std::uint32_t, std::uint32_t>> k;
        for (const Rating& r : s.ratings) k.emplace_back(r.user, r.item);
        return k;
    };
    CHECK(keys(a.test) == keys(b.test));
    CHECK(keys(a.test) != keys(c.test));
    auto all = keys(a.train);
    for (auto k : keys(a.test)) all.push_back(k);
    std::sort(all.begin(), all.end());
    auto expected = keys(set);
    std::sort(expected.begin(), expected.end());
    CHECK(all == expected);  // every rating in exactly one part
    CHECK_THROWS_AS(random_split(set, 0.0, 1), hg::ValueError);
    CHECK_THROWS_AS(random_split(set, 1.0, 1), hg::ValueError);
}

// ---- bad input: every error names the file, the line and the text ----

TEST_CASE("movielens bad input: missing file, empty file, no ratings, unknown format") {
    TempDir dir("ml_bad_file");
    const std::string missing = dir.file("nope.data");
    CHECK(data_error_of([&] { load_movielens(missing); }) == missing + ": cannot open the file: No such file or directory");
    const std::string empty = dir.write("empty.data", "");
    CHECK(data_error_of([&] { load_movielens(empty); }) == empty + ": the file is empty (0 bytes): expected MovieLens ratings");
    const std::string header_only = dir.write("header.csv", "userId,movieId,rating,timestamp\n\n");
    CHECK(data_error_of([&] { load_movielens(header_only); }) ==
          header_only + ": no ratings in the file (2 lines read, 1 header, 1 blank)");
    const std::string odd = dir.write("odd.data", "1 2 3 4\n");
    CHECK(data_error_of([&] { load_movielens(odd); }) ==
          odd + ":1: cannot tell the MovieLens format: expected fields separated by tabs (ml-100k), '::' (ml-1m/10m) or "
                "commas (ml-latest/20m/25m/32m ratings.csv) (got '1 2 3 4')");
    const std::string bad_header = dir.write("bad_header.csv", "userId,itemId,score,time\n1,2,3,4\n");
    CHECK(data_error_of([&] { load_movielens(bad_header); }) ==
          bad_header + ":1: unexpected header: expected 'userId,movieId,rating,timestamp' (got 'userId,itemId,score,time')");
}

TEST_CASE("movielens bad input: wrong column count") {
    TempDir dir("ml_bad_columns");
    const std::string tab = dir.write("u.data", "1\t2\t3\t4\n1\t3\t4\n");
    CHECK(data_error_of([&] { load_movielens(tab); }) ==
          tab + ":2: wrong column count: expected 4 fields (user, item, rating, timestamp) separated by tabs, found 3 "
                "(got '1\\t3\\t4')");
    const std::string dat = dir.write("ratings.dat", "1::2::3::4::5\n");
    CHECK(data_error_of([&] { load_movielens(dat); }).find(":1: wrong column count: expected 4 fields (user, item, "
                                                          "rating, timestamp) separated by '::', found 5") !=
          std::string::npos);
    // A csv file named as tab-separated: one field per line.
    const std::string csv = dir.write("ratings.csv", "1,2,3,4\n");
    CHECK(data_error_of([&] { load_movielens(csv, MovieLensFormat::Tab); }).find("found 1") != std::string::npos);
    // CSV may leave out the timestamp (a file made by hand), but needs the rest.
    const std::string two = dir.write("two.csv", "1,2,3\n1,3\n");
    CHECK(data_error_of([&] { load_movielens(two); }) ==
          two + ":2: wrong column count: expected 3 or 4 fields (user, item, rating[, timestamp]) separated by commas, "
                "found 2 (got '1,3')");
}

TEST_CASE("movielens: a CSV file without timestamps (user,movie,rating), as made by hand") {
    TempDir dir("ml_no_time");
    const std::string path = dir.write("mine.csv", "1,10,4\n1,20,2.5\n2,10,5,978300760\n");
    const RatingSet set = load_movielens(path);
    REQUIRE(set.size() == 3);
    CHECK(set.n_users() == 2);
    CHECK(set.n_items() == 2);
    CHECK(set.ratings[1].rating == 2.5f);
    CHECK(set.ratings[0].timestamp == 0);
    CHECK(set.ratings[2].timestamp == 978300760);
}

TEST_CASE("movielens bad input: non-numeric fields") {
    TempDir dir("ml_bad_numbers");
    const std::string user = dir.write("a.data", "1\t2\t3\t4\nx\t2\t3\t4\n");
    CHECK(data_error_of([&] { load_movielens(user); }) == user + ":2: non-numeric user id (got 'x')");
    const std::string item = dir.write("b.data", "1\t2.5\t3\t4\n");
    CHECK(data_error_of([&] { load_movielens(item); }) == item + ":1: non-numeric item id (got '2.5')");
    const std::string rating = dir.write("c.data", "1\t2\tfour\t4\n");
    CHECK(data_error_of([&] { load_movielens(rating); }) == rating + ":1: non-numeric rating (got 'four')");
    const std::string nan = dir.write("d.csv", "1,2,nan,4\n");
    CHECK(data_error_of([&] { load_movielens(nan); }) == nan + ":1: non-numeric rating (got 'nan')");
    const std::string ts = dir.write("e.dat", "1::2::3::yesterday\n");
    CHECK(data_error_of([&] { load_movielens(ts); }) == ts + ":1: non-numeric timestamp (got 'yesterday')");
}

TEST_CASE("movielens bad input: ratings outside the format's range") {
    TempDir dir("ml_bad_range");
    const std::string six = dir.write("a.data", "1\t2\t6\t4\n");
    CHECK(data_error_of([&] { load_movielens(six); }) ==
          six + ":1: rating outside the format's range: ml-100k (tab-separated) ratings are whole stars 1..5 (got '6')");
    const std::string zero = dir.write("b.data", "1\t2\t0\t4\n");
    CHECK(data_error_of([&] { load_movielens(zero); }).find("ratings are whole stars 1..5 (got '0')") != std::string::npos);
    const std::string half = dir.write("c.data", "1\t2\t3.5\t4\n");
    CHECK(data_error_of([&] { load_movielens(half); }).find(":1: rating outside the format's range") != std::string::npos);
    const std::string csv_high = dir.write("d.csv", "userId,movieId,rating,timestamp\n1,2,5.5,4\n");
    CHECK(data_error_of([&] { load_movielens(csv_high); }) ==
          csv_high + ":2: rating outside the format's range: ml-latest (ratings.csv) ratings are half stars 0.5..5 (got "
                     "'5.5')");
    const std::string csv_quarter = dir.write("e.csv", "1,2,2.25,4\n");
    CHECK(data_error_of([&] { load_movielens(csv_quarter); }).find("half stars 0.5..5 (got '2.25')") != std::string::npos);
    const std::string csv_zero = dir.write("f.csv", "1,2,0,4\n");
    CHECK(data_error_of([&] { load_movielens(csv_zero); }).find("(got '0')") != std::string::npos);
}

TEST_CASE("movielens bad input: non-positive ids") {
    TempDir dir("ml_bad_ids");
    const std::string zero = dir.write("a.data", "0\t2\t3\t4\n");
    CHECK(data_error_of([&] { load_movielens(zero); }) == zero + ":1: non-positive user id: MovieLens ids start at 1 (got '0')");
    const std::string neg = dir.write("b.dat", "1::-3::3::4\n");
    CHECK(data_error_of([&] { load_movielens(neg); }) == neg + ":1: non-positive item id: MovieLens ids start at 1 (got '-3')");
}

TEST_CASE("movielens bad input: a duplicate (user, item) pair is an error naming both lines") {
    TempDir dir("ml_bad_dup");
    const std::string dup = dir.write("u.data", "1\t2\t3\t4\n5\t6\t1\t4\n1\t2\t5\t9\n");
    CHECK(data_error_of([&] { load_movielens(dup); }) ==
          dup + ":3: duplicate (user, item) pair: user 1 already rated item 2 on line 1 (duplicates are an error, not "
                "'keep last') (got '1\\t2\\t5\\t9')");
    // A pair in both the train and the test file.
    dir.write("u1.base", "1\t2\t3\t4\n");
    const std::string test = dir.write("u1.test", "7\t7\t3\t4\n1\t2\t4\t4\n");
    CHECK(data_error_of([&] { load_movielens_split(dir.path(), "u1"); }) ==
          test + ":2: the test file rates user 1, item 2, which the train file " + dir.file("u1.base") +
              " also rates (line 1): train and test must be disjoint (got '1\\t2\\t4\\t4')");
}

// ---- movie metadata ----

TEST_CASE("movies: u.item (latin-1, genre flags), with and without u.genre") {
    TempDir dir("movies_uitem");
    const std::string flags_toy = "|0|0|0|1|1|1|0|0|0|0|0|0|0|0|0|0|0|0|0";
    const std::string flags_none = "|1|0|0|0|0|0|0|0|0|0|0|0|0|0|0|0|0|0|0";
    dir.write("u.item", "1|Toy Story (1995)|01-Jan-1995||http://x" + flags_toy + "\n" +
                            "543|Mis\xE9rables, Les (1995)|01-Jan-1995||http://x" + flags_none + "\n" +
                            "7|Nameless|01-Jan-1961||" + flags_none + "\n");
    MovieCatalog m = load_movies(dir.path());
    CHECK(m.size() == 3);
    CHECK(m.movies()[1].id == 7);  // sorted by id
    CHECK(m.find(1)->genres == std::vector<std::string>{"Animation", "Children's", "Comedy"});
    CHECK(m.title(543) == "Mis\xC3\xA9rables, Les (1995)");
    CHECK(m.find(543)->genres == std::vector<std::string>{"unknown"});
    CHECK(m.find(7)->year == 1961);  // no year in the title: the release date's
    // u.genre renames the genres.
    std::string genres;
    for (int g = 0; g < 19; ++g) genres += "G" + std::to_string(g) + "|" + std::to_string(g) + "\n";
    dir.write("u.genre", genres + "\n");
    m = load_movies(dir.file("u.item"));
    CHECK(m.find(1)->genres == std::vector<std::string>{"G3", "G4", "G5"});
}

TEST_CASE("movies: movies.dat and movies.csv with quoted titles") {
    TempDir dir("movies_other");
    const std::string dat = dir.write("movies.dat", "1::Toy Story (1995)::Animation|Children's|Comedy\n"
                                                    "73::Mis\xE9rables, Les (1995)::Drama|Musical\n");
    const MovieCatalog a = load_movies(dat);
    CHECK(a.size() == 2);
    CHECK(a.title(73) == "Mis\xC3\xA9rables, Les (1995)");
    CHECK(a.find(73)->genres == std::vector<std::string>{"Drama", "Musical"});
    const std::string csv = dir.write("movies.csv",
                                      "movieId,title,genres\n"
                                      "11,\"American President, The (1995)\",Comedy|Drama|Romance\n"
                                      "2,\"Ghost in the \"\"Shell\"\" (1995)\",Sci-Fi\n"
                                      "193609,Andrew Dice Clay: Dice Rules (1991),(no genres listed)\n"
                                      "5,Babylon 5,Sci-Fi\n");
    const MovieCatalog b = load_movies(csv);
    CHECK(b.size() == 4);
    CHECK(b.lines_read == 5);
    CHECK(b.title(11) == "American President, The (1995)");
    CHECK(b.find(11)->genres.size() == 3);
    CHECK(b.title(2) == "Ghost in the \"Shell\" (1995)");
    CHECK(b.find(193609)->genres.empty());
    CHECK(b.find(193609)->year == 1991);
    CHECK(b.find(5)->year == 0);
    CHECK(year_from_title("Heat (1995)") == 1995);
    CHECK(year_from_title("Heat (199)") == 0);
}

TEST_CASE("movies bad input: columns, flags, ids, quoting, duplicates, missing and empty files") {
    TempDir dir("movies_bad");
    const std::string cols = dir.write("a.item", "1|Toy Story (1995)|01-Jan-1995||http://x|0|1\n");
    CHECK(data_error_of([&] { load_movies(cols); }) ==
          cols + ":1: wrong column count: expected 24 '|'-separated fields (id, title, release date, video date, URL, "
                 "19 genre flags), found 7 (got '1|Toy Story (1995)|01-Jan-1995||http://x|0|1')");
    const std::string flag = dir.write("b.item", "1|T (1995)|||" + std::string("|0|0|2|0|0|0|0|0|0|0|0|0|0|0|0|0|0|0|0") + "\n");
    CHECK(data_error_of([&] { load_movies(flag); }) == flag + ":1: genre flag 3 (Adventure) must be 0 or 1 (got '2')");
    const std::string id = dir.write("c.dat", "one::Heat (1995)::Action\n");
    CHECK(data_error_of([&] { load_movies(id); }) == id + ":1: non-numeric movie id (got 'one')");
    const std::string quote = dir.write("d.csv", "movieId,title,genres\n11,\"American President, The (1995),Comedy\n");
    CHECK(data_error_of([&] { load_movies(quote); }).find(
              quote + ":2: broken CSV quoting: a quoted field must end with a quote") == 0);
    const std::string unquoted = dir.write("e.csv", "movieId,title,genres\n11,American President, The (1995),Comedy\n");
    CHECK(data_error_of([&] { load_movies(unquoted); }).find(
              ":2: wrong column count: expected 3 fields (movieId, title, genres), found 4 (a title with commas must be "
              "in double quotes)") != std::string::npos);
    const std::string dup = dir.write("f.dat", "1::A (1990)::Drama\n2::B (1991)::Drama\n1::C (1992)::Drama\n");
    CHECK(data_error_of([&] { load_movies(dup); }) ==
          dup + ":3: duplicate movie id 1, already listed on line 1 (got 'C (1992)')");
    CHECK(data_error_of([&] { load_movies(dir.file("none.csv")); }) ==
          dir.file("none.csv") + ": cannot open the file: No such file or directory");
    const std::string empty = dir.write("g.csv", "");
    CHECK(data_error_of([&] { load_movies(empty); }) == empty + ": the file is empty (0 bytes): expected MovieLens movies");
}

TEST_CASE("data bad input: a folder, a FIFO or a device is refused by name, before it is opened") {
    TempDir dir("ml_not_regular");
    // A FIFO would block the reader forever if it were opened: the check comes first.
    const std::string fifo = dir.file("u1.base");
    REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
    CHECK(data_error_of([&] { load_movielens(fifo); }) == fifo + ": is a FIFO (named pipe), expected a ratings file");
    CHECK(data_error_of([&] { load_movielens("/dev/null"); }) == "/dev/null: is a device, expected a ratings file");
    // u.item and u.genre that are folders.
    std::filesystem::create_directories(dir.file("a/u.item"));
    CHECK(data_error_of([&] { load_movies(dir.file("a")); }) == dir.file("a/u.item") + ": is a folder, expected a movies file");
    dir.write("b/u.item", "1|Toy Story (1995)|01-Jan-1995||http://x|0|0|0|1|1|1|0|0|0|0|0|0|0|0|0|0|0|0|0\n");
    std::filesystem::create_directories(dir.file("b/u.genre"));
    CHECK(data_error_of([&] { load_movies(dir.file("b/u.item")); }) ==
          dir.file("b/u.genre") + ": is a folder, expected the genre list u.genre");
    const std::string genre_fifo = dir.file("c/u.genre");
    dir.write("c/u.item", "1|Toy Story (1995)|01-Jan-1995||http://x|0|0|0|1|1|1|0|0|0|0|0|0|0|0|0|0|0|0|0\n");
    REQUIRE(::mkfifo(genre_fifo.c_str(), 0600) == 0);
    CHECK(data_error_of([&] { load_movies(dir.file("c/u.item")); }) ==
          genre_fifo + ": is a FIFO (named pipe), expected the genre list u.genre");
}

TEST_CASE("data: a UTF-8 byte-order mark is skipped; numbers too large are called out of range") {
    TempDir dir("ml_bom_range");
    const std::string bom = dir.write("bom.csv", "\xEF\xBB\xBFuserId,movieId,rating,timestamp\n1,2,3.5,4\n");
    CHECK(load_movielens(bom).size() == 1);
    const std::string bom_tab = dir.write("bom.data", "\xEF\xBB\xBF" "1\t2\t3\t4\n");
    CHECK(load_movielens(bom_tab).size() == 1);
    const std::string huge = dir.write("huge.csv", "1,2,1e40,4\n");
    CHECK(data_error_of([&] { load_movielens(huge); }) == huge + ":1: out-of-range rating (got '1e40')");
    const std::string long_id = dir.write("long.data", "99999999999999999999\t2\t3\t4\n");
    CHECK(data_error_of([&] { load_movielens(long_id); }) ==
          long_id + ":1: out-of-range user id (got '99999999999999999999')");
}
