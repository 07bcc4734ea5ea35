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
namespace tut = hg::tutorial;

namespace {

// The network's parameters as Vars (autograd fills their .grad()).
struct Net {
    Var W1, b1, W2, b2;
    bool bias = true;
};

// The course's array, the network steps 2-6 follow, and what they compute for its first user.
struct Lab {
    Lab(std::size_t hidden_units, std::uint64_t random_seed)
        : course(hg::data::course_matrix()), x(course.values), rated(hg::ne(x, 0.0f)), hidden(hidden_units),
          seed(random_seed), net(new_net()), x0(x.slice_rows(0, 1)), m0(rated.slice_rows(0, 1)) {}
    hg::data::CourseMatrix course;
    Tensor x, rated;                 // +1 liked, −1 disliked, 0 blank; 1 where rated
    std::size_t hidden;
    std::uint64_t seed;              // --seed
    Net net;
    Tensor x0, m0, z0, y0;           // user 1's row, its rated mask, code and reconstruction
    float n0 = 0, d0 = 0;            // user 1's number of ratings and error
    std::size_t users() const { return x.rows(); }
    std::size_t movies() const { return x.cols(); }
    // A new network: weights normal (mean 0, standard deviation 0.5), all drawn alike from --seed; biases 0.
    Net new_net(bool bias = true) const {
        hg::Rng rng(seed);
        Net n;
        n.W1 = Var::parameter(Tensor::normal({movies(), hidden}, 0, 0.5f, rng), "W1");
        n.b1 = Var::parameter(Tensor::zeros({hidden}), "b1");
        n.W2 = Var::parameter(Tensor::normal({hidden, movies()}, 0, 0.5f, rng), "W2");
        n.b2 = Var::parameter(Tensor::zeros({movies()}), "b2");
        n.bias = bias;
        return n;
    }
};

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

// How a batch's gradient is formed. average: the gradient of the batch's error, the mean of (y − x)² over
// all its ratings. sum: each user's own gradient added up (backward() per user; sgd_step clears them).
enum class BatchGradient { average, sum };

void backward_batch(const Net& n, const Tensor& x, const Tensor& rated, BatchGradient how) {
    if (how == BatchGradient::average) loss_of(n, x, rated).backward();
    else
        for (std::size_t u = 0; u < x.rows(); ++u) {
            const Tensor m = rated.slice_rows(u, u + 1);
            if (hg::sum(m).item() > 0) loss_of(n, x.slice_rows(u, u + 1), m).backward();
        }
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
                         float lr, BatchGradient how = BatchGradient::average) {
    std::vector<float> curve;
    for (int e = 0; e < epochs; ++e) {
        for (std::size_t start = 0; start < x.rows(); start += batch_size) {
            const std::size_t end = std::min(x.rows(), start + batch_size);
            const Tensor xb = x.slice_rows(start, end), mb = rated.slice_rows(start, end);
            if (hg::sum(mb).item() == 0) continue;  // a user with no ratings teaches nothing
            backward_batch(n, xb, mb, how);
            sgd_step(n, lr);
        }
        curve.push_back(total_loss(n, x, rated));
        // A diverged run stops here (tutorial.cpp says what to try), not after printing nan for every epoch.
        if (!std::isfinite(curve.back()))
            throw hg::NumericError("epoch " + std::to_string(e + 1) + " (batch size " + std::to_string(batch_size) + ", lr " +
                                   tut::scientific(lr, 1) + "): the loss became " + tut::scientific(curve.back(), 2));
    }
    return curve;
}

// The tables' cells: a movie's title cut or padded to 7 characters; a rating, +1, -1 or 0, in 5;
// a number fixed to 4 decimals (no "-0.0000") and right-aligned; a row of numbers in brackets.
std::string short_title(const std::string& m) { return m.substr(0, 6) + std::string(7 - std::min<std::size_t>(6, m.size()), ' '); }
std::string rating(float v) { return v > 0 ? "   +1" : v < 0 ? "   -1" : "    0"; }
std::string cell(float v, std::size_t width = 9) { return tut::right(tut::fixed(v == 0.0f ? 0.0f : v, 4), width); }
std::string cells(const Tensor& row) {
    std::string s = "[";
    for (std::size_t j = 0; j < row.numel(); ++j) s += (j ? "," : "") + cell(row[j], 8);
    return s + "]";
}

// One line per user: +1, -1, or `blank(u, i)` where the array has no rating.
template <class Blank>
void print_rows(tut::Tutorial& t, const Tensor& x, Blank blank) {
    for (std::size_t u = 0; u < x.rows(); ++u) {
        t.say() << "  user " << (u + 1 < 10 ? " " : "") << u + 1 << ":";
        for (std::size_t i = 0; i < x.cols(); ++i)
            t.say() << (x.at({u, i}) != 0.0f ? rating(x.at({u, i})) + "   " : blank(u, i));
        t.say() << "\n";
    }
}

void step1_array(tut::Tutorial& t, Lab& lab) {
    t.step(1, "The users x movies array (0 = not rated)");
    t.say() << lab.users() << " users x " << lab.movies() << " movies (+1 liked, -1 disliked, 0 not rated):\n          ";
    for (const std::string& m : lab.course.movies) t.say() << " " << short_title(m);
    t.say() << "\n";
    print_rows(t, lab.x, [](std::size_t, std::size_t) { return std::string("    .   "); });
    const float n_rated = hg::sum(lab.rated).item();
    t.say() << n_rated << " ratings, " << lab.x.numel() - static_cast<std::size_t>(n_rated) << " blanks\n";
    t.check(n_rated > 0 && n_rated < static_cast<float>(lab.x.numel()), "the array has both ratings and blanks");
}

// Steps 2-5 on user 1, written out with tensors (no autograd).
void steps2to5_forward(tut::Tutorial& t, Lab& lab) {
    t.step(2, "One user's row enters the network");
    Net& net = lab.net;
    t.say() << "x = user 1's ratings " << lab.x0 << "\n"
            << "The weights start random, normal with mean 0 and standard deviation 0.5 (--seed " << lab.seed
            << " picks the draw),\nthe biases at 0; why they must not all start equal: 02_autoencoder_by_hand.md, step 2.\n"
            << "W1 = " << net.W1.value() << "\nb1 = " << net.b1.value() << "\nW2 = " << net.W2.value()
            << "\nb2 = " << net.b2.value() << "\n";

    t.step(3, "Encode: z = sigmoid(x·W1 + b1)");
    auto sigmoid = [](const Tensor& a) { return 1.0f / (1.0f + hg::exp(-a)); };
    lab.z0 = sigmoid(hg::matmul(lab.x0, net.W1.value()) + net.b1.value());
    t.say() << "z = " << lab.z0 << "   (" << lab.hidden << " numbers now describe this user's taste)\n";
    t.check(lab.z0.shape() == hg::Shape{1, lab.hidden}, "the code z has one value per hidden unit");
    // The course's W·x (x a column) and nn::Linear's x·Wᵀ, with W = W1ᵀ stored (out x in).
    const Tensor W = net.W1.value().transpose();
    const Tensor z_course = sigmoid(hg::matmul(W, lab.x0.transpose()).transpose() + net.b1.value());
    const Tensor z_linear = hg::sigmoid(hg::linear(Var::constant(lab.x0), Var::constant(W), Var::constant(net.b1.value()))).value();
    const float convention_diff = std::max(hg::max_abs_diff(z_course, lab.z0), hg::max_abs_diff(z_linear, lab.z0));
    const std::string m = std::to_string(lab.movies()), h = std::to_string(lab.hidden);
    t.say() << "The same layer written three ways, (x·W1)ᵀ = W1ᵀ·xᵀ = W·x; only the side x stands on differs:\n"
            << "  the course:  z = f(W·x + b)    x a column (" + m + "x1), W (" + h + "x" + m + "): row j of W feeds unit j\n"
            << "  here:        z = f(x·W1 + b1)  x a row (1x" + m + "), W1 = Wᵀ (" + m + "x" + h + "): column j of W1 feeds unit j\n"
            << "  nn::Linear:  z = f(x·Wᵀ + b)   x a row (one per example), W stored (out x in) = (" + h + "x" + m + ") as the course's\n"
            << "  z by the course's W·x: " << z_course << "\n  z by linear(x, W, b):  " << z_linear
            << "\n  largest difference from x·W1 + b1: " << convention_diff << "\n";
    t.check(convention_diff < 1e-6f, "W·x with x a column, x·W1 with W1 = Wᵀ, and Linear's x·Wᵀ give the same z");

    t.step(4, "Decode: y = z·W2 + b2, the same size as x");
    lab.y0 = hg::matmul(lab.z0, net.W2.value()) + net.b2.value();
    t.say() << "y = " << lab.y0 << "\n";
    t.check(lab.y0.shape() == lab.x0.shape(), "the reconstruction y has the input's shape");

    t.step(5, "The reconstruction error d(x, y), on rated movies only");
    lab.n0 = hg::sum(lab.m0).item();
    lab.d0 = hg::sum(hg::square(lab.y0 - lab.x0) * lab.m0).item() / lab.n0;
    t.say() << "d(x, y) = sum over rated movies of (y - x)^2 / " << lab.n0 << " = " << lab.d0
            << "   (a blank is not a 0 rating: the network may predict anything there)\n";
}

// From the error back to each parameter, one line of the chain rule per gradient column;
// returns the largest difference from autograd's gradients.
float step6_backprop(tut::Tutorial& t, Lab& lab) {
    t.step(6, "Backpropagation written out with matrices, then by autograd");
    Net& net = lab.net;
    const Tensor &x0 = lab.x0, &z0 = lab.z0, &m0 = lab.m0;
    const Tensor dY = 2.0f * (lab.y0 - x0) * m0 / lab.n0;              // dd/dy, zero on blanks
    const Tensor dW2 = hg::matmul(z0, dY, true, false);                // zᵀ·dY      (3x6)
    const Tensor db2 = dY;                                             //            (1x6) -> (6)
    const Tensor dZ = hg::matmul(dY, net.W2.value(), false, true);     // dY·W2ᵀ     (1x3)
    const Tensor dA = dZ * z0 * (1.0f - z0);                           // sigmoid' = z(1−z)
    const Tensor dW1 = hg::matmul(x0, dA, true, false);                // xᵀ·dA      (6x3)
    const Tensor db1 = dA;
    Var loss0 = loss_of(net, x0, m0);
    loss0.backward();
    auto name = [&](std::size_t i) { return short_title(lab.course.movies[i]); };

    t.say() << "The output side, one line per movie i (n = " << lab.n0 << " rated movies; z = " << z0 << "):\n"
            << "  movie     x_i  rated_i      y_i   dY_i = 2(y_i − x_i)·rated_i / n   db2_i = dY_i   column i of dW2 = zᵀ·dY_i\n";
    for (std::size_t i = 0; i < lab.movies(); ++i) {
        const bool rated = m0[i] != 0.0f;
        t.say() << "  " << name(i) << rating(x0[i]) << (rated ? "        1" : "        0") << cell(lab.y0[i]) << cell(dY[i], 34)
                << cell(db2[i], 15) << "   " << cells(dW2.transpose().slice_rows(i, i + 1))
                << (rated ? "" : "   <- blank: no error, no gradient") << "\n";
    }
    t.say() << "The hidden side, one line per unit j:\n"
            << "  unit j      z_j   dZ_j = Σ_i dY_i·W2[j][i]   dA_j = dZ_j·z_j(1 − z_j)   db1_j = dA_j\n";
    for (std::size_t j = 0; j < lab.hidden; ++j)
        t.say() << "  " << j + 1 << "     " << cell(z0[j]) << cell(dZ[j], 27) << cell(dA[j], 27) << cell(db1[j], 15) << "\n";
    t.say() << "The input side, one line per movie i: row i of dW1 = x_i·dA\n";
    for (std::size_t i = 0; i < lab.movies(); ++i)
        t.say() << "  " << name(i) << rating(x0[i]) << "   " << cells(dW1.slice_rows(i, i + 1)) << "   = "
                << (x0[i] > 0 ? "db1 (liked: x_i = +1)\n" : x0[i] < 0 ? "−db1 (disliked: x_i = −1)\n" : "0 (blank: x_i = 0)\n");
    t.say() << "dW1[0] = db1 is no bug: a bias is a weight whose input is always 1 (02_autoencoder_by_hand.md, step 6).\n";

    const float diff = std::max({hg::max_abs_diff(dW2, net.W2.grad()), hg::max_abs_diff(db2.reshape({lab.movies()}), net.b2.grad()),
                                 hg::max_abs_diff(dW1, net.W1.grad()), hg::max_abs_diff(db1.reshape({lab.hidden}), net.b1.grad())});
    t.say() << "autograd's dW1, db1, dW2, db2: largest difference from the hand-written ones " << diff << "\n";
    t.check(std::fabs(loss0.item() - lab.d0) < 1e-6f, "autograd's loss equals the hand-computed d(x, y)");
    t.check(diff < 1e-6f, "hand-written backpropagation and autograd agree to 1e-6");
    const std::size_t blank = std::find(m0.data(), m0.data() + m0.numel(), 0.0f) - m0.data();  // user 1's first blank
    if (blank < lab.movies()) {
        const Tensor W2_column = net.W2.grad().transpose().slice_rows(blank, blank + 1);
        t.check(net.b2.grad()[blank] == 0.0f && hg::sum(hg::abs(W2_column)).item() == 0.0f,
                "only rated movies count: autograd gives the blank movie (" + lab.course.movies[blank] +
                    ") exactly 0 in db2 and in its column of dW2");
    }
    const Tensor x_times_db1 = hg::matmul(x0, net.b1.grad().reshape({1, lab.hidden}), true, false);  // row i: x_i·db1
    t.check(hg::max_abs_diff(net.W1.grad(), x_times_db1) < 1e-7f, "each row of autograd's dW1 is x_i times its db1 (to 1e-7)");
    for (Var p : params(net)) p.zero_grad();
    return diff;
}

// The loss before training, and after `compare_epochs` of online, averaged-batch and summed-batch updates.
struct Comparison { float start = 0, online = 0, batch = 0, batch_sum = 0; };

Comparison step7_online_vs_batch(tut::Tutorial& t, const Lab& lab, int epochs, float lr) {
    t.step(7, "Online updates (after each user) vs batch updates (after all users)");
    const int compare_epochs = std::min(epochs, 100), online_updates = compare_epochs * static_cast<int>(lab.users());
    Comparison c;
    const Net start = lab.new_net();
    auto first_step = [&](const Tensor& x, const Tensor& rated, BatchGradient how) {  // the first update's length, lr·√(Σ g²)
        backward_batch(start, x, rated, how);
        double squares = 0;
        for (Var p : params(start)) {
            squares += hg::sum(hg::square(p.grad())).item();
            p.zero_grad();
        }
        return lr * static_cast<float>(std::sqrt(squares));
    };
    const float step_online = first_step(lab.x0, lab.m0, BatchGradient::average);
    const float step_average = first_step(lab.x, lab.rated, BatchGradient::average);
    const float step_sum = first_step(lab.x, lab.rated, BatchGradient::sum), ratio = step_sum / step_average;
    const std::string users = std::to_string(lab.users());
    t.say() << "A batch update averages the users' gradients (as here: its loss is d(x, y) over all " << hg::sum(lab.rated).item()
            << " ratings)\nor adds them up (backward() once per user); which to use and why: 02_autoencoder_by_hand.md, step 7.\n"
            << "The first update's length, lr·‖gradient‖ over all weights and biases, at lr " << lr << ":\n"
            << "  online (user 1 alone): " << step_online << "\n"
            << "  batch, averaged:       " << step_average << "   (shorter than user 1's alone)\n"
            << "  batch, summed:         " << step_sum << "   (" << tut::fixed(ratio, 1) << " x the averaged; exactly "
            << users << " x if every user had rated as many movies)\n";
    t.check(std::fabs(ratio / static_cast<float>(lab.users()) - 1.0f) < 0.25f,
            "summing the " + users + " users' gradients makes the batch step " + users + " times the averaged one, to 25%");

    c.start = total_loss(start, lab.x, lab.rated);
    c.online = train(lab.new_net(), lab.x, lab.rated, compare_epochs, 1, lr).back();
    c.batch = train(lab.new_net(), lab.x, lab.rated, compare_epochs, lab.users(), lr, BatchGradient::average).back();
    c.batch_sum = train(lab.new_net(), lab.x, lab.rated, compare_epochs, lab.users(), lr, BatchGradient::sum).back();
    t.say() << "after " << compare_epochs << " epochs from the same start (loss " << c.start
            << "; losses are d(x, y) over the whole array, squared error per rating):\n"
            << "  online:          " << online_updates << " updates, loss " << c.online << "\n"
            << "  batch, averaged: " << compare_epochs << " updates, loss " << c.batch << "\n"
            << "  batch, summed:   " << compare_epochs << " updates, loss " << c.batch_sum << "\n";
    t.check(c.online < c.batch, "with the same learning rate and epochs, online learning gets further than averaged batches (" +
                                    users + "x more updates)");
    t.check(c.batch < c.start, "batch learning lowers the loss too, one smooth step per epoch");
    t.check(c.batch_sum < c.batch, "summed batches, with their longer steps, get further than averaged ones");
    return c;
}

// Online training for all the epochs; returns the loss after each.
std::vector<float> step8_epochs(tut::Tutorial& t, const Lab& lab, const Net& net, int epochs, float lr, float start) {
    t.step(8, "Epochs: repeat, and watch the loss fall");
    const std::vector<float> curve = train(net, lab.x, lab.rated, epochs, 1, lr);
    for (int e : {1, epochs / 8, epochs / 4, epochs / 2, epochs})
        if (e >= 1) t.say() << "  epoch " << e << ": loss " << curve[static_cast<std::size_t>(e - 1)] << "\n";
    t.check(curve.back() < 0.1f * start, "the loss after the last epoch is below a tenth of the untrained network's");
    return curve;
}

// The same training without b1 and b2; returns its final loss.
float step9_biases(tut::Tutorial& t, const Lab& lab, int epochs, float lr, float with_biases) {
    t.step(9, "What the bias terms do");
    const float without = train(lab.new_net(false), lab.x, lab.rated, epochs, 1, lr).back();
    t.say() << "final loss with biases " << with_biases << ", without " << without << "\n";
    t.check(with_biases < without, "biases let the same network fit the ratings better");
    return without;
}

void fill_blanks(tut::Tutorial& t, const Lab& lab, const Net& trained) {
    t.say() << "\nThe blanks filled in: the trained network's guess (+ would like, - would not):\n";
    hg::NoGradGuard no_grad;
    const Tensor guess = forward(trained, Var::constant(lab.x)).value();
    print_rows(t, lab.x, [&](std::size_t u, std::size_t i) {
        return " (" + std::string(guess.at({u, i}) > 0 ? "+" : "-") + tut::fixed(std::fabs(guess.at({u, i})), 1) + ") ";
    });
}

}  // namespace

