// Tutorial 04 — bottlenecks and over-complete hidden layers: how much a narrow code can
// hold, and what goes wrong when the code is wider than the input.
//
// Part 1, the bottleneck (a worked example from the course's reading list: Malte Skarupke,
// "Neural Networks Are Impressively Good At Compression", probablydance.com, 2016). Each of
// n inputs is a one-hot vector e_i; k tanh units must carry which one it was, and a softmax
// over n outputs must point back at it:
//
//   h = tanh(W1·e_i + b1)        (k)     the code of input i: a point in the cube [-1, 1]^k
//   z = W2·h + b2                (n)     one score per possible input
//   loss = −log softmax(z)_i            cross-entropy: log_softmax, then the negative
//                                        log-likelihood of the right answer (hg::cross_entropy)
//
// The input counts as encoded when argmax z = i for every i. The reading reports that
// 2 units hold about 11 inputs, 3 about 30 and 4 over 100. Step 2 shows that in exact
// arithmetic there is no limit at all (any n distinct codes can be decoded); what limits n
// is how finely training packs the codes within a budget of steps. Step 3 measures that:
// for k = 2, 3, 4 it searches the largest n that trains to zero errors within a budget of
// Adam steps, and prints the table (the full run with two budgets: the boundary moves).
//
// Part 2, the opposite: a hidden layer WIDER than the input (784 -> 1000) has room for the
// identity map, and nothing in the reconstruction loss asks for anything better (Goodfellow,
// Bengio & Courville 2016, "Deep Learning", ch. 14: an over-complete autoencoder "can learn
// to copy its input to its output without learning anything useful"). Step 4 builds the copy
// by hand; steps 5-6 train a wide and a narrow (784 -> 32) autoencoder on Fashion-MNIST and
// feed both random noise, which looks like no garment: the narrow one turns noise into
// clothes, while the wide one lets more and more of the noise through as it trains, but
// after 30 epochs only about half of it (48% of its variance, measured). Step 7 shows where
// it is heading: what the loss wants. For a LINEAR autoencoder x̂ = W2·(W1·x + b1) + b2 with
// h hidden units the minimum of the squared error is known in closed form — the projection
// onto the top h principal directions of the training images, every other critical point
// being a saddle (Baldi & Hornik 1989, "Neural networks and principal component analysis:
// learning from examples without local minima", Neural Networks 2(1)) — so it is computed,
// not trained, from the eigenvectors of the images' covariance (tensor/linalg.hpp, as in
// tutorial 11). With h = 32 it reproduces most of a real image but little noise; with
// h >= 784 it is the identity wherever the training images vary (the full run's 10,000
// images vary in all 784 directions), and passes noise as well as clothes. So the copy is
// the minimum of the unconstrained loss (and, step 4, a zero-loss point of the ReLU code
// too), and training only gets there slowly: along principal direction i the loss, and its
// gradient, scale with the variance λ_i there, and noise varies alike along all 784
// directions while clothes vary along few (29 hold over 1% of the top variance, 181 under
// 0.01%). Saxe, McClelland & Ganguli 2014, "Exact solutions to the nonlinear dynamics of
// learning in deep linear neural networks", work out these dynamics. That is why the next
// tutorials constrain a wide code: sparsity (05, 06), noise (07), the Jacobian (08).
#include <algorithm>
#include <cmath>
#include <iomanip>
#include <memory>
#include <numeric>
#include <string>
#include <vector>

#include "data/batching.hpp"
#include "data/idx.hpp"
#include "data/paths.hpp"
#include "nn/nn.hpp"
#include "tensor/linalg.hpp"
#include "tensor/matmul.hpp"
#include "tutorials/common/picture.hpp"
#include "tutorials/common/tutorial.hpp"

using hg::Tensor;
using hg::Var;
namespace tut = hg::tutorial;

namespace {

// ---------------------------------------------------------------------------------------
// Part 1: the n-k-n encoder.

Tensor identity(std::size_t n) {
    Tensor eye(hg::Shape{n, n});
    for (std::size_t i = 0; i < n; ++i) eye[i * n + i] = 1.0f;
    return eye;
}

// n inputs -> k tanh units -> n scores (the logits of the softmax).
class Bottleneck : public hg::Module {
public:
    Bottleneck(std::size_t n, std::size_t k, hg::Rng& rng) : Module("Bottleneck") {
        encoder = register_module("encoder", std::make_shared<hg::Linear>(n, k, rng));
        decoder = register_module("decoder", std::make_shared<hg::Linear>(k, n, rng));
    }
    Var encode(const Var& x) { return hg::tanh((*encoder)(x)); }          // the code, in [-1, 1]^k
    Var forward(const Var& x) override { return (*decoder)(encode(x)); }  // one score per input
    std::string describe() const override { return "tanh code"; }

