// The course's stacked autoencoder trained in mini-batches of users — the training-step
// benchmark beside bench/pytorch/course_sae.py --batch N (bench/compare.py, cases sae_b*).
//
// The model and optimiser of tutorial 03's course recipe (n-20-10-20-n, sigmoid hidden
// layers, linear output, RMSprop(lr 0.01, alpha 0.99, eps 1e-8, weight_decay 0.5), masked
// MSE divided by every cell of the batch, as nn.MSELoss on the masked output), but with
// --batch users per step (in order, users without ratings left out) and the gradients
// zeroed before each step (--zero-grad false keeps the course's accumulation). The
// tutorial teaches one user per step; this program only measures the step's speed.
//
//   build/bench/sae_minibatch --data $HG_DATA/ml-100k --batch 64 --epochs 50 --threads 1
//
// Prints one line per epoch (unless --quiet) and a final `result:` line with the median
// epoch time and users trained per second.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <memory>
#include <vector>

#include "autograd/loss.hpp"
#include "data/movielens.hpp"
#include "data/ratings.hpp"
#include "models/course.hpp"
#include "nn/rmsprop.hpp"
#include "tensor/float_mode.hpp"
#include "tensor/kernels/pool.hpp"
#include "tensor/parallel.hpp"

namespace {

double seconds_since(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app("The course's SAE on ml-100k u1.base in mini-batches: speed of a training step", "sae_minibatch");
    std::string data;
    int epochs = 50, threads = 1;
    std::size_t batch = 64;
    std::uint64_t seed = 42;
    bool zero_grad = true, quiet = false;
    app.add_option("--data", data, "The ml-100k folder (u1.base, u1.test)")->required()->check(CLI::ExistingDirectory);
    app.add_option("--epochs", epochs, "Epochs (the result is the median epoch)")->check(CLI::PositiveNumber);
    app.add_option("--batch", batch, "Users per step")->check(CLI::PositiveNumber);
    app.add_option("--threads", threads, "Threads for the kernels")->check(CLI::PositiveNumber);
    app.add_option("--seed", seed, "Random seed of the weights");
    app.add_option("--zero-grad", zero_grad, "Zero the gradients before each step (false: the course's accumulation)");
    app.add_flag("--quiet", quiet, "Print only the result line");
    CLI11_PARSE(app, argc, argv);
    try {
        hg::set_num_threads(threads);
        hg::set_flush_denormal(true);  // as the tutorials and the PyTorch peer do
        hg::kernels::keep_freed_memory();  // as the tutorials do (tensor/kernels/pool.hpp)
        const hg::data::Split split = hg::data::load_movielens_split(data, "u1");
        const hg::data::RatingMatrix train = hg::data::RatingMatrix::from(split.train);
        const std::size_t n_users = train.n_users(), n_items = train.n_items();

        // The batches, fixed for the run: consecutive users with at least one rating.
        std::vector<std::vector<std::size_t>> batches;
        for (std::size_t u = 0; u < n_users; ++u) {
            if (train.by_user().row(u).size() == 0) continue;
            if (batches.empty() || batches.back().size() == batch) batches.emplace_back();
            batches.back().push_back(u);
        }

        hg::Rng rng(seed);
        auto model = hg::models::course_model(n_items, rng);
        hg::RMSprop opt(model->parameters(), hg::models::course_rmsprop());
        std::vector<double> times;
        double loss_sum = 0;
        std::size_t users = 0;
        for (int e = 1; e <= epochs; ++e) {
            const auto start = std::chrono::steady_clock::now();
            loss_sum = 0;
            users = 0;
            for (const std::vector<std::size_t>& rows : batches) {
                const hg::Tensor x = train.dense_rows(rows);
                const hg::Var input = hg::Var::constant(x);
                if (zero_grad) opt.zero_grad();
                hg::Var loss = hg::masked_mse((*model)(input), input, hg::ne(x, 0.0f));
                loss.backward();
                opt.step();
                loss_sum += loss.item() * static_cast<double>(rows.size());
                users += rows.size();
            }
            times.push_back(seconds_since(start));
            if (!quiet)
                std::printf("epoch %d loss %.4f seconds %.4f\n", e, loss_sum / static_cast<double>(users), times.back());
        }
        std::sort(times.begin(), times.end());
        const double median = times[times.size() / 2];
        std::printf("result: impl=hourglass batch=%zu zero_grad=%d epochs=%d threads=%d users=%zu train_loss=%.6f "
                    "epoch_seconds=%.5f users_per_second=%.0f\n",
                    batch, zero_grad ? 1 : 0, epochs, threads, users, loss_sum / static_cast<double>(users), median,
                    static_cast<double>(users) / median);
        return 0;
    } catch (const std::exception& e) {
        std::cerr << "sae_minibatch: " << e.what() << "\n";
        return 1;
    }
}
