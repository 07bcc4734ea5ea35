// What every tutorial shares: the common flags, step banners, checks, progress and the
// final machine-readable result line. A tutorial's main() reads:
//
//   int main(int argc, char** argv) {
//       hg::tutorial::Tutorial t("03_recommender", "The movie recommender");
//       int user = 1;
//       t.app().add_option("--user", user, "Recommend for this user id");  // its own flags
//       return t.run(argc, argv, [&] {
//           t.step(1, "Load the ratings");
//           ...
//           t.check(rmse < baseline, "the model beats the per-item mean");
//           t.result({{"test_rmse", hg::tutorial::fixed(rmse, 4)}});
//       });
//   }
//
// Common flags: --data DIR, --quick, --epochs N, --seed N, --threads N, --out DIR, --quiet,
// --anomaly. --help lists them with the tutorial's own. A size that differs between the full
// run and --quick is a setting: a flag with two defaults,
//
//   std::size_t train_images = 0;
//   t.setting("--train-images", train_images, {20000, 3000}, "Training images");  // full, quick
//   ... inside run(): train_images is 3000 under --quick unless --train-images was given
//   const std::size_t test_images = t.pick<std::size_t>(2000, 1000);   // no flag: full, quick
//
// Tutorials flush denormal floats to zero (tensor/float_mode.hpp). The shared Fashion-MNIST
// loading is in fashion.hpp, the mini-batch epoch loop in epochs.hpp.
#pragma once

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <iosfwd>
#include <sstream>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace hg::tutorial {

// A claim the tutorial makes did not hold. The run stops with exit code 2.
struct CheckFailed : std::runtime_error {
    using std::runtime_error::runtime_error;
};

struct Options {
    std::string data;         // --data DIR: where the real data set lives ("" = look around)
    bool quick = false;       // --quick: the seconds-long setting the test suite runs
    int epochs = 0;           // --epochs N: 0 = the tutorial's default for its setting
    std::uint64_t seed = 42;  // --seed N
    int threads = 0;          // --threads N: 0 = HG_THREADS or every core
    std::string out;          // --out DIR: pictures and models ("" = out/<tutorial id>)
    bool quiet = false;       // --quiet: only checks, errors and the result line
    bool anomaly = false;     // --anomaly: stop at the first NaN/Inf an op or gradient makes
};

class Tutorial {
public:
    Tutorial(std::string id, std::string title);

    CLI::App& app() { return app_; }
    const Options& options() const { return options_; }
    const std::string& id() const { return id_; }

    // Parse the flags, set the thread count, run body, and turn errors into a message
    // and an exit code (1: an error, a bad flag among them; 2: a check failed; 3: training
    // diverged, with what to try instead). Returns main()'s exit code.
    int run(int argc, char** argv, const std::function<void()>& body);

    // The epoch count: --epochs if given, else quick_default under --quick, else full_default.
    int epochs(int full_default, int quick_default) const;

    // True when neither --epochs nor any of `flags` was given: the setting at which a
    // tutorial's claims about its numbers were measured (valid inside run()).
    //   if (t.default_setting({"--batch", "--lr"})) t.check(ratio >= 1.8, "...");
    bool default_setting(std::initializer_list<const char*> flags) const;

    // The full run's value, or the quick one under --quick (valid inside run()).
    template <class T>
    T pick(T full, T quick) const {
        return options_.quick ? quick : full;
    }

    // A flag of the tutorial's own whose default depends on --quick: after parsing, `value`
    // is the flag's value if given, else defaults.full or defaults.quick. --help shows both.
    template <class T>
    struct Defaults {
        T full, quick;
    };
    template <class T>
    CLI::Option* setting(const std::string& flag, T& value, Defaults<T> defaults, const std::string& help) {
        CLI::Option* option = app_.add_option(flag, value, help + " (default " + shown(defaults.full) + "; --quick " +
                                                               shown(defaults.quick) + ")");
        resolve_.push_back([this, option, &value, defaults] {
            if (option->count() == 0) value = pick(defaults.full, defaults.quick);
        });
        return option;
    }

