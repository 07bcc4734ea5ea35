// Tutorial 02 — an autoencoder trained by hand, in the course's 8 steps, on its 11 users x 6
// movies like/dislike array (+1 liked, −1 disliked, 0 blank): x (1x6) -> sigmoid code z (1x3)
// -> y (1x6), error on rated movies only. The steps, the backpropagation derivation and the
// measured losses are in 02_autoencoder_by_hand.md beside this file.
#include <algorithm>
#include <cmath>
#include <iostream>
#include <vector>

#include "autograd/anomaly.hpp"
#include "autograd/ops.hpp"
#include "data/builtin.hpp"
#include "tensor/matmul.hpp"
#include "tutorials/common/tutorial.hpp"

using hg::Tensor;
using hg::Var;

namespace {

// The network's parameters as Vars (autograd fills their .grad()).
struct Net {
    Var W1, b1, W2, b2;
    bool bias = true;
};

Net make_net(std::size_t n_movies, std::size_t n_hidden, bool bias, std::uint64_t seed) {
    hg::Rng rng(seed);
    Net net;
    net.W1 = Var::parameter(Tensor::normal({n_movies, n_hidden}, 0, 0.5f, rng), "W1");
    net.b1 = Var::parameter(Tensor::zeros({n_hidden}), "b1");
    net.W2 = Var::parameter(Tensor::normal({n_hidden, n_movies}, 0, 0.5f, rng), "W2");
    net.b2 = Var::parameter(Tensor::zeros({n_movies}), "b2");
    net.bias = bias;
    return net;
}

std::vector<Var> params(const Net& n) {
    if (n.bias) return {n.W1, n.b1, n.W2, n.b2};
    return {n.W1, n.W2};
}

// Steps 3–4 with autograd: encode, decode.
Var forward(const Net& n, const Var& x) {
    Var a = hg::matmul(x, n.W1);
    Var z = hg::sigmoid(n.bias ? a + n.b1 : a);
    Var y = hg::matmul(z, n.W2);
    return n.bias ? y + n.b2 : y;
}

// Step 5: the mean squared error over the rated movies of a batch of users (rows of x).
// `rated` is 1 where a rating exists, 0 on blanks.
Var loss_of(const Net& n, const Tensor& x, const Tensor& rated) {
    Var X = Var::constant(x, "x");
    Var err = hg::mask(forward(n, X) - X, rated);
    return hg::sum(hg::square(err)) / hg::sum(rated).item();
}

// The error over all users, without building a graph.
float total_loss(const Net& n, const Tensor& x, const Tensor& rated) {
    hg::NoGradGuard no_grad;
    return loss_of(n, x, rated).item();
}

// Plain gradient descent: p ← p − lr · dL/dp, then clear the gradients.
void sgd_step(const Net& n, float lr) {
    for (Var p : params(n)) {
        p.value().add_scaled(p.grad(), -lr);
        p.zero_grad();
    }
}

// Train for `epochs`; batch_size 1 = online (update after each user), rows = batch.
std::vector<float> train(const Net& n, const Tensor& x, const Tensor& rated, int epochs, std::size_t batch_size,
                         float lr) {
    std::vector<float> curve;
    const std::size_t users = x.rows();
    for (int e = 0; e < epochs; ++e) {
        for (std::size_t start = 0; start < users; start += batch_size) {
            const std::size_t end = std::min(users, start + batch_size);
            const Tensor xb = x.slice_rows(start, end), mb = rated.slice_rows(start, end);
            if (hg::sum(mb).item() == 0) continue;  // a user with no ratings teaches nothing
            loss_of(n, xb, mb).backward();
            sgd_step(n, lr);
        }
        curve.push_back(total_loss(n, x, rated));
        // Plain gradient descent has no optimiser to watch the weights: stop a diverged run
        // here (tutorial.cpp says what to try) instead of printing nan for every epoch.
        if (!std::isfinite(curve.back()))
            throw hg::NumericError("epoch " + std::to_string(e + 1) + " (batch size " + std::to_string(batch_size) +
                                   ", lr " + hg::tutorial::scientific(lr, 1) + "): the loss became " + hg::tutorial::scientific(curve.back(), 2));
    }
    return curve;
}

}  // namespace

