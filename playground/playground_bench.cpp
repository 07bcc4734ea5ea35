// playground_bench course|fashion [STEPS] — the playground engine's training step, natively,
// on one thread: the same Playground::bench the page calls as pg.bench(task, steps) in
// WebAssembly (?bench=course), so the two numbers compare the same code. Fashion uses the
// site's images: the first 3,000 training and 500 test images of Fashion-MNIST.
//
//   build/playground/playground_bench course 20000
//   result: bench=course step_us=... steps=20000 threads=1
#include <cstdlib>
#include <iostream>
#include <string>

#include <nlohmann/json.hpp>

#include "data/idx.hpp"
#include "playground/engine/playground.hpp"
#include "tensor/parallel.hpp"

int main(int argc, char** argv) {
    const std::string task = argc > 1 ? argv[1] : "";
    if (argc > 3 || (task != "course" && task != "fashion")) {
        std::cerr << "usage: playground_bench course|fashion [STEPS]\n";
        return 2;
    }
    const int steps = argc > 2 ? std::atoi(argv[2]) : (task == "course" ? 20000 : 200);
    hg::set_num_threads(1);  // the browser's engine has one thread
    try {
        hg::playground::Playground pg;
        if (task == "fashion") {
            hg::data::ImageSet train = hg::data::fashion_mnist("train", 3000), test = hg::data::fashion_mnist("t10k", 500);
            std::vector<int> labels = train.labels;
            labels.insert(labels.end(), test.labels.begin(), test.labels.end());
            const auto loaded = nlohmann::json::parse(pg.load_images(hg::Tensor::concat_rows({train.images, test.images}), labels));
            if (!loaded["ok"].get<bool>()) throw std::runtime_error(loaded["error"].get<std::string>());
        }
        const auto r = nlohmann::json::parse(pg.bench(task, steps));
        if (!r["ok"].get<bool>()) throw std::runtime_error(r["error"].get<std::string>());
        std::cout << "result: bench=" << task << " step_us=" << r["step_us"].get<double>() << " steps=" << steps
                  << " threads=1\n";
    } catch (const std::exception& e) {
        std::cerr << "playground_bench: " << e.what() << "\n";
        return 1;
    }
}
