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
        p.mutable_value().add_scaled(p.grad(), -lr);
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

// The course's array and what steps 2-6 compute for its first user.
struct Lab {
    hg::data::CourseMatrix course;
    Tensor x, rated;                 // +1 liked, −1 disliked, 0 blank; 1 where rated
    std::size_t hidden = 3;
    Net net;
    Tensor x0, m0, z0, y0;           // user 1's row, its rated mask, code and reconstruction
    float n0 = 0, d0 = 0;            // user 1's number of ratings and error
    std::size_t users() const { return x.rows(); }
    std::size_t movies() const { return x.cols(); }
};

// One line per user: +1, -1, or `blank(u, i)` where the array has no rating.
template <class Blank>
void print_rows(hg::tutorial::Tutorial& t, const Tensor& x, Blank blank) {
    for (std::size_t u = 0; u < x.rows(); ++u) {
        t.say() << "  user " << (u + 1 < 10 ? " " : "") << u + 1 << ":";
        for (std::size_t i = 0; i < x.cols(); ++i) {
            const float v = x.at({u, i});
            t.say() << (v > 0 ? "   +1   " : v < 0 ? "   -1   " : blank(u, i));
        }
        t.say() << "\n";
    }
}

void step1_array(hg::tutorial::Tutorial& t, Lab& lab) {
    t.step(1, "The users x movies array (0 = not rated)");
    t.say() << lab.users() << " users x " << lab.movies() << " movies (+1 liked, -1 disliked, 0 not rated):\n          ";
    for (const std::string& m : lab.course.movies) t.say() << " " << m.substr(0, 6) << std::string(7 - std::min<std::size_t>(6, m.size()), ' ');
    t.say() << "\n";
    print_rows(t, lab.x, [](std::size_t, std::size_t) { return std::string("    .   "); });
    const float n_rated = hg::sum(lab.rated).item();
    t.say() << n_rated << " ratings, " << lab.x.numel() - static_cast<std::size_t>(n_rated) << " blanks\n";
    t.check(n_rated > 0 && n_rated < static_cast<float>(lab.x.numel()), "the array has both ratings and blanks");
}

// Steps 2-5 on user 1, written out with tensors (no autograd).
void steps2to5_forward(hg::tutorial::Tutorial& t, Lab& lab) {
    t.step(2, "One user's row enters the network");
    Net& net = lab.net;
    lab.x0 = lab.x.slice_rows(0, 1);
    lab.m0 = lab.rated.slice_rows(0, 1);
    t.say() << "x = user 1's ratings " << lab.x0 << "\nW1 " << net.W1.shape() << ", b1 " << net.b1.shape() << ", W2 "
            << net.W2.shape() << ", b2 " << net.b2.shape() << "\n";

    t.step(3, "Encode: z = sigmoid(x·W1 + b1)");
    lab.z0 = 1.0f / (1.0f + hg::exp(-(hg::matmul(lab.x0, net.W1.value()) + net.b1.value())));
    t.say() << "z = " << lab.z0 << "   (" << lab.hidden << " numbers now describe this user's taste)\n";
    t.check(lab.z0.shape() == hg::Shape{1, lab.hidden}, "the code z has one value per hidden unit");

    t.step(4, "Decode: y = z·W2 + b2, the same size as x");
    lab.y0 = hg::matmul(lab.z0, net.W2.value()) + net.b2.value();
    t.say() << "y = " << lab.y0 << "\n";
    t.check(lab.y0.shape() == lab.x0.shape(), "the reconstruction y has the input's shape");

    t.step(5, "The reconstruction error d(x, y), on rated movies only");
    lab.n0 = hg::sum(lab.m0).item();
    lab.d0 = hg::sum(hg::square(lab.y0 - lab.x0) * lab.m0).item() / lab.n0;
    t.say() << "d(x, y) = sum over rated movies of (y - x)^2 / " << lab.n0 << " = " << lab.d0 << "\n";
    t.say() << "(a blank is not a 0 rating: the network is free to predict anything there)\n";
}

// From the error back to each parameter, one line of the chain rule each; returns the largest
// difference from autograd's gradients.
float step6_backprop(hg::tutorial::Tutorial& t, Lab& lab) {
    t.step(6, "Backpropagation written out with matrices, then by autograd");
    Net& net = lab.net;
    const Tensor &x0 = lab.x0, &z0 = lab.z0;
    const Tensor dY = 2.0f * (lab.y0 - x0) * lab.m0 / lab.n0;         // dd/dy, zero on blanks
    const Tensor dW2 = hg::matmul(z0, dY, true, false);                // zᵀ·dY      (3x6)
    const Tensor db2 = dY;                                             //            (1x6) -> (6)
    const Tensor dZ = hg::matmul(dY, net.W2.value(), false, true);     // dY·W2ᵀ     (1x3)
    const Tensor dA = dZ * z0 * (1.0f - z0);                           // sigmoid' = z(1−z)
    const Tensor dW1 = hg::matmul(x0, dA, true, false);                // xᵀ·dA      (6x3)
    const Tensor db1 = dA;
    Var loss0 = loss_of(net, x0, lab.m0);
    loss0.backward();
    t.say() << "             by hand                          autograd\n";
    t.say() << "dW2[0] " << dW2.slice_rows(0, 1) << "   " << net.W2.grad().slice_rows(0, 1) << "\n";
    t.say() << "db2    " << db2 << "   " << net.b2.grad() << "\n";
    t.say() << "dW1[0] " << dW1.slice_rows(0, 1) << "   " << net.W1.grad().slice_rows(0, 1) << "\n";
    t.say() << "db1    " << db1 << "   " << net.b1.grad() << "\n";
    const float diff = std::max({hg::max_abs_diff(dW2, net.W2.grad()), hg::max_abs_diff(db2.reshape({lab.movies()}), net.b2.grad()),
                                 hg::max_abs_diff(dW1, net.W1.grad()), hg::max_abs_diff(db1.reshape({lab.hidden}), net.b1.grad())});
    t.say() << "largest difference: " << diff << "\n";
    t.check(std::fabs(loss0.item() - lab.d0) < 1e-6f, "autograd's loss equals the hand-computed d(x, y)");
    t.check(diff < 1e-6f, "hand-written backpropagation and autograd agree to 1e-6");
    for (Var p : params(net)) p.zero_grad();
    return diff;
}

