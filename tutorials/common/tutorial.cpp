#include "tutorials/common/tutorial.hpp"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <new>
#include <sstream>

#include "autograd/anomaly.hpp"
#include "tensor/float_mode.hpp"
#include "tensor/format.hpp"
#include "tensor/kernels/pool.hpp"
#include "tensor/parallel.hpp"

namespace hg::tutorial {

namespace {
// Where --quiet sends narration.
std::ostream& null_stream() {
    static std::ostringstream sink;
    sink.str("");
    return sink;
}
}  // namespace

Tutorial::Tutorial(std::string id, std::string title)
    : id_(std::move(id)), title_(std::move(title)), app_(title_, "tutorial " + id_) {
    app_.add_option("--data", options_.data, "Folder of the real data set (default: $HG_DATA, ./data, else the built-in set; \"builtin\" forces it)");
    app_.add_flag("--quick", options_.quick, "The seconds-long setting the test suite runs");
    app_.add_option("--epochs", options_.epochs, "Number of epochs (default: the tutorial's own)")->check(at_least(1));
    app_.add_option("--seed", options_.seed, "Random seed (weights, shuffling, noise)")->check(whole_number());
    app_.add_option("--threads", options_.threads, "Threads for the kernels (default: $HG_THREADS or every core)")
        ->check(at_least(0));
    app_.add_option("--out", options_.out, "Folder for pictures and models (default: out/<tutorial>)");
    app_.add_flag("--quiet", options_.quiet, "Print only checks, errors and the result line");
    app_.add_flag("--anomaly", options_.anomaly,
                  "Check every op's output and every gradient for NaN/Inf and stop at the first (slower; also HG_ANOMALY=1)");
}

namespace {
// What to try when training diverges: the tutorial's own knobs first.
std::string divergence_advice(CLI::App& app) {
    std::string s = "what to try:\n";
    if (app.get_option_no_throw("--lr")) s += "  - a smaller learning rate: --lr 10 times lower than this run's\n";
    else s += "  - the tutorial's default settings (a learning rate or a model changed in the code may be too large)\n";
    s += "  - fewer epochs, or a different --seed, to see whether it diverges at once or after a while\n";
    if (!hg::anomaly_mode()) s += "  - --anomaly, to stop at the first op or gradient that made a NaN/Inf and see its name\n";
    return s;
}

// The flags given on the command line with their values, "--hidden 100000 --quick".
std::string given_flags(const CLI::App& app) {
    std::string s;
    for (const CLI::Option* option : app.get_options()) {
        if (option->count() == 0) continue;
        s += (s.empty() ? "" : " ") + option->get_name();
        if (option->get_expected_min() > 0)
            for (const std::string& value : option->results()) s += " " + value.substr(0, 40);
    }
    return s.empty() ? "none" : s;
}
}  // namespace

int Tutorial::run(int argc, char** argv, const std::function<void()>& body) {
    try {
        app_.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        return app_.exit(e) == 0 ? 0 : 1;  // --help is 0; a bad flag is an error like any other (CLI11 has its own codes)
    }
    for (const auto& resolve : resolve_) resolve();
    start_ = std::chrono::steady_clock::now();
    try {
        check_paths();
        if (options_.threads > 0) hg::set_num_threads(options_.threads);
        if (options_.anomaly) hg::set_anomaly_mode(true);
        hg::set_flush_denormal(true);    // see tensor/float_mode.hpp
        hg::kernels::keep_freed_memory();  // no page faults between steps (tensor/kernels/pool.hpp)
        say() << "# " << title_ << "  (tutorial " << id_ << (options_.quick ? ", quick setting" : "") << ")\n";
        body();
        if (!result_printed_) throw std::logic_error("tutorial " + id_ + " finished without its result line");
        return 0;
    } catch (const hg::NumericError& e) {
        // A diverging run stops here once, with advice, instead of printing nan every epoch.
        std::cout.flush();
        std::cerr << "\ntraining diverged in tutorial " << id_ << ": " << e.what() << "\n" << divergence_advice(app_);
        return 3;
    } catch (const CheckFailed& e) {
        std::cout.flush();
        std::cerr << "\ncheck FAILED in tutorial " << id_ << ": " << e.what() << "\n";
        return 2;
    } catch (const std::bad_alloc&) {
        std::cout.flush();
        std::cerr << "\nerror in tutorial " << id_ << ": out of memory: the run asked for more memory than this machine has."
                  << " The flags given: " << given_flags(app_) << "; a size among them (units, images, batch) may be too large\n";
        return 1;
    } catch (const std::exception& e) {
        std::cout.flush();
        std::cerr << "\nerror in tutorial " << id_ << ": " << e.what() << "\n";
        return 1;
    }
}

int Tutorial::epochs(int full_default, int quick_default) const {
    if (options_.epochs > 0) return options_.epochs;
    return options_.quick ? quick_default : full_default;
}

bool Tutorial::default_setting(std::initializer_list<const char*> flags) const {
    if (options_.epochs > 0) return false;
    for (const char* flag : flags)
        if (app_.count(flag) > 0) return false;
    return true;
}

CLI::Option* Tutorial::input_file(const std::string& flag, std::string& path, const std::string& help) {
    inputs_.emplace_back(flag, &path);
    return app_.add_option(flag, path, help);
}

CLI::Option* Tutorial::output_file(const std::string& flag, std::string& path, const std::string& help) {
    outputs_.emplace_back(flag, &path);
    return app_.add_option(flag, path, help);
}

namespace {
namespace fs = std::filesystem;

// The nearest folder that exists on the way up from path ("." for a bare name).
fs::path existing_parent(const fs::path& path) {
    fs::path p = path.parent_path();
    std::error_code ec;
    while (!p.empty() && !fs::exists(p, ec)) p = p.parent_path();
    return p.empty() ? fs::path(".") : p;
}

bool same_file(const std::string& a, const std::string& b) {
    std::error_code ec;
    if (fs::exists(a, ec) && fs::exists(b, ec)) return fs::equivalent(a, b, ec);
    return fs::weakly_canonical(a, ec) == fs::weakly_canonical(b, ec);
}
}  // namespace

void Tutorial::check_paths() const {
    std::error_code ec;
    if (!options_.out.empty()) {
        if (fs::exists(options_.out, ec) && !fs::is_directory(options_.out, ec))
            throw std::invalid_argument("--out '" + options_.out + "' is a file, not a folder: give a folder for the pictures and models");
        const fs::path parent = existing_parent(options_.out);
        if (!fs::is_directory(parent, ec))
            throw std::invalid_argument("--out '" + options_.out + "': '" + parent.string() + "' is a file, so no folder can be made there");
    }
    for (const auto& [flag, path] : outputs_) {
        if (path->empty()) continue;
        if (fs::is_directory(*path, ec))
            throw std::invalid_argument(flag + " '" + *path + "' is a folder: give a file name");
        const fs::path folder = fs::path(*path).parent_path().empty() ? fs::path(".") : fs::path(*path).parent_path();
        const bool in_out_dir = same_file(folder.string(), options_.out.empty() ? "out/" + id_ : options_.out);  // made later
        if (!fs::is_directory(folder, ec) && !in_out_dir)
            throw std::invalid_argument(flag + " '" + *path + "': the folder '" + folder.string() +
                                        "' does not exist (create it first)");
        for (const auto& [in_flag, in_path] : inputs_)
            if (!in_path->empty() && same_file(*path, *in_path))
                throw std::invalid_argument(flag + " '" + *path + "' is the file " + in_flag + " reads ('" + *in_path +
                                            "'): the run would overwrite its input; write somewhere else");
    }
}

std::ostream& Tutorial::say() { return options_.quiet ? null_stream() : std::cout; }

void Tutorial::step(int number, const std::string& title) {
    say() << "\n== Step " << number << ": " << title << " ==\n";
}

void Tutorial::check(bool ok, const std::string& claim) {
    if (!ok) throw CheckFailed(claim);
    std::cout << "  check: " << claim << " ... ok\n";
}

std::string Tutorial::out_dir() {
    std::string dir = options_.out.empty() ? "out/" + id_ : options_.out;
    std::filesystem::create_directories(dir);
    return dir;
}

double Tutorial::seconds() const {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
}

void Tutorial::say_files(const std::vector<std::pair<std::string, std::string>>& files) {
    std::size_t width = 0;
    for (const auto& [name, what] : files) width = std::max(width, name.size());
    say() << "in " << out_dir() << ":\n";
    for (const auto& [name, what] : files) say() << "  " << name << std::string(width + 2 - name.size(), ' ') << what << "\n";
}

void Tutorial::result(const std::vector<std::pair<std::string, std::string>>& values) {
    std::string line = "result: tutorial=" + id_;
    for (const auto& [k, v] : values) {
        if (k.find_first_of(" =") != std::string::npos || v.empty() || v.find(' ') != std::string::npos)
            throw std::logic_error("result: '" + k + "=" + v + "' is not a key=value pair without spaces");
        line += " " + k + "=" + v;
    }
    line += " seconds=" + fixed(seconds(), 1);
    std::cout << line << std::endl;
    result_printed_ = true;
}

std::string fixed(double value, int decimals) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*f", decimals, value);
    return buf;
}

