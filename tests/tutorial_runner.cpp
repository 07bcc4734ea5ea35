#include "tutorial_runner.hpp"

#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <sstream>
#include <stdexcept>

#ifndef HG_TUTORIAL_DIR
#error "HG_TUTORIAL_DIR must name the folder of the built tutorials"
#endif

namespace hg::test {

double TutorialRun::number(const std::string& key) const {
    auto it = result.find(key);
    if (it == result.end()) throw std::runtime_error("the result line has no key '" + key + "'\n" + output);
    return std::stod(it->second);
}

TutorialRun run_tutorial(const std::string& name, const std::string& flags) {
    auto out = std::make_shared<TempDir>(name);
    TutorialRun run = run_tutorial(name, flags, *out);
    run.own_out = std::move(out);
    return run;
}

TutorialRun run_tutorial(const std::string& name, const std::string& flags, const TempDir& out) {
    TutorialRun run = run_program(std::string(HG_TUTORIAL_DIR) + "/" + name + " " + flags + " --out '" + out.path() + "'");
    run.out = out.path();
    return run;
}

TutorialRun run_program(const std::string& command) {
    const std::string cmd = command + " 2>&1";
    TutorialRun run;
    FILE* pipe = popen(cmd.c_str(), "r");
    if (!pipe) throw std::runtime_error("cannot run " + cmd);
    std::array<char, 4096> buf;
    while (std::fgets(buf.data(), buf.size(), pipe)) run.output += buf.data();
    const int status = pclose(pipe);
    run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    run.result = result_line(run.output);
    return run;
}

std::map<std::string, std::string> result_line(const std::string& output) {
    std::map<std::string, std::string> result;
    std::istringstream lines(output);
    for (std::string line; std::getline(lines, line);) {
        if (line.rfind("result: ", 0) != 0) continue;
        std::istringstream kv(line.substr(8));
        for (std::string pair; kv >> pair;) {
            const auto eq = pair.find('=');
            if (eq != std::string::npos) result[pair.substr(0, eq)] = pair.substr(eq + 1);
        }
    }
    return result;
}

}  // namespace hg::test