    std::shared_ptr<hg::Linear> encoder, decoder;
};

// How many of the n one-hot inputs come back as themselves (argmax of the scores = i).
std::size_t decoded_right(const Tensor& scores) {
    const std::vector<std::size_t> best = hg::argmax(scores, 1);
    std::size_t right = 0;
    for (std::size_t i = 0; i < best.size(); ++i) right += best[i] == i;
    return right;
}

struct Budget {
    int steps;          // Adam steps per attempt (each step sees all n inputs)
    int attempts;       // independent starts (seeds) before n counts as too many
    float lr;           // Adam's learning rate
    int check_every;    // test "every input decodes to itself" this often, and stop early
};

struct Fit {
    bool ok = false;
    int steps = 0;      // steps used by the successful attempt (or by the last one)
    Tensor codes;       // (n x k): where each input ended up in the code space
};

// Train one n-k-n encoder from `seed` until every input decodes to itself or the budget ends.
Fit train_encoder(std::size_t n, std::size_t k, const Budget& b, std::uint64_t seed) {
    hg::Rng rng(seed);
    Bottleneck model(n, k, rng);
    hg::Adam opt(model.parameters(), hg::AdamOptions(b.lr));
    const Var x = Var::constant(identity(n), "one-hot inputs");
    std::vector<int> targets(n);
    std::iota(targets.begin(), targets.end(), 0);  // input i must come back as i
    Fit fit{false, b.steps, {}};
    for (int step = 0; step < b.steps; ++step) {
        Var scores = model(x);
        if (step % b.check_every == 0 && decoded_right(scores.value()) == n) {
            fit = {true, step, {}};
            break;
        }
        Var loss = hg::cross_entropy(scores, targets);
        opt.zero_grad();
        loss.backward();
        opt.step();
    }
    hg::NoGradGuard no_grad;
    if (!fit.ok) fit.ok = decoded_right(model(x).value()) == n;
    fit.codes = model.encode(x).value();
    return fit;
}

std::string budget_name(const Budget& b) {
    return std::to_string(b.steps) + " steps x " + std::to_string(b.attempts) + (b.attempts > 1 ? " starts" : " start");
}

// Does some attempt within the budget encode n inputs in k units?
Fit fits(std::size_t n, std::size_t k, const Budget& b, std::uint64_t seed) {
    Fit f;
    for (int a = 0; a < b.attempts && !f.ok; ++a)
        f = train_encoder(n, k, b, seed + 7919 * n + 104729 * static_cast<std::uint64_t>(a));
    return f;
}

struct Capacity {
    std::size_t n_max = 0;       // the largest n that trained to zero errors
    std::size_t n_fail = 0;      // the smallest n that did not (0: none up to the cap)
    Tensor codes_at_max;         // the codes of the n_max run
    double seconds = 0;
};

// The largest n for k units: grow n by half until it fails, then bisect between the last
// success and the first failure to within `resolution` (a fraction of n). Success is not
// perfectly monotone in n (a lucky start can encode more), so this finds a boundary, and
// the table says so.
Capacity search_capacity(tut::Tutorial& t, std::size_t k, std::size_t cap, const Budget& b, double resolution) {
    Capacity c;
    const double start = t.seconds();
    auto report = [&](std::size_t n, const Fit& f) {
        t.say() << "    k=" << k << "  n=" << std::setw(4) << n << "  " << (f.ok ? "encoded after " : "failed after ")
                << f.steps << " steps\n";
    };
    std::size_t n = k + 2;
    while (true) {
        const Fit f = fits(n, k, b, t.options().seed);
        report(n, f);
        if (!f.ok) {
            c.n_fail = n;
            break;
        }
        c.n_max = n;
        c.codes_at_max = f.codes;
        if (n == cap) break;
        n = std::min(cap, n + std::max<std::size_t>(1, n / 2));
    }
    while (c.n_fail != 0 && c.n_fail - c.n_max > std::max(1.0, resolution * static_cast<double>(c.n_max))) {
        const std::size_t mid = (c.n_max + c.n_fail) / 2;
        const Fit f = fits(mid, k, b, t.options().seed);
        report(mid, f);
        if (f.ok) {
            c.n_max = mid;
            c.codes_at_max = f.codes;
        } else {
            c.n_fail = mid;
        }
    }
    c.seconds = t.seconds() - start;
    return c;
}

// ---------------------------------------------------------------------------------------
// Part 2: wide and narrow autoencoders on Fashion-MNIST.

// 784 -> hidden -> 784: a ReLU code h = relu(W1·x + b1), a linear output W2·h + b2.
class Autoencoder : public hg::Module {
public:
    Autoencoder(std::size_t pixels, std::size_t hidden, hg::Rng& rng) : Module("Autoencoder") {
        encoder = register_module("encoder", std::make_shared<hg::Linear>(pixels, hidden, rng));
        decoder = register_module("decoder", std::make_shared<hg::Linear>(hidden, pixels, rng));
    }
    Var forward(const Var& x) override { return (*decoder)(hg::relu((*encoder)(x))); }
    std::string describe() const override { return "ReLU code"; }