    // A flag naming a file the run reads (--load) or writes (--save). Checked in run() right
    // after parsing, before any work: an output must not be a folder, its folder must exist,
    // and no output may be one of the inputs (a run would overwrite what it reads). --out
    // must be a folder, or a path where one can be made.
    CLI::Option* input_file(const std::string& flag, std::string& path, const std::string& help);
    CLI::Option* output_file(const std::string& flag, std::string& path, const std::string& help);

    // Narration: goes to stdout unless --quiet.
    std::ostream& say();
    void step(int number, const std::string& title);  // a banner: "== Step 3: ... =="
    // Assert a claim; prints "  check: <claim> ... ok", or throws CheckFailed.
    void check(bool ok, const std::string& claim);

    // The folder for this run's pictures and models (created on first use).
    std::string out_dir();
    // Say what the run wrote there: "in <out_dir>:", then each file and what it shows.
    //   t.say_files({{"reconstructions.png", "row 1 test images, row 2 the autoencoder"}});
    void say_files(const std::vector<std::pair<std::string, std::string>>& files);

    // Print the final line: result: tutorial=<id> k=v ... seconds=<elapsed>.
    void result(const std::vector<std::pair<std::string, std::string>>& values);
    double seconds() const;  // since run() started

private:
    template <class T>
    static std::string shown(const T& value) {
        std::ostringstream text;
        text << value;
        return text.str();
    }

    std::string id_, title_;
    CLI::App app_;
    Options options_;
    std::chrono::steady_clock::time_point start_;
    bool result_printed_ = false;
    std::vector<std::function<void()>> resolve_;  // the settings' defaults, applied after parsing
    std::vector<std::pair<std::string, const std::string*>> inputs_, outputs_;  // flag, its path
    void check_paths() const;
};

// ---- checks of flag values ----
// CLI11 validators whose messages say what to give: "--hidden: must be at least 1 (got 0)"
// (CLI11's own Range prints its bounds with 300 digits, and calls "abc" out of range).
//   t.app().add_option("--hidden", hidden, "Hidden units")->check(hg::tutorial::at_least(1));
CLI::Validator at_least(double lo);            // a number >= lo
CLI::Validator above(double lo);               // a number > lo (a learning rate: above(0))
CLI::Validator between(double lo, double hi);  // lo <= a number <= hi
CLI::Validator whole_number();                 // 0 .. 2^64-1, digits only (a seed: not -1, not 2^64)
// A comma-separated list of numbers, each between lo and hi (hi may be infinite): "--noise
// 0.1,0.25". After parsing, parse_list(text) gives the numbers.
CLI::Validator list_between(double lo, double hi);
std::vector<float> parse_list(const std::string& text);

// Fixed-point formatting for result values and tables: fixed(0.94811, 4) == "0.9481".
std::string fixed(double value, int decimals);
// Scientific formatting: scientific(0.000012345, 2) == "1.23e-05".
std::string scientific(double value, int decimals);
// A list of numbers, each fixed(value, decimals): joined({0.5, 0.25}, 2) == "0.50 0.25".
std::string joined(const std::vector<double>& values, int decimals, const std::string& separator = " ");
// Right-aligned in a column of `width` characters, for tables: right("3.5", 6) == "   3.5".
std::string right(const std::string& text, std::size_t width);

// The index of the first example of each class 0..n_classes-1 (for showing one of each).
std::vector<std::size_t> one_per_class(const std::vector<int>& labels, int n_classes);

// One updating line on a terminal ("epoch 12/200  loss 1.0213  3.1 s  ETA 48 s");
// one plain line per update when the output is a file or pipe (or every `every` steps).
class Progress {
public:
    Progress(Tutorial& t, std::string label, int total);
    void update(int done, const std::string& status);
    void finish();  // ends the updating line

private:
    Tutorial& t_;
    std::string label_;
    int total_;
    bool tty_;
    std::chrono::steady_clock::time_point start_;
};

}  // namespace hg::tutorial
