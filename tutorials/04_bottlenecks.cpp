// Tutorial 04 — bottlenecks: how many one-hot inputs a code of 2, 3 or 4 tanh units holds
// within a training budget. The theory, the derivation of step 2 and the measured tables are
// in 04_bottlenecks.md beside this file; tutorial 05 turns to codes wider than the input.
#include <algorithm>
#include <cmath>
#include <iomanip>
#include <memory>
#include <numeric>
#include <string>
#include <vector>

#include "autograd/ops.hpp"
#include "nn/adam.hpp"
#include "nn/linear.hpp"
#include "autograd/loss.hpp"
#include "nn/module.hpp"
#include "tutorials/common/picture.hpp"
#include "tutorials/common/tutorial.hpp"

using hg::Tensor;
using hg::Var;
namespace tut = hg::tutorial;

namespace {

Tensor identity(std::size_t n) {
    Tensor eye(hg::Shape{n, n});
    for (std::size_t i = 0; i < n; ++i) eye[i * n + i] = 1.0f;
    return eye;
}

std::vector<int> each_its_own(std::size_t n) {  // input i must come back as i
    std::vector<int> targets(n);
    std::iota(targets.begin(), targets.end(), 0);
    return targets;
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
    const std::vector<int> targets = each_its_own(n);
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

Tensor scores_of(Bottleneck& model, const Tensor& x) {
    hg::NoGradGuard no_grad;
    return model(Var::constant(x)).value();
}

void step1_small_encoder(tut::Tutorial& t) {
    t.step(1, "The n-k-n encoder: n one-hot inputs through k tanh units");
    const std::size_t n = 8, k = 2;
    hg::Rng rng(t.options().seed);
    auto model = std::make_shared<Bottleneck>(n, k, rng);
    t.say() << *model << "\n";
    const Var x = Var::constant(identity(n));
    const std::vector<int> targets = each_its_own(n);
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
    t.say() << "inputs (" << n << "x" << n << ", one-hot rows) -> codes (" << codes.shape()[0] << "x" << codes.shape()[1]
            << ") -> scores (" << scores.shape()[0] << "x" << scores.shape()[1] << ")\n";
    t.say() << "cross-entropy " << tut::fixed(first, 3) << " nats at the start (log " << n << " = "
            << tut::fixed(std::log(static_cast<double>(n)), 3) << ": a uniform guess), " << tut::fixed(last, 4)
            << " after 300 Adam steps\n";
    t.say() << "the 2-D code of each input:\n";
    for (std::size_t i = 0; i < n; ++i)
        t.say() << "  input " << i << " -> (" << std::showpos << tut::fixed(codes[2 * i], 3) << ", "
                << tut::fixed(codes[2 * i + 1], 3) << std::noshowpos << ")  decoded as " << hg::argmax(scores, 1)[i] << "\n";
    t.check(decoded_right(scores) == n, "two tanh units carry which of 8 inputs was on");
}

// n codes c_i on a circle of radius 0.9; the decoder scores input j by z_j(h) = 2 c_j·h − |c_j|²,
// largest at the nearest code; the encoder reaches c_i with W1's column i = atanh(c_i).
void step2_any_n_by_hand(tut::Tutorial& t) {
    t.step(2, "In exact arithmetic any n fits: decode by the nearest code");
    const std::size_t n = 200, k = 2;
    hg::Rng rng(t.options().seed);
    Bottleneck model(n, k, rng);
    hg::Linear &enc = *model.encoder, &dec = *model.decoder;
    const double pi = std::acos(-1.0);
    for (std::size_t i = 0; i < n; ++i) {
        const double angle = 2 * pi * static_cast<double>(i) / static_cast<double>(n);
        const float c[2] = {static_cast<float>(0.9 * std::cos(angle)), static_cast<float>(0.9 * std::sin(angle))};
        for (std::size_t j = 0; j < k; ++j) {
            enc.weight().mutable_value()[j * n + i] = std::atanh(c[j]);  // W1 is (k x n)
            dec.weight().mutable_value()[i * k + j] = 2 * c[j];          // W2 is (n x k)
        }
        dec.bias().mutable_value()[i] = -(c[0] * c[0] + c[1] * c[1]);
    }
    enc.bias().mutable_value().fill(0.0f);
    const Tensor scores = scores_of(model, identity(n));
    // The margin: how far the right score is above the runner-up, at the worst input.
    float margin = 1e30f;
    for (std::size_t i = 0; i < n; ++i)
        for (std::size_t j = 0; j < n; ++j)
            if (j != i) margin = std::min(margin, scores[i * n + i] - scores[i * n + j]);
    t.say() << n << " inputs in 2 units, by hand: " << decoded_right(scores) << " of " << n << " decoded right; worst margin "
            << tut::scientific(margin, 2) << " (= the squared distance between neighbouring codes)\n";
    t.check(decoded_right(scores) == n, "hand-set weights decode 200 inputs through 2 units");
    t.say() << "So the limit is not what the network can represent but what training finds: as n\n"
            << "grows, neighbouring codes crowd together, the margins shrink and gradient descent\n"
            << "needs ever more steps to separate them. The capacity below is per training budget.\n";
}

void print_capacity_table(tut::Tutorial& t, const std::vector<Budget>& budgets, const std::vector<std::size_t>& ks,
                          const std::vector<std::vector<Capacity>>& found) {
    t.say() << "\nthe largest n encoded without error (the first n that failed), seed " << t.options().seed << ":\n";
    t.say() << "  units k";
    for (const Budget& bud : budgets) t.say() << " | " << std::setw(24) << budget_name(bud);
    t.say() << "\n";
    for (std::size_t i = 0; i < ks.size(); ++i) {
        t.say() << "  " << std::setw(7) << ks[i];
        for (std::size_t b = 0; b < budgets.size(); ++b) {
            const Capacity& c = found[b][i];
            const std::string cell = c.n_fail == 0 ? ">= " + std::to_string(c.n_max) + " (the cap)"
                                                   : std::to_string(c.n_max) + " (" + std::to_string(c.n_fail) + ")";
            t.say() << " | " << std::setw(14) << cell << std::setw(8) << tut::fixed(c.seconds, 1) << " s";
        }
        t.say() << "\n";
    }
    t.say() << "Each count is one search from the starts --seed gives; another seed moves the boundaries (a\n"
            << "luckier start encodes more). The course's reading (Skarupke 2016) reports about 11, 30 and\n"
            << "over 100 inputs for k = 2, 3, 4: its own runs' numbers, not this run's.\n";
}

// A picture of the k = 2 codes at n_max: points packed inside the square [-1, 1]².
void write_codes(tut::Tutorial& t, const Tensor& c) {
    std::vector<tut::Point> points;
    for (std::size_t i = 0; i < c.rows(); ++i) points.push_back({c[2 * i], c[2 * i + 1], 0});
    for (float x : {-1.0f, 1.0f})
        for (float y : {-1.0f, 1.0f}) points.push_back({x, y, 1});  // the square's corners, for scale
    tut::write_svg_scatter(t.out_dir() + "/codes_k2.svg", std::to_string(c.rows()) + " one-hot inputs in 2 tanh units",
                           points, {"the code of one input", "corners of [-1, 1]^2"});
    t.say() << "picture: " << t.out_dir() << "/codes_k2.svg  the codes of the most inputs 2 tanh units held\n";
}

// Adam on all n inputs at once, testing every `check_every` steps whether every input
// decodes to itself and stopping as soon as it does. The full run searches with two
// budgets, to show that the boundary is the budget's. Returns [budget][k].
std::vector<std::vector<Capacity>> step3_search(tut::Tutorial& t, const std::vector<Budget>& budgets) {
    t.step(3, "Search: the largest n that trains to zero errors, for k = 2, 3, 4");
    const double resolution = 0.05;
    const std::vector<std::size_t> ks = {2, 3, 4};
    const std::vector<std::size_t> caps = {100, 400, 1500};  // never reached so far: a guard on the run time
    std::vector<std::vector<Capacity>> found(budgets.size());
    for (std::size_t b = 0; b < budgets.size(); ++b) {
        const Budget& bud = budgets[b];
        t.say() << "budget " << budget_name(bud) << " (Adam, lr " << bud.lr << "); n grows by half until it fails, then bisects to "
                << static_cast<int>(resolution * 100) << "%\n";
        for (std::size_t i = 0; i < ks.size(); ++i) found[b].push_back(search_capacity(t, ks[i], caps[i], bud, resolution));
    }
    print_capacity_table(t, budgets, ks, found);
    const std::vector<Capacity>& last = found.back();
    t.check(last[0].n_max < last[1].n_max && last[1].n_max < last[2].n_max,
            "capacity grows with the code size: n_max(2) < n_max(3) < n_max(4)");
    t.check(last[0].n_fail != 0, "two units do run out of room within the budget");
    if (budgets.size() > 1) {
        bool grows = true;
        for (std::size_t i = 0; i < ks.size(); ++i) grows = grows && found[1][i].n_max > found[0][i].n_max;
        t.check(grows, "a bigger training budget encodes more inputs, for every k");
    }
    write_codes(t, last[0].codes_at_max);
    return found;
}

}  // namespace

int main(int argc, char** argv) {
    tut::Tutorial t("04_bottlenecks", "Bottlenecks: how many inputs a narrow code holds");
    return t.run(argc, argv, [&] {
        step1_small_encoder(t);
        step2_any_n_by_hand(t);
        std::vector<Budget> budgets = {{400, 1, 0.05f, 20}};  // steps, starts, lr, check every
        if (!t.options().quick) budgets.push_back({2000, 2, 0.05f, 25});
        const std::vector<Capacity> last = step3_search(t, budgets).back();
        t.result({{"n_max_2", std::to_string(last[0].n_max)},
                  {"n_max_3", std::to_string(last[1].n_max)},
                  {"n_max_4", std::to_string(last[2].n_max)},
                  {"budget_steps", std::to_string(budgets.back().steps)}});
    });
}