std::string scientific(double value, int decimals) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*e", decimals, value);
    return buf;
}

std::string joined(const std::vector<double>& values, int decimals, const std::string& separator) {
    std::string text;
    for (double v : values) text += (text.empty() ? "" : separator) + fixed(v, decimals);
    return text;
}

std::string right(const std::string& text, std::size_t width) {
    return std::string(width > text.size() ? width - text.size() : 0, ' ') + text;
}

namespace {
// The number text spells, if it is all one number (strtod's syntax; not nan).
bool read_number(const std::string& text, double& x) {
    if (text.empty() || std::isspace(static_cast<unsigned char>(text[0]))) return false;
    char* end = nullptr;
    x = std::strtod(text.c_str(), &end);
    return *end == '\0' && !std::isnan(x);
}

// "a,,b," -> {"a", "", "b", ""}: empty entries kept, so that a check can refuse them.
std::vector<std::string> split_list(const std::string& text) {
    std::vector<std::string> items;
    std::size_t start = 0;
    for (std::size_t comma; (comma = text.find(',', start)) != std::string::npos; start = comma + 1)
        items.push_back(text.substr(start, comma - start));
    items.push_back(text.substr(start));
    return items;
}

CLI::Validator number_check(std::function<bool(double)> ok, const std::string& must) {
    return CLI::Validator(
        [ok, must](std::string& text) -> std::string {
            double x = 0;
            if (!read_number(text, x)) return "must be a number (got '" + text.substr(0, 40) + "')";
            return ok(x) ? "" : must + " (got " + text.substr(0, 40) + ")";
        },
        "", must);
}
}  // namespace

