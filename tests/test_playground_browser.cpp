// The playground in a real browser: `./lab playground --build-only` builds the site (the
// engine with Emscripten, the page, the Fashion-MNIST subset) into a fresh folder, and
// tests/browser/check_playground.py serves it on 127.0.0.1 and drives headless Chromium
// through it: the course net trains and steps backward one rule at a time, the sparse
// autoencoder trains an epoch and draws its views, a drawing is encoded, a malformed CSV
// gets the reader's message, the recommender trains on pasted ratings, and the ?demo= and
// ?bench= URLs write their result lines. The screenshots stay in
// build/tests/tmp/browser/screenshots/ after the run. Skipped (and counted) where
// Emscripten or Chromium is missing.
#include <doctest/doctest.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "requires.hpp"
#include "temp_dir.hpp"
#include "tutorial_runner.hpp"

namespace {

// Kept after the run, unlike a TempDir: $HG_TEST_TMPDIR/screenshots (build/tests/tmp/browser/).
std::string screenshots_dir() {
    const char* tmp = std::getenv("HG_TEST_TMPDIR");
    const std::filesystem::path root = tmp ? tmp : std::filesystem::temp_directory_path().string();
    return (root / "screenshots").string();
}

double seconds_since(std::chrono::steady_clock::time_point t0) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

TEST_CASE("playground: the page trains, steps backward, draws and reports in headless Chromium" *
          hg::test::requires_programs({"em++", "chromium", "python3", "timeout"})) {
    const std::string source = HG_SOURCE_DIR;
    hg::test::TempDir site("playground-site");
    const std::string shots = screenshots_dir();

    // `timeout` bounds each program: the build (minutes the first time, the compiled objects
    // are kept in build-wasm/) and the browser checks (every wait of theirs has its own deadline).
    auto t0 = std::chrono::steady_clock::now();
    const auto build = hg::test::run_program("timeout 1200 '" + source + "/lab' playground --build-only '" + site.path() + "'");
    INFO(build.output);
    REQUIRE_MESSAGE(build.exit_code == 0, "./lab playground --build-only failed (exit code " << build.exit_code << ")");
    MESSAGE("built the site in " << seconds_since(t0) << " s");

    t0 = std::chrono::steady_clock::now();
    const auto check = hg::test::run_program("timeout 900 python3 '" + source + "/tests/browser/check_playground.py' '" +
                                             site.path() + "' '" + shots + "'");
    MESSAGE(check.output);  // one line per check, the demo and bench result lines
    CHECK_MESSAGE(check.exit_code == 0, "the browser checks failed (exit code " << check.exit_code << "); screenshots in " << shots);
    MESSAGE("browser checks took " << seconds_since(t0) << " s");
}