    std::shared_ptr<hg::Linear> encoder, decoder;
};

Tensor reconstruct(hg::Module& model, const Tensor& x) {
    hg::NoGradGuard no_grad;
    return model(Var::constant(x)).value();
}

// Mean squared error per pixel between a batch and its reconstruction.
double mse_of(const Tensor& x, const Tensor& x_hat) { return hg::mean(hg::square(x_hat - x)).item(); }
double mse_of(hg::Module& model, const Tensor& x) { return mse_of(x, reconstruct(model, x)); }

// The variance of x around its per-pixel mean, per pixel: the MSE of drawing the average image.
double variance_of(const Tensor& x) { return hg::mean(hg::square(x - hg::mean(x, 0))).item(); }

// The share of x's variance that the reconstruction reproduces:
// 1 = a perfect copy, 0 = no better than drawing the average image, < 0 = worse than that.
double explained(const Tensor& x, const Tensor& x_hat) { return 1.0 - mse_of(x, x_hat) / variance_of(x); }
double explained(hg::Module& model, const Tensor& x) { return explained(x, reconstruct(model, x)); }

// ---------------------------------------------------------------------------------------
// Step 7: the best LINEAR autoencoder with h hidden units, in closed form.

// The principal directions of a set of images: the eigenvectors of their covariance.
struct Principal {
    Tensor mean;        // (784): x̄, the mean training image
    Tensor directions;  // (784 x 784): unit eigenvectors of the covariance, one per row, largest variance first
    Tensor variances;   // (784): their eigenvalues λ_i, the variance of the images along each
};

Principal principal_directions(const Tensor& x) {
    Principal p;
    p.mean = hg::mean(x, 0);
    const Tensor centred = x - p.mean;
    const Tensor cov = hg::matmul(centred, centred, true, false) * (1.0f / static_cast<float>(x.rows() - 1));  // X̃ᵀX̃ / (N − 1)
    hg::SymmetricEigen eig = hg::symmetric_eigen(cov);
    p.directions = std::move(eig.vectors);
    p.variances = std::move(eig.values);
    return p;
}

// The minimum of the squared error for a linear code of h units (Baldi & Hornik 1989):
// project onto the first h principal directions V_h (h x 784) and back,
//   x̂ = x̄ + V_hᵀ·V_h·(x − x̄).
Tensor project(const Principal& p, const Tensor& x, std::size_t h) {
    const Tensor v = p.directions.slice_rows(0, h);
    return hg::matmul(hg::matmul(x - p.mean, v, false, true), v) + p.mean;
}

// The share of x's variance that the projection onto the first h directions reproduces, for
// every h = 0..784 at once. V is orthonormal, so with z = V·(x − x̄) the squared error of
// the first h directions is what the others hold (Pythagoras): |x − x̂|² = Σ_{i>=h} z_i².
std::vector<double> explained_by_width(const Principal& p, const Tensor& x) {
    const Tensor z = hg::matmul(x - p.mean, p.directions, false, true);  // (N x 784): x's coordinates along each direction
    const Tensor held = hg::sum(hg::square(z), 0);                      // (784): Σ_n z_ni²
    const double total = variance_of(x) * static_cast<double>(x.numel());
    std::vector<double> out(held.numel() + 1);
    double left_out = 0;  // Σ over the directions h, h+1, ..., 783: what the first h leave out
    for (std::size_t h = held.numel() + 1; h-- > 0;) {
        out[h] = 1.0 - left_out / total;
        if (h > 0) left_out += held[h - 1];
    }
    return out;
}

struct Run {
    std::vector<double> real_mse, noise_mse;  // after each epoch
};

Run train_autoencoder(tut::Tutorial& t, const std::string& label, hg::Module& model, const Tensor& train, const Tensor& test,
                      const Tensor& noise, int epochs, std::size_t batch, float lr, std::uint64_t seed) {
    hg::Adam opt(model.parameters(), hg::AdamOptions(lr));
    hg::Rng rng(seed);
    hg::data::BatchSampler batches(train.rows(), batch, rng);
    Run run;
    tut::Progress progress(t, label + " epoch", epochs);
    for (int e = 1; e <= epochs; ++e) {
        for (const std::vector<std::size_t>& rows : batches.epoch()) {
            const Var x = Var::constant(train.gather_rows(rows));
            Var loss = hg::mse(model(x), x);
            opt.zero_grad();
            loss.backward();
            opt.step();
        }
        run.real_mse.push_back(mse_of(model, test));
        run.noise_mse.push_back(mse_of(model, noise));
        progress.update(e, "test MSE " + tut::fixed(run.real_mse.back(), 4) + ", noise MSE " +
                               tut::fixed(run.noise_mse.back(), 4));
    }
    progress.finish();
    return run;
}

}  // namespace

