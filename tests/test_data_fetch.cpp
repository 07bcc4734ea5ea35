// The fetch command against a local file:// URL (no network), and finding the data folder.
#include <doctest/doctest.h>

#include <sys/wait.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include "data/movielens.hpp"
#include "data/paths.hpp"
#include "data_test_util.hpp"
#include "requires.hpp"
#include "temp_dir.hpp"

using namespace hg::data;
using hg::test::TempDir;

namespace {

int run(const std::string& cmd) {
    const int status = std::system((cmd + " >/dev/null 2>&1").c_str());
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::string output_of(const std::string& cmd) {
    std::string out;
    FILE* pipe = popen((cmd + " 2>&1").c_str(), "r");
    if (!pipe) return out;
    char buf[4096];
    while (std::fgets(buf, sizeof buf, pipe)) out += buf;
    pclose(pipe);
    return out;
}

// Sets an environment variable for one scope.
struct ScopedEnv {
    std::string name, old;
    bool had;
    ScopedEnv(std::string n, const std::string& value) : name(std::move(n)) {
        const char* v = std::getenv(name.c_str());
        had = v != nullptr;
        if (had) old = v;
        if (value.empty()) unsetenv(name.c_str());
        else setenv(name.c_str(), value.c_str(), 1);
    }
    ~ScopedEnv() {
        if (had) setenv(name.c_str(), old.c_str(), 1);
        else unsetenv(name.c_str());
    }
};

}  // namespace

TEST_CASE("fetch: downloads a zip from a file:// URL, checks its MD5, unpacks it, refuses a wrong checksum" *
          hg::test::requires_programs({"curl", "python3"})) {
    TempDir dir("fetch");
    // A fake ml-100k folder with made-up ratings (not MovieLens content), zipped.
    dir.write("src/ml-100k/u.data", "1\t1\t5\t100\n1\t2\t3\t101\n2\t1\t4\t102\n");
    dir.write("src/ml-100k/README", "made up for a test\n");
    REQUIRE(run("cd '" + dir.file("src") + "' && python3 -m zipfile -c ml-100k.zip ml-100k/") == 0);
    const std::string md5 = output_of("md5sum '" + dir.file("src/ml-100k.zip") + "' | cut -c1-32").substr(0, 32);
    REQUIRE(md5.size() == 32);

    const std::string fetch = "HG_MOVIELENS_URL='file://" + dir.file("src") + "' '" + repo_data_dir() + "/fetch.sh' movielens 100k";
    const std::string dest = dir.file("dest");

    // The recorded checksum of the official ml-100k.zip does not match the fake: refused.
    const std::string refused = output_of(fetch + " --dest '" + dest + "'");
    CHECK(refused.find("checksum mismatch for ml-100k.zip") != std::string::npos);
    CHECK_FALSE(std::filesystem::exists(dest + "/ml-100k"));
    // A wrong --md5: refused too, nothing unpacked.
    CHECK(run(fetch + " --md5 00000000000000000000000000000000 --dest '" + dest + "'") != 0);
    CHECK_FALSE(std::filesystem::exists(dest + "/ml-100k"));
    // The right one: unpacked, licence printed, readable.
    const std::string ok = output_of(fetch + " --md5 " + md5 + " --dest '" + dest + "'");
    INFO(ok);
    CHECK(ok.find("MD5 " + md5 + " ok") != std::string::npos);
    CHECK(ok.find("do NOT redistribute the data") != std::string::npos);
    CHECK(ok.find("Harper and Joseph A. Konstan") != std::string::npos);
    REQUIRE(std::filesystem::exists(dest + "/ml-100k/u.data"));
    CHECK(load_movielens(dest + "/ml-100k").size() == 3);
    // No temporary folder is left behind.
    std::size_t entries = 0;
    for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator(dest)) ++entries;
    CHECK(entries == 1);
    // A set without a recorded checksum needs --md5.
    CHECK(output_of(fetch.substr(0, fetch.size() - 4) + "latest-small --dest '" + dest + "'")
              .find("no checksum is recorded for ml-latest-small.zip") != std::string::npos);
}

TEST_CASE("paths: --data, then HG_DATA, then nothing found (with the places searched)") {
    TempDir dir("paths");
    dir.write("sets/ml-100k/u1.base", "1\t1\t5\t0\n");
    dir.write("direct/ratings.csv", "userId,movieId,rating,timestamp\n1,1,5,0\n");
    const ScopedEnv no_env("HG_DATA", "");

    DataFolder f = find_movielens(dir.file("sets"));
    CHECK(f.found());
    CHECK(f.path == dir.file("sets/ml-100k"));
    CHECK(f.found_by == "--data");
    f = find_movielens(dir.file("direct"), "ml-latest-small");  // --data naming the set's own folder
    CHECK(f.path == dir.file("direct"));
    CHECK(hg::test::data_error_of([&] { find_movielens(dir.file("nowhere")); }) ==
          dir.file("nowhere") + ": --data names a folder without ml-100k: looked in " + dir.file("nowhere/ml-100k") +
              ", " + dir.file("nowhere"));
    {
        const ScopedEnv env("HG_DATA", dir.file("sets"));
        f = find_movielens("");
        CHECK(f.path == dir.file("sets/ml-100k"));
        CHECK(f.found_by == "HG_DATA");
    }
    {
        const ScopedEnv env("HG_DATA", dir.file("no-such-folder"));
        CHECK(hg::test::data_error_of([&] { find_movielens(""); }) ==
              dir.file("no-such-folder") + ": HG_DATA names no folder: set it to a folder holding ml-100k/ (or unset it "
                                           "to use what ./lab fetch put in data/, or the built-in set)");
        CHECK(hg::test::data_error_of([&] { find_fashion_mnist(""); }).find("HG_DATA names no folder") != std::string::npos);
    }
    {
        dir.write("other/notes.txt", "no ratings here\n");
        const ScopedEnv env("HG_DATA", dir.file("other"));  // a folder, but without ml-100k
        CHECK(hg::test::data_error_of([&] { find_movielens(""); }) ==
              dir.file("other") + ": HG_DATA names a folder without ml-100k: looked in " + dir.file("other/ml-100k") +
                  ", " + dir.file("other") + " (unset it to use the built-in set)");
        CHECK(find_movielens(dir.file("sets")).found());  // --data comes first
    }
    f = find_movielens("", "ml-no-such-set");
    CHECK_FALSE(f.found());
    CHECK(f.path.empty());
    CHECK(f.searched.find(repo_data_dir() + "/ml-no-such-set") != std::string::npos);
}