int main(int argc, char** argv) {
    hg::tutorial::Tutorial t("02_autoencoder_by_hand", "An autoencoder trained by hand, the 8 steps");
    std::size_t hidden = 3;
    float lr = 0.1f;
    t.app().add_option("--hidden", hidden, "Hidden units (the code size)")->check(CLI::PositiveNumber);
    t.app().add_option("--lr", lr, "Learning rate of the gradient-descent updates")->check(CLI::PositiveNumber);
    return t.run(argc, argv, [&] {
        const int epochs = t.epochs(400, 150);

        t.step(1, "The users x movies array (0 = not rated)");
        const hg::data::CourseMatrix course = hg::data::course_matrix();
        const Tensor& x = course.values;   // +1 liked, −1 disliked, 0 blank
        const Tensor rated = hg::ne(x, 0.0f);
        const std::size_t users = x.rows(), movies = x.cols();
        t.say() << users << " users x " << movies << " movies (+1 liked, -1 disliked, 0 not rated):\n";
        t.say() << "          ";
        for (const std::string& m : course.movies) t.say() << " " << m.substr(0, 6) << std::string(7 - std::min<std::size_t>(6, m.size()), ' ');
        t.say() << "\n";
        for (std::size_t u = 0; u < users; ++u) {
            t.say() << "  user " << (u + 1 < 10 ? " " : "") << u + 1 << ":";
            for (std::size_t i = 0; i < movies; ++i) {
                const float v = x.at({u, i});
                t.say() << (v > 0 ? "   +1   " : v < 0 ? "   -1   " : "    .   ");
            }
            t.say() << "\n";
        }
        const float n_rated = hg::sum(rated).item();
        t.say() << n_rated << " ratings, " << x.numel() - static_cast<std::size_t>(n_rated) << " blanks\n";
        t.check(n_rated > 0 && n_rated < static_cast<float>(x.numel()), "the array has both ratings and blanks");

        t.step(2, "One user's row enters the network");
        Net net = make_net(movies, hidden, true, t.options().seed);
        const Tensor x0 = x.slice_rows(0, 1), m0 = rated.slice_rows(0, 1);
        t.say() << "x = user 1's ratings " << x0 << "\n";
        t.say() << "W1 " << net.W1.shape() << ", b1 " << net.b1.shape() << ", W2 " << net.W2.shape() << ", b2 "
                << net.b2.shape() << "\n";

        t.step(3, "Encode: z = sigmoid(x·W1 + b1)");
        const Tensor a0 = hg::matmul(x0, net.W1.value()) + net.b1.value();
        const Tensor z0 = 1.0f / (1.0f + hg::exp(-a0));
        t.say() << "z = " << z0 << "   (" << hidden << " numbers now describe this user's taste)\n";
        t.check(z0.shape() == hg::Shape{1, hidden}, "the code z has one value per hidden unit");

        t.step(4, "Decode: y = z·W2 + b2, the same size as x");
        const Tensor y0 = hg::matmul(z0, net.W2.value()) + net.b2.value();
        t.say() << "y = " << y0 << "\n";
        t.check(y0.shape() == x0.shape(), "the reconstruction y has the input's shape");

        t.step(5, "The reconstruction error d(x, y), on rated movies only");
        const float n0 = hg::sum(m0).item();
        const float d0 = hg::sum(hg::square(y0 - x0) * m0).item() / n0;
        t.say() << "d(x, y) = sum over rated movies of (y - x)^2 / " << n0 << " = " << d0 << "\n";
        t.say() << "(a blank is not a 0 rating: the network is free to predict anything there)\n";

        t.step(6, "Backpropagation written out with matrices, then by autograd");
        // From the error back to each parameter, one line of the chain rule each:
        const Tensor dY = 2.0f * (y0 - x0) * m0 / n0;                      // dd/dy, zero on blanks
        const Tensor dW2 = hg::matmul(z0, dY, true, false);                // zᵀ·dY      (3x6)
        const Tensor db2 = dY;                                             //            (1x6) -> (6)
        const Tensor dZ = hg::matmul(dY, net.W2.value(), false, true);     // dY·W2ᵀ     (1x3)
        const Tensor dA = dZ * z0 * (1.0f - z0);                           // sigmoid' = z(1−z)
        const Tensor dW1 = hg::matmul(x0, dA, true, false);                // xᵀ·dA      (6x3)
        const Tensor db1 = dA;
        Var loss0 = loss_of(net, x0, m0);
        loss0.backward();
        t.say() << "             by hand                          autograd\n";
        t.say() << "dW2[0] " << dW2.slice_rows(0, 1) << "   " << net.W2.grad().slice_rows(0, 1) << "\n";
        t.say() << "db2    " << db2 << "   " << net.b2.grad() << "\n";
        t.say() << "dW1[0] " << dW1.slice_rows(0, 1) << "   " << net.W1.grad().slice_rows(0, 1) << "\n";
        t.say() << "db1    " << db1 << "   " << net.b1.grad() << "\n";
        const float diff = std::max({hg::max_abs_diff(dW2, net.W2.grad()),
                                     hg::max_abs_diff(db2.reshape({movies}), net.b2.grad()),
                                     hg::max_abs_diff(dW1, net.W1.grad()),
                                     hg::max_abs_diff(db1.reshape({hidden}), net.b1.grad())});
        t.say() << "largest difference: " << diff << "\n";
        t.check(std::fabs(loss0.item() - d0) < 1e-6f, "autograd's loss equals the hand-computed d(x, y)");
        t.check(diff < 1e-6f, "hand-written backpropagation and autograd agree to 1e-6");
        for (Var p : params(net)) p.zero_grad();

        t.step(7, "Online updates (after each user) vs batch updates (after all users)");
        // The course calls updating after each observation "reinforcement learning"; the
        // usual name is online (stochastic) learning. Batch learning sums the gradients of
        // all users and updates once per epoch.
        const int compare_epochs = std::min(epochs, 100);
        Net online = make_net(movies, hidden, true, t.options().seed);
        Net batch = make_net(movies, hidden, true, t.options().seed);
        const float start_loss = total_loss(online, x, rated);
        const std::vector<float> online_curve = train(online, x, rated, compare_epochs, 1, lr);
        const std::vector<float> batch_curve = train(batch, x, rated, compare_epochs, users, lr);
        t.say() << "after " << compare_epochs << " epochs from the same start (loss " << start_loss << "):\n"
                << "  online: " << compare_epochs * static_cast<int>(users) << " updates, loss "
                << online_curve.back() << "\n"
                << "  batch:  " << compare_epochs << " updates, loss " << batch_curve.back() << "\n";
        t.check(online_curve.back() < batch_curve.back(),
                "with the same learning rate and epochs, online learning gets further (11x more updates)");
        t.check(batch_curve.back() < start_loss, "batch learning lowers the loss too, one smooth step per epoch");

        t.step(8, "Epochs: repeat, and watch the loss fall");
        Net net8 = make_net(movies, hidden, true, t.options().seed);
        const std::vector<float> curve = train(net8, x, rated, epochs, 1, lr);
        for (int e : {1, epochs / 8, epochs / 4, epochs / 2, epochs})
            if (e >= 1) t.say() << "  epoch " << e << ": loss " << curve[static_cast<std::size_t>(e - 1)] << "\n";
        t.check(curve.back() < 0.1f * start_loss, "the loss after the last epoch is below a tenth of the first");

        t.step(9, "What the bias terms do");
        // Without biases, a hidden unit's input is x·W1 alone: for a user with few ratings
        // it sits near 0 and z near 0.5 whatever the weights, and no unit can have a
        // default level of its own. The same training without b1 and b2:
        Net no_bias = make_net(movies, hidden, false, t.options().seed);
        const std::vector<float> nb_curve = train(no_bias, x, rated, epochs, 1, lr);
        t.say() << "final loss with biases " << curve.back() << ", without " << nb_curve.back() << "\n";
        t.check(curve.back() < nb_curve.back(), "biases let the same network fit the ratings better");

        t.say() << "\nThe blanks filled in: the trained network's guess (+ would like, - would not):\n";
        Tensor guess;
        {
            hg::NoGradGuard no_grad;
            guess = forward(net8, Var::constant(x)).value();
        }
        for (std::size_t u = 0; u < users; ++u) {
            t.say() << "  user " << (u + 1 < 10 ? " " : "") << u + 1 << ":";
            for (std::size_t i = 0; i < movies; ++i) {
                const float v = x.at({u, i}), g = guess.at({u, i});
                if (v != 0)
                    t.say() << (v > 0 ? "   +1   " : "   -1   ");
                else
                    t.say() << " (" << (g > 0 ? "+" : "-") << hg::tutorial::fixed(std::fabs(g), 1) << ") ";
            }
            t.say() << "\n";
        }
        t.result({{"grad_diff", hg::tutorial::scientific(diff, 2)},
                  {"online_loss", hg::tutorial::fixed(online_curve.back(), 4)},
                  {"batch_loss", hg::tutorial::fixed(batch_curve.back(), 4)},
                  {"final_loss", hg::tutorial::fixed(curve.back(), 4)},
                  {"no_bias_loss", hg::tutorial::fixed(nb_curve.back(), 4)},
                  {"epochs", std::to_string(epochs)}});
    });
}
