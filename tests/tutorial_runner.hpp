// Runs a built tutorial program as a child process, for the tutorial smoke tests.
#pragma once

#include <map>
#include <string>

namespace hg::test {

struct TutorialRun {
    int exit_code = -1;
    std::string output;                         // stdout and stderr, interleaved
    std::map<std::string, std::string> result;  // the key=value pairs of the result: line
    double number(const std::string& key) const;  // result[key] as a number (throws if absent)
};

// Runs build/tutorials/<name> with the given flags (e.g. "--quick --quiet").
TutorialRun run_tutorial(const std::string& name, const std::string& flags);

// Runs a shell command (stderr joins stdout) and reads its result: line.
TutorialRun run_program(const std::string& command);

// The key=value pairs of the `result: ` line in a program's output (empty if there is none).
std::map<std::string, std::string> result_line(const std::string& output);

// The MovieLens folder from HG_DATA (".../ml-100k"), or "" when it is not there.
std::string movielens_100k_dir();

}  // namespace hg::test