int main(int argc, char** argv) {
    tut::Tutorial t("02_autoencoder_by_hand", "An autoencoder trained by hand, the 8 steps");
    std::size_t hidden = 3;
    float lr = 0.1f;
    t.app().add_option("--hidden", hidden, "Hidden units (the code size)")->check(hg::tutorial::at_least(1));
    t.app().add_option("--lr", lr, "Learning rate of the gradient-descent updates")->check(hg::tutorial::above(0));
    return t.run(argc, argv, [&] {
        const int epochs = t.epochs(400, 150);
        Lab lab(hidden, t.options().seed);
        step1_array(t, lab);
        steps2to5_forward(t, lab);
        const float diff = step6_backprop(t, lab);
        const Comparison c = step7_online_vs_batch(t, lab, epochs, lr);
        const Net net8 = lab.new_net();
        const std::vector<float> curve = step8_epochs(t, lab, net8, epochs, lr, c.start);
        const float no_bias_loss = step9_biases(t, lab, epochs, lr, curve.back());
        fill_blanks(t, lab, net8);
        t.result({{"grad_diff", tut::scientific(diff, 2)}, {"online_loss", tut::fixed(c.online, 4)},
                  {"batch_loss", tut::fixed(c.batch, 4)}, {"batch_sum_loss", tut::fixed(c.batch_sum, 4)},
                  {"final_loss", tut::fixed(curve.back(), 4)}, {"no_bias_loss", tut::fixed(no_bias_loss, 4)},
                  {"epochs", std::to_string(epochs)}});
    });
}
