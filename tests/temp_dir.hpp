// A fresh folder for a test's files, removed when the test is done.
//
// Each TempDir is a new folder (mkdtemp), so tests that run at the same time, in one
// process or in several, never share one. It lives under $HG_TEST_TMPDIR, which Meson sets
// to a folder per suite in the build tree (tests/meson.build), or under the system's temp
// folder when a test program runs by hand.
#pragma once

#include <filesystem>
#include <string>

namespace hg::test {

class TempDir {
public:
    // `name` is the start of the folder's name, to tell tests' folders apart while they exist.
    explicit TempDir(const std::string& name);
    ~TempDir();
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;

    std::string path() const { return path_.string(); }
    std::string file(const std::string& name) const { return (path_ / name).string(); }

    // Writes bytes exactly as given (no newline translation); returns the file's path.
    std::string write(const std::string& name, const std::string& bytes) const;

    // The bytes of a file.
    static std::string read(const std::string& path);

private:
    std::filesystem::path path_;
};

}  // namespace hg::test