// Online (after each user) against batch updates (after all users): the loss after each.
struct Comparison {
    float start = 0, online = 0, batch = 0;
};

Comparison step7_online_vs_batch(hg::tutorial::Tutorial& t, const Lab& lab, int epochs, float lr) {
    t.step(7, "Online updates (after each user) vs batch updates (after all users)");
    const int compare_epochs = std::min(epochs, 100);
    Net online = make_net(lab.movies(), lab.hidden, true, t.options().seed);
    Net batch = make_net(lab.movies(), lab.hidden, true, t.options().seed);
    Comparison c;
    c.start = total_loss(online, lab.x, lab.rated);
    c.online = train(online, lab.x, lab.rated, compare_epochs, 1, lr).back();
    c.batch = train(batch, lab.x, lab.rated, compare_epochs, lab.users(), lr).back();
    t.say() << "after " << compare_epochs << " epochs from the same start (loss " << c.start << "):\n"
            << "  online: " << compare_epochs * static_cast<int>(lab.users()) << " updates, loss " << c.online << "\n"
            << "  batch:  " << compare_epochs << " updates, loss " << c.batch << "\n";
    t.check(c.online < c.batch, "with the same learning rate and epochs, online learning gets further (11x more updates)");
    t.check(c.batch < c.start, "batch learning lowers the loss too, one smooth step per epoch");
    return c;
}

// Online training for all the epochs; returns the loss after each.
std::vector<float> step8_epochs(hg::tutorial::Tutorial& t, const Lab& lab, Net& net, int epochs, float lr, float start) {
    t.step(8, "Epochs: repeat, and watch the loss fall");
    const std::vector<float> curve = train(net, lab.x, lab.rated, epochs, 1, lr);
    for (int e : {1, epochs / 8, epochs / 4, epochs / 2, epochs})
        if (e >= 1) t.say() << "  epoch " << e << ": loss " << curve[static_cast<std::size_t>(e - 1)] << "\n";
    t.check(curve.back() < 0.1f * start, "the loss after the last epoch is below a tenth of the first");
    return curve;
}

// The same training without b1 and b2; returns its final loss.
float step9_biases(hg::tutorial::Tutorial& t, const Lab& lab, int epochs, float lr, float with_biases) {
    t.step(9, "What the bias terms do");
    Net no_bias = make_net(lab.movies(), lab.hidden, false, t.options().seed);
    const float without = train(no_bias, lab.x, lab.rated, epochs, 1, lr).back();
    t.say() << "final loss with biases " << with_biases << ", without " << without << "\n";
    t.check(with_biases < without, "biases let the same network fit the ratings better");
    return without;
}

void fill_blanks(hg::tutorial::Tutorial& t, const Lab& lab, const Net& trained) {
    t.say() << "\nThe blanks filled in: the trained network's guess (+ would like, - would not):\n";
    Tensor guess;
    {
        hg::NoGradGuard no_grad;
        guess = forward(trained, Var::constant(lab.x)).value();
    }
    print_rows(t, lab.x, [&](std::size_t u, std::size_t i) {
        const float g = guess.at({u, i});
        return " (" + std::string(g > 0 ? "+" : "-") + hg::tutorial::fixed(std::fabs(g), 1) + ") ";
    });
}

}  // namespace

int main(int argc, char** argv) {
    hg::tutorial::Tutorial t("02_autoencoder_by_hand", "An autoencoder trained by hand, the 8 steps");
    std::size_t hidden = 3;
    float lr = 0.1f;
    t.app().add_option("--hidden", hidden, "Hidden units (the code size)")->check(hg::tutorial::at_least(1));
    t.app().add_option("--lr", lr, "Learning rate of the gradient-descent updates")->check(hg::tutorial::above(0));
    return t.run(argc, argv, [&] {
        const int epochs = t.epochs(400, 150);
        Lab lab;
        lab.course = hg::data::course_matrix();
        lab.x = lab.course.values;
        lab.rated = hg::ne(lab.x, 0.0f);
        lab.hidden = hidden;
        step1_array(t, lab);
        lab.net = make_net(lab.movies(), hidden, true, t.options().seed);
        steps2to5_forward(t, lab);
        const float diff = step6_backprop(t, lab);
        const Comparison c = step7_online_vs_batch(t, lab, epochs, lr);

        Net net8 = make_net(lab.movies(), hidden, true, t.options().seed);
        const std::vector<float> curve = step8_epochs(t, lab, net8, epochs, lr, c.start);
        const float no_bias_loss = step9_biases(t, lab, epochs, lr, curve.back());
        fill_blanks(t, lab, net8);
        t.result({{"grad_diff", hg::tutorial::scientific(diff, 2)},
                  {"online_loss", hg::tutorial::fixed(c.online, 4)},
                  {"batch_loss", hg::tutorial::fixed(c.batch, 4)},
                  {"final_loss", hg::tutorial::fixed(curve.back(), 4)},
                  {"no_bias_loss", hg::tutorial::fixed(no_bias_loss, 4)},
                  {"epochs", std::to_string(epochs)}});
    });
}