CLI::Validator at_least(double lo) {
    return number_check([lo](double x) { return x >= lo; }, "must be at least " + format_number(lo));
}

CLI::Validator above(double lo) {
    return number_check([lo](double x) { return x > lo; }, "must be above " + format_number(lo));
}

CLI::Validator between(double lo, double hi) {
    return number_check([lo, hi](double x) { return x >= lo && x <= hi; },
                        "must be from " + format_number(lo) + " to " + format_number(hi));
}

CLI::Validator whole_number() {
    return CLI::Validator(
        [](std::string& text) -> std::string {
            const std::string must = "must be a whole number from 0 to 18446744073709551615 (got '" + text.substr(0, 40) + "')";
            if (text.empty() || text.find_first_not_of("0123456789") != std::string::npos) return must;
            errno = 0;
            std::strtoull(text.c_str(), nullptr, 10);
            return errno == ERANGE ? must : "";
        },
        "", "whole number");
}

CLI::Validator list_between(double lo, double hi) {
    return CLI::Validator(
        [lo, hi](std::string& text) -> std::string {
            for (const std::string& item : split_list(text)) {
                double x = 0;
                if (!read_number(item, x) || x < lo || x > hi)
                    return "'" + text.substr(0, 60) + "': " + (item.empty() ? "an empty entry" : "'" + item.substr(0, 40) + "'") +
                           " is not " +
                           (std::isinf(hi) ? lo == 0 ? "a non-negative number" : "a number of at least " + format_number(lo)
                                           : "a number from " + format_number(lo) + " to " + format_number(hi)) +
                           " (give numbers separated by commas)";
            }
            return "";
        },
        "", "list");
}

std::vector<float> parse_list(const std::string& text) {
    std::vector<float> values;
    for (const std::string& item : split_list(text)) values.push_back(std::strtof(item.c_str(), nullptr));
    return values;
}

std::vector<std::size_t> one_per_class(const std::vector<int>& labels, int n_classes) {
    std::vector<std::size_t> rows;
    for (int c = 0; c < n_classes; ++c)
        for (std::size_t i = 0; i < labels.size(); ++i)
            if (labels[i] == c) {
                rows.push_back(i);
                break;
            }
    return rows;
}

Progress::Progress(Tutorial& t, std::string label, int total)
    : t_(t), label_(std::move(label)), total_(total), tty_(isatty(STDOUT_FILENO) != 0),
      start_(std::chrono::steady_clock::now()) {}

void Progress::update(int done, const std::string& status) {
    const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    const double eta = done > 0 ? elapsed * (total_ - done) / done : 0.0;
    std::ostringstream line;
    line << label_ << " " << done << "/" << total_ << "  " << status << "  " << fixed(elapsed, 1) << " s  ETA "
         << fixed(eta, 0) << " s";
    if (tty_)
        t_.say() << "\r" << line.str() << "\033[K" << std::flush;
    else
        t_.say() << line.str() << std::endl;  // flushed: a log file shows progress as it happens
}

void Progress::finish() {
    if (tty_) t_.say() << "\n";
}

}  // namespace hg::tutorial
