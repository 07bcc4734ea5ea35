// Runs a built tutorial (or benchmark) program as a child process, for the smoke tests.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <string>

#include "temp_dir.hpp"

namespace hg::test {

struct TutorialRun {
    int exit_code = -1;
    std::string output;                         // stdout and stderr, interleaved
    std::map<std::string, std::string> result;  // the key=value pairs of the result: line
    std::filesystem::path out;                  // the --out folder the tutorial wrote its pictures to
    double number(const std::string& key) const;  // result[key] as a number (throws if absent)

    std::shared_ptr<TempDir> own_out;  // the folder `out`, when the run made it (removed with the run)
};

// Runs build/tutorials/<name> with the given flags (e.g. "--quick --quiet"), writing into a
// new folder of its own (run.out), removed when the TutorialRun is.
TutorialRun run_tutorial(const std::string& name, const std::string& flags);
// The same, writing into the test's folder: runs that build on each other (a checkpoint
// and the run resumed from it) share one.
TutorialRun run_tutorial(const std::string& name, const std::string& flags, const TempDir& out);

// Runs a shell command (stderr joins stdout) and reads its result: line.
TutorialRun run_program(const std::string& command);

// The key=value pairs of the `result: ` line in a program's output (empty if there is none).
std::map<std::string, std::string> result_line(const std::string& output);

}  // namespace hg::test