int main(int argc, char** argv) {
    tut::Tutorial t("04_bottlenecks", "Bottlenecks and over-complete hidden layers");
    std::size_t wide = 1000, narrow = 32;
    t.app().add_option("--wide", wide, "Hidden units of the over-complete autoencoder")->check(CLI::PositiveNumber);
    t.app().add_option("--narrow", narrow, "Hidden units of the under-complete autoencoder")->check(CLI::PositiveNumber);
    return t.run(argc, argv, [&] {
        const bool quick = t.options().quick;
        const std::string data_dir = hg::data::require_fashion_mnist(t.options().data);  // part 2's images: fail early if absent

        t.step(1, "The n-k-n encoder: n one-hot inputs through k tanh units");
        {
            const std::size_t n = 8, k = 2;
            hg::Rng rng(t.options().seed);
            auto model = std::make_shared<Bottleneck>(n, k, rng);
            t.say() << *model << "\n";
            const Var x = Var::constant(identity(n));
            std::vector<int> targets(n);
            std::iota(targets.begin(), targets.end(), 0);
            hg::Adam opt(model->parameters(), hg::AdamOptions(0.05f));
            float first = 0, last = 0;
            for (int step = 0; step < 300; ++step) {
                Var loss = hg::cross_entropy((*model)(x), targets);
                if (step == 0) first = loss.item();
                last = loss.item();
                opt.zero_grad();
                loss.backward();
                opt.step();
            }
            hg::NoGradGuard no_grad;
            const Tensor codes = model->encode(x).value();
            const Tensor scores = (*model)(x).value();
            t.say() << "inputs (" << n << "x" << n << ", one-hot rows) -> codes (" << codes.shape()[0] << "x"
                    << codes.shape()[1] << ") -> scores (" << scores.shape()[0] << "x" << scores.shape()[1] << ")\n";
            t.say() << "cross-entropy " << tut::fixed(first, 3) << " at the start (log " << n << " = "
                    << tut::fixed(std::log(static_cast<double>(n)), 3) << ": a uniform guess), " << tut::fixed(last, 4)
                    << " after 300 Adam steps\n";
            t.say() << "the 2-D code of each input:\n";
            for (std::size_t i = 0; i < n; ++i)
                t.say() << "  input " << i << " -> (" << std::showpos << tut::fixed(codes[2 * i], 3) << ", "
                        << tut::fixed(codes[2 * i + 1], 3) << std::noshowpos << ")  decoded as "
                        << hg::argmax(scores, 1)[i] << "\n";
            t.check(decoded_right(scores) == n, "two tanh units carry which of 8 inputs was on");
        }

        t.step(2, "In exact arithmetic any n fits: decode by the nearest code");
        // Put n codes c_i anywhere distinct, and let the decoder score input j by
        //   z_j(h) = 2 c_j·h − |c_j|²  =  |h|² − |h − c_j|²,
        // so the largest score belongs to the nearest code. The encoder reaches c_i exactly
        // with W1's column i = atanh(c_i) (and b1 = 0). Here: n codes on a circle of radius 0.9.
        {
            const std::size_t n = 200, k = 2;
            hg::Rng rng(t.options().seed);
            Bottleneck model(n, k, rng);
            hg::Linear &enc = *model.encoder, &dec = *model.decoder;
            const double pi = std::acos(-1.0);
            for (std::size_t i = 0; i < n; ++i) {
                const double angle = 2 * pi * static_cast<double>(i) / static_cast<double>(n);
                const float c[2] = {static_cast<float>(0.9 * std::cos(angle)), static_cast<float>(0.9 * std::sin(angle))};
                for (std::size_t j = 0; j < k; ++j) {
                    enc.weight().value()[j * n + i] = std::atanh(c[j]);  // W1 is (k x n)
                    dec.weight().value()[i * k + j] = 2 * c[j];          // W2 is (n x k)
                }
                dec.bias().value()[i] = -(c[0] * c[0] + c[1] * c[1]);
            }
            enc.bias().value().fill(0.0f);
            const Tensor scores = reconstruct(model, identity(n));
            // The margin: how far the right score is above the runner-up, at the worst input.
            float margin = 1e30f;
            for (std::size_t i = 0; i < n; ++i)
                for (std::size_t j = 0; j < n; ++j)
                    if (j != i) margin = std::min(margin, scores[i * n + i] - scores[i * n + j]);
            t.say() << n << " inputs in 2 units, by hand: " << decoded_right(scores) << " of " << n
                    << " decoded right; worst margin " << tut::scientific(margin, 2)
                    << " (= the squared distance between neighbouring codes)\n";
            t.check(decoded_right(scores) == n, "hand-set weights decode 200 inputs through 2 units");
            t.say() << "So the limit is not what the network can represent but what training finds: as n\n"
                    << "grows, neighbouring codes crowd together, the margins shrink and gradient descent\n"
                    << "needs ever more steps to separate them. The capacity below is per training budget.\n";
        }

        t.step(3, "Search: the largest n that trains to zero errors, for k = 2, 3, 4");
        // Adam on all n inputs at once; every `check_every` steps we test the success
        // criterion (every one-hot decodes to its own index) and stop as soon as it holds,
        // so easy n are cheap and only failures use the whole budget. The full run searches
        // with two budgets, to show that the boundary is the budget's.
        std::vector<Budget> budgets = {{400, 1, 0.05f, 20}};            // steps, starts, lr, check every
        if (!quick) budgets.push_back({2000, 2, 0.05f, 25});
        const double resolution = 0.05;
        const std::vector<std::size_t> ks = {2, 3, 4};
        const std::vector<std::size_t> caps = {100, 400, 1500};  // never reached so far: a guard on the run time
        const std::vector<std::string> reading = {"about 11", "about 30", "over 100"};
        std::vector<std::vector<Capacity>> found(budgets.size());  // [budget][k]
        for (std::size_t b = 0; b < budgets.size(); ++b) {
            const Budget& bud = budgets[b];
            t.say() << "budget " << budget_name(bud) << " (Adam, lr " << bud.lr
                    << "); n grows by half until it fails, then bisects to " << static_cast<int>(resolution * 100) << "%\n";
            for (std::size_t i = 0; i < ks.size(); ++i)
                found[b].push_back(search_capacity(t, ks[i], caps[i], bud, resolution));
        }
        t.say() << "\nthe largest n encoded without error (the first n that failed):\n";
        t.say() << "  units k | the reading";
        for (const Budget& bud : budgets) t.say() << " | " << std::setw(24) << budget_name(bud);
        t.say() << "\n";
        for (std::size_t i = 0; i < ks.size(); ++i) {
            t.say() << "  " << std::setw(7) << ks[i] << " | " << std::setw(11) << reading[i];
            for (std::size_t b = 0; b < budgets.size(); ++b) {
                const Capacity& c = found[b][i];
                const std::string cell = c.n_fail == 0 ? ">= " + std::to_string(c.n_max) + " (the cap)"
                                                       : std::to_string(c.n_max) + " (" + std::to_string(c.n_fail) + ")";
                t.say() << " | " << std::setw(14) << cell << std::setw(8) << tut::fixed(c.seconds, 1) << " s";
            }
            t.say() << "\n";
        }
        const std::vector<Capacity>& last = found.back();
        t.check(last[0].n_max < last[1].n_max && last[1].n_max < last[2].n_max,
                "capacity grows with the code size: n_max(2) < n_max(3) < n_max(4)");
        t.check(last[0].n_fail != 0, "two units do run out of room within the budget");
        if (budgets.size() > 1) {
            bool grows = true;
            for (std::size_t i = 0; i < ks.size(); ++i) grows = grows && found[1][i].n_max > found[0][i].n_max;
            t.check(grows, "a bigger training budget encodes more inputs, for every k");
        }
        {
            // A picture of the k = 2 codes at n_max: points packed inside the square [-1, 1]².
            const Tensor& c = last[0].codes_at_max;
            std::vector<tut::Point> points;
            for (std::size_t i = 0; i < c.rows(); ++i) points.push_back({c[2 * i], c[2 * i + 1], 0});
            for (float x : {-1.0f, 1.0f})
                for (float y : {-1.0f, 1.0f}) points.push_back({x, y, 1});  // the square's corners, for scale
            tut::write_svg_scatter(t.out_dir() + "/codes_k2.svg",
                                   std::to_string(c.rows()) + " one-hot inputs in 2 tanh units", points,
                                   {"the code of one input", "corners of [-1, 1]^2"});
        }

        t.step(4, "A wide hidden layer can copy: the identity, built by hand");
        const hg::data::ImageSet train_set = hg::data::fashion_mnist("train", quick ? 3000 : 10000, data_dir);
        const hg::data::ImageSet test_set = hg::data::fashion_mnist("t10k", 1000, data_dir);
        const std::size_t pixels = train_set.images.cols();
        hg::Rng noise_rng(t.options().seed + 1);
        const Tensor noise = Tensor::uniform({1000, pixels}, 0.0f, 1.0f, noise_rng);  // pixels uniform in [0, 1)
        t.say() << "Fashion-MNIST: " << train_set.images.shape() << " training images, " << test_set.images.shape()
                << " test images; noise: " << noise.shape() << " images of uniform random pixels\n";
        {
            // Hidden unit i < 784 receives pixel i (W1 = [I; 0]); ReLU passes it unchanged
            // (pixels are >= 0); output pixel i reads unit i back (W2 = [I 0]).
            hg::Rng rng(t.options().seed);
            Autoencoder copy(pixels, wide, rng);
            hg::Linear &enc = *copy.encoder, &dec = *copy.decoder;
            enc.weight().value().fill(0.0f);
            dec.weight().value().fill(0.0f);
            enc.bias().value().fill(0.0f);
            dec.bias().value().fill(0.0f);
            for (std::size_t i = 0; i < pixels; ++i) {
                enc.weight().value()[i * pixels + i] = 1.0f;  // W1 (wide x 784)
                dec.weight().value()[i * wide + i] = 1.0f;    // W2 (784 x wide)
            }
            const double real_err = mse_of(copy, test_set.images), noise_err = mse_of(copy, noise);
            t.say() << pixels << " -> " << wide << " -> " << pixels << " with W1 = [I; 0], W2 = [I 0]: MSE "
                    << real_err << " on real images, " << noise_err << " on noise\n";
            t.check(wide >= pixels, "the hidden layer is at least as wide as the input");
            t.check(real_err == 0.0 && noise_err == 0.0, "the hand-built wide autoencoder copies every input exactly");
            t.say() << "Its reconstruction loss is 0 — a global minimum — and it has learned nothing about\n"
                    << "clothes. A " << narrow << "-unit code cannot do this: its output has at most " << narrow
                    << " degrees of freedom.\n";
        }

        t.step(5, "Train a wide and a narrow autoencoder on real images only");
        const int epochs = t.epochs(30, 3);
        const std::size_t batch = 64;
        const float lr = 1e-3f;
        hg::Rng rng_w(t.options().seed), rng_n(t.options().seed);
        auto wide_ae = std::make_shared<Autoencoder>(pixels, wide, rng_w);
        auto narrow_ae = std::make_shared<Autoencoder>(pixels, narrow, rng_n);
        t.say() << "wide:   " << *wide_ae << "\nnarrow: " << *narrow_ae << "\n";
        t.say() << "Adam (lr " << lr << "), batches of " << batch << ", " << epochs << " epochs, MSE loss\n";
        const Run w = train_autoencoder(t, "wide", *wide_ae, train_set.images, test_set.images, noise, epochs, batch, lr,
                                        t.options().seed);
        const Run nr = train_autoencoder(t, "narrow", *narrow_ae, train_set.images, test_set.images, noise, epochs, batch,
                                         lr, t.options().seed);

        t.step(6, "Feed both random noise");
        const double noise_var = hg::mean(hg::square(noise - hg::mean(noise, 0))).item();  // ≈ 1/12
        const double w_real = w.real_mse.back(), w_noise = w.noise_mse.back();
        const double n_real = nr.real_mse.back(), n_noise = nr.noise_mse.back();
        const double w_real_x = explained(*wide_ae, test_set.images), w_noise_x = explained(*wide_ae, noise);
        const double n_real_x = explained(*narrow_ae, test_set.images), n_noise_x = explained(*narrow_ae, noise);
        t.say() << "              MSE real | MSE noise | variance reproduced: real | noise\n";
        t.say() << "  wide " << std::setw(5) << wide << "  " << std::setw(8) << tut::fixed(w_real, 4) << " | "
                << std::setw(9) << tut::fixed(w_noise, 4) << " | " << std::setw(25) << tut::fixed(w_real_x, 3) << " | "
                << tut::fixed(w_noise_x, 3) << "\n";
        t.say() << "  narrow " << std::setw(3) << narrow << "  " << std::setw(8) << tut::fixed(n_real, 4) << " | "
                << std::setw(9) << tut::fixed(n_noise, 4) << " | " << std::setw(25) << tut::fixed(n_real_x, 3) << " | "
                << tut::fixed(n_noise_x, 3) << "\n";
        t.say() << "  (the noise's own variance is " << tut::fixed(noise_var, 4)
                << ": an autoencoder that always drew flat grey would score that MSE)\n";
        if (w_noise_x > 0)
            t.say() << "The narrow code paints a garment over the noise; the wide one passes " << tut::fixed(100 * w_noise_x, 0)
                    << "% of the noise's variance\nthrough (and " << tut::fixed(100 * w_real_x, 0)
                    << "% of a real image's). It has not reached the copy — its error on noise is still "
                    << tut::fixed(w_noise / w_real, 0) << "x its\nerror on real images — but epoch after epoch it gets closer:\n";
        else
            t.say() << "The narrow code paints a garment over the noise. After only " << epochs
                    << " epochs the wide one does not pass noise yet\neither (a longer run gets further), but its error on "
                       "noise is already lower, and falls epoch after epoch:\n";
        t.say() << "wide noise MSE by epoch:";
        for (double v : w.noise_mse) t.say() << " " << tut::fixed(v, 4);
        t.say() << "\n";
        t.check(w_real < n_real, "the wide autoencoder reconstructs real images better than the narrow one");
        t.check(n_noise > noise_var, "the narrow autoencoder cannot pass noise: its error is above the noise's variance");
        t.check(w_noise < 0.75 * n_noise, "the wide autoencoder passes noise through far better than the narrow one");
        t.check(w.noise_mse.back() < w.noise_mse.front(),
                "the wide autoencoder's noise error keeps falling: it drifts towards the copy");

        t.step(7, "The minimum of the loss: the best linear codes, in closed form");
        // Where is the wide code heading? For a LINEAR autoencoder x̂ = W2·(W1·x + b1) + b2
        // with h hidden units, the squared error over the training images has one minimum
        // value, reached by the projection onto their top h principal directions, and every
        // other critical point is a saddle (Baldi & Hornik 1989):
        //   x̂ = x̄ + V_hᵀ·V_h·(x − x̄)     (V_h: the top h eigenvectors of the covariance, as rows)
        // With h >= 784 every direction in which the training images vary fits in the code.
        // If they vary in all 784, the minimum is the identity: step 4's copy, not as one
        // zero-loss solution among others but as the only minimum a linear code has.
        const double eigen_start = t.seconds();
        const Principal pc = principal_directions(train_set.images);
        const double lambda_1 = pc.variances[0];
        auto directions_above = [&](double relative) {
            std::size_t count = 0;
            for (std::size_t i = 0; i < pixels; ++i) count += pc.variances[i] > relative * lambda_1;
            return count;
        };
        // The eigen-solver works in double precision: a direction in which the images do not
        // vary at all comes back with λ within ~1e-15·λ1 of 0, while even a corner pixel that
        // is non-zero in a handful of images gives λ ~ 1e-9·λ1. Below 1e-12·λ1 counts as 0.
        const double zero = 1e-12;
        const std::size_t varied = directions_above(zero);
        // A pixel with the same value in every training image is an exact 0 of the covariance.
        const Tensor range = hg::max(train_set.images, 0) + hg::max(train_set.images * -1.0f, 0);  // max − min, per pixel
        std::size_t constant_pixels = 0;
        for (std::size_t i = 0; i < pixels; ++i) constant_pixels += range[i] == 0.0f;
        t.say() << "covariance of the " << train_set.images.rows() << " training images (" << pixels << "x" << pixels
                << ") -> eigenvalues and eigenvectors in " << tut::fixed(t.seconds() - eigen_start, 1) << " s\n";
        t.say() << "eigenvalues from λ1 = " << tut::fixed(lambda_1, 3) << " down to " << tut::scientific(pc.variances[pixels - 1], 1)
                << "; how many are above\n ";
        for (double relative : {1e-2, 1e-4, 1e-6, 1e-8, zero})
            t.say() << " " << tut::scientific(relative, 0) << "·λ1: " << directions_above(relative) << (relative == zero ? "" : ",");
        t.say() << "  (of " << pixels << ")\n";
        t.say() << "smallest eigenvalue above " << tut::scientific(zero, 0) << "·λ1: "
                << tut::scientific(pc.variances[varied - 1] / lambda_1, 1) << "·λ1; pixels with the same value in every "
                << "training image: " << constant_pixels << "\n";
        t.check(pixels - varied == constant_pixels,
                "the images vary in every direction but those of their constant pixels (one each)");

        // The best narrow code and the best wide one, on the test images and on noise.
        const std::size_t h_narrow = std::min(narrow, varied), h_wide = std::min(wide, varied);
        const Tensor opt_n_real = project(pc, test_set.images, h_narrow), opt_n_noise = project(pc, noise, h_narrow);
        const Tensor opt_w_real = project(pc, test_set.images, h_wide), opt_w_noise = project(pc, noise, h_wide);
        const double on_real_x = explained(test_set.images, opt_n_real), on_noise_x = explained(noise, opt_n_noise);
        const double ow_real_x = explained(test_set.images, opt_w_real), ow_noise_x = explained(noise, opt_w_noise);
        const std::vector<double> real_by_h = explained_by_width(pc, test_set.images), noise_by_h = explained_by_width(pc, noise);
        if (h_wide == pixels)
            t.say() << "They vary in all " << pixels << " directions: the best code with " << wide
                    << " units is the identity, the copy.\n";
        else if (varied < pixels && h_wide == varied)
            t.say() << "They vary in " << varied << " of " << pixels << " directions: the best code with " << wide
                    << " units copies those and puts the training\nmean in the other " << pixels - varied
                    << " (where noise averages 0.5); they hold " << tut::fixed(100 * (1 - noise_by_h[varied]), 1)
                    << "% of the noise's variance.\n";

        const std::string wide_name = "optimum wide (" + std::to_string(h_wide) + " directions)";
        auto row = [&](std::string name, double real_mse, double noise_mse, double real_x, double noise_x) {
            name.resize(wide_name.size() + 2, ' ');
            t.say() << "  " << name << tut::right(tut::fixed(real_mse, 4), 9) << " |" << tut::right(tut::fixed(noise_mse, 4), 10)
                    << " |" << tut::right(tut::fixed(real_x, 3), 26) << " | " << tut::fixed(noise_x, 3) << "\n";
        };
        t.say() << "  " << std::string(wide_name.size() + 2, ' ') << " MSE real | MSE noise | variance reproduced: real | noise\n";
        row("trained narrow (" + std::to_string(narrow) + ")", n_real, n_noise, n_real_x, n_noise_x);
        row("trained wide (" + std::to_string(wide) + ")", w_real, w_noise, w_real_x, w_noise_x);
        row("optimum narrow (PCA-" + std::to_string(h_narrow) + ")", mse_of(test_set.images, opt_n_real),
            mse_of(noise, opt_n_noise), on_real_x, on_noise_x);
        row(wide_name, mse_of(test_set.images, opt_w_real), mse_of(noise, opt_w_noise), ow_real_x, ow_noise_x);

        t.say() << "the best linear code with h units, variance reproduced on real images | on noise:\n ";
        std::vector<double> widths;
        const std::size_t sweep[] = {8, 32, 100, 200, 400, 600, 700};
        for (std::size_t h : sweep)
            if (h < varied) widths.push_back(static_cast<double>(h));
        widths.push_back(static_cast<double>(varied));
        std::vector<double> real_curve, noise_curve;
        for (double h : widths) {
            const auto i = static_cast<std::size_t>(h);
            real_curve.push_back(real_by_h[i]);
            noise_curve.push_back(noise_by_h[i]);
            t.say() << " h=" << i << ": " << tut::fixed(real_by_h[i], 3) << " | " << tut::fixed(noise_by_h[i], 3) << ";";
        }
        t.say() << "\n";
        // The trained wide autoencoder against the best linear code that reproduces real
        // images as well as it does: how far along the directions has training come?
        std::size_t h_match = 0;
        while (h_match < varied && real_by_h[h_match] < w_real_x) ++h_match;
        t.say() << "The trained wide autoencoder reproduces real images about as well as the best linear code with\n"
                << "h = " << h_match << " units (" << tut::fixed(real_by_h[h_match], 3) << "); that code passes "
                << tut::fixed(noise_by_h[h_match], 3) << " of the noise's variance, the trained one " << tut::fixed(w_noise_x, 3)
                << ".\n";

        t.check(std::fabs(real_by_h[h_narrow] - on_real_x) < 1e-3 && std::fabs(noise_by_h[h_narrow] - on_noise_x) < 1e-3,
                "a projection's error is what the left-out directions hold (Pythagoras)");
        t.check(on_real_x > 0.75, "the best narrow code reproduces most of a real image's variance");
        t.check(on_noise_x < 0.2, "the best narrow code cannot pass noise: it keeps the directions clothes vary in");
        t.check(ow_noise_x >= 0.95 && ow_noise_x > ow_real_x - 0.03,
                "the best wide code passes noise (almost) as well as real images: the copy is the loss's minimum");
        t.check(w_noise_x < ow_noise_x - 0.1,
                "after " + std::to_string(epochs) + " epochs the trained wide autoencoder is still far from that on noise");
        // For a linear map x̂ = x̄ + A·(x − x̄) the training loss per image is
        // ((N − 1)/N)·Σ_i λ_i·|(I − A)·v_i|²: a gap along direction v_i costs in proportion to
        // the variance λ_i, and so does the gradient that closes it.
        const std::size_t weak = varied - directions_above(1e-4);
        t.say() << "So the issue's claim holds for the minimum of the loss: a wide code with no constraint is\n"
                << "pulled towards the copy, which passes noise (almost) exactly as well as clothes. Training gets\n"
                << "there slowly: the loss charges a gap along direction i in proportion to its variance λ_i, so\n"
                << "gradient descent closes it at a rate ∝ λ_i, and " << weak << " of the " << varied
                << " directions have λ_i below 1e-4·λ1 —\nclothes hardly vary along them, while noise varies "
                << "along every direction alike. A fixed budget\nof steps gets part of the way. A constraint that "
                << "moves the minimum away from the copy — sparsity\n(05, 06), noise (07), a small Jacobian (08) — "
                << "is what the next tutorials add.\n";

        const std::string out = t.out_dir();
        {
            const std::size_t show = 10;
            const Tensor real = test_set.images.slice_rows(0, show), fake = noise.slice_rows(0, show);
            auto clip = [](const Tensor& x) { return hg::clamp(x, 0.0f, 1.0f); };
            const Tensor rows = Tensor::concat_rows({real, clip(reconstruct(*wide_ae, real)),
                                                     clip(reconstruct(*narrow_ae, real)), fake,
                                                     clip(reconstruct(*wide_ae, fake)), clip(reconstruct(*narrow_ae, fake))});
            tut::write_png_grid(out + "/wide_vs_narrow.png", rows, 28, 28, show);
            std::vector<double> grey(w.noise_mse.size(), noise_var);
            tut::write_svg_curves(out + "/noise_error.svg", "reconstruction error on random noise", "epoch", "MSE",
                                  {{"wide (" + std::to_string(wide) + ")", w.noise_mse},
                                   {"narrow (" + std::to_string(narrow) + ")", nr.noise_mse},
                                   {"flat grey", grey},
                                   {"wide, real test images", w.real_mse},
                                   {"narrow, real test images", nr.real_mse}});
            const Tensor best = Tensor::concat_rows({real, clip(project(pc, real, h_narrow)), clip(project(pc, real, h_wide)),
                                                     fake, clip(project(pc, fake, h_narrow)), clip(project(pc, fake, h_wide))});
            tut::write_png_grid(out + "/optimum.png", best, 28, 28, show);
            tut::write_svg_curves(out + "/optimum_by_width.svg", "the best linear code with h units", "h",
                                  "variance reproduced",
                                  {{"real test images", real_curve, widths},
                                   {"noise", noise_curve, widths},
                                   {"trained wide AE, real", std::vector<double>(widths.size(), w_real_x), widths},
                                   {"trained wide AE, noise", std::vector<double>(widths.size(), w_noise_x), widths}});
        }
        t.say() << "pictures in " << out << "/:\n"
                << "  codes_k2.svg          the codes of the most inputs 2 tanh units held (step 3)\n"
                << "  wide_vs_narrow.png    rows: test images, wide, narrow; noise, wide, narrow (trained)\n"
                << "  noise_error.svg       the error on noise and on real images, epoch by epoch\n"
                << "  optimum.png           rows: test images, best narrow, best wide; noise, best narrow, best wide\n"
                << "  optimum_by_width.svg  what the best linear code with h units reproduces, real vs noise\n";

        t.result({{"n_max_2", std::to_string(last[0].n_max)},
                  {"n_max_3", std::to_string(last[1].n_max)},
                  {"n_max_4", std::to_string(last[2].n_max)},
                  {"budget_steps", std::to_string(budgets.back().steps)},
                  {"wide_real_mse", tut::fixed(w_real, 4)},
                  {"wide_noise_mse", tut::fixed(w_noise, 4)},
                  {"narrow_real_mse", tut::fixed(n_real, 4)},
                  {"narrow_noise_mse", tut::fixed(n_noise, 4)},
                  {"noise_var", tut::fixed(noise_var, 4)},
                  {"wide_real_explained", tut::fixed(w_real_x, 3)},
                  {"wide_noise_explained", tut::fixed(w_noise_x, 3)},
                  {"optimum_narrow_real_explained", tut::fixed(on_real_x, 3)},
                  {"optimum_narrow_noise_explained", tut::fixed(on_noise_x, 3)},
                  {"optimum_wide_real_explained", tut::fixed(ow_real_x, 3)},
                  {"optimum_wide_noise_explained", tut::fixed(ow_noise_x, 3)},
                  {"varied_directions", std::to_string(varied)},
                  {"epochs", std::to_string(epochs)}});
    });
}
