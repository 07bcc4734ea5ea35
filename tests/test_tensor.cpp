#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <sstream>
#include <vector>

#include "tensor/kernels/storage.hpp"
#include "tensor/tensor.hpp"

using hg::Shape;
using hg::Tensor;

TEST_CASE("shape: rank, numel and printing") {
    Shape s{64, 784};
    CHECK(s.rank() == 2);
    CHECK(s.numel() == 64 * 784);
    CHECK(s.str() == "(64x784)");
    CHECK(Shape{}.str() == "()");
    CHECK(Shape{}.numel() == 1);
    CHECK_THROWS_AS(Shape({1, 2, 3, 4, 5}), hg::ShapeError);
    Shape grown;
    for (std::size_t d : {2, 3, 1, 5}) grown.push_back(d);
    CHECK(grown == Shape{2, 3, 1, 5});
    CHECK_THROWS_AS(grown.push_back(7), hg::ShapeError);
    CHECK(grown.rank() == 4);
}

TEST_CASE("tensor: construction") {
    CHECK(Tensor::zeros({2, 3}).numel() == 6);
    CHECK(Tensor::ones({4})[3] == 1.0f);
    CHECK(Tensor::full({2, 2}, 7.0f).at({1, 1}) == 7.0f);
    CHECK(Tensor::scalar(3.5f).item() == 3.5f);
    CHECK(Tensor::arange(5)[4] == 4.0f);
    Tensor t = Tensor::from({2, 3}, {1, 2, 3, 4, 5, 6});
    CHECK(t.at({1, 0}) == 4.0f);
    CHECK(t.rows() == 2);
    CHECK(t.cols() == 3);
    CHECK(t.dim(-1) == 3);
    CHECK_THROWS_WITH_AS(Tensor::from({2, 2}, {1, 2, 3}), "Tensor::from: shape (2x2) needs 4 values but 3 were given",
                         hg::ShapeError);
    Tensor four_d({2, 3, 4, 5});
    CHECK(four_d.rank() == 4);
    CHECK(four_d.numel() == 120);
}

TEST_CASE("tensor: bounds-checked access names the index and the shape") {
    Tensor t({2, 3});
    CHECK_THROWS_WITH_AS(t.at({2, 0}), "Tensor::at: index 2 is out of range for axis 0 of a tensor of shape (2x3)",
                         hg::IndexError);
    CHECK_THROWS_AS(t.at({0}), hg::IndexError);
    CHECK_THROWS_AS(t.item(), hg::ShapeError);
}

TEST_CASE("rng: the same seed gives the same numbers, different seeds differ") {
    hg::Rng a(42), b(42), c(43);
    for (int i = 0; i < 100; ++i) {
        const float x = a.uniform();
        CHECK(x == b.uniform());
        CHECK(x >= 0.0f);
        CHECK(x < 1.0f);
    }
    CHECK(a.next_u64() != c.next_u64());
    // Moments of 100k normals: mean ~0, variance ~1.
    hg::Rng r(7);
    double s = 0, s2 = 0;
    const int n = 100000;
    for (int i = 0; i < n; ++i) {
        const double z = r.normal();
        s += z;
        s2 += z * z;
    }
    CHECK(std::fabs(s / n) < 0.02);
    CHECK(std::fabs(s2 / n - 1.0) < 0.02);
    std::vector<int> v{0, 1, 2, 3, 4, 5, 6, 7};
    r.shuffle(v);
    CHECK(std::is_permutation(v.begin(), v.end(), std::vector<int>{0, 1, 2, 3, 4, 5, 6, 7}.begin()));
}

TEST_CASE("tensor: reshape and transpose") {
    Tensor t = Tensor::from({2, 3}, {1, 2, 3, 4, 5, 6});
    CHECK(t.reshape({3, 2}).at({2, 1}) == 6.0f);
    CHECK_THROWS_WITH_AS(t.reshape({4, 2}),
                         "reshape: cannot reshape (2x3) (6 elements) to (4x2) (8 elements): the element counts must match",
                         hg::ShapeError);
    Tensor tt = t.transpose();
    CHECK(tt.shape() == Shape{3, 2});
    CHECK(tt.at({2, 1}) == 6.0f);
    CHECK(tt.at({0, 1}) == 4.0f);
    // A transpose larger than the 32x32 block.
    hg::Rng rng(1);
    Tensor big = Tensor::normal({70, 45}, 0, 1, rng);
    Tensor bt = big.transpose();
    CHECK(bt.at({44, 69}) == big.at({69, 44}));
    CHECK(hg::allclose(bt.transpose(), big, 0, 0));
    CHECK_THROWS_AS(Tensor({2, 3, 4}).transpose(), hg::ShapeError);
}

TEST_CASE("tensor: rows — slice, gather, concatenate") {
    Tensor t = Tensor::from({3, 2}, {1, 2, 3, 4, 5, 6});
    Tensor s = t.slice_rows(1, 3);
    CHECK(s.shape() == Shape{2, 2});
    CHECK(s.at({0, 0}) == 3.0f);
    Tensor g = t.gather_rows({2, 0, 2});
    CHECK(g.shape() == Shape{3, 2});
    CHECK(g.at({0, 1}) == 6.0f);
    CHECK(g.at({1, 0}) == 1.0f);
    CHECK_THROWS_WITH_AS(t.gather_rows({3}),
                         "gather_rows: row 3 (position 0) is out of range for a tensor of shape (3x2)", hg::IndexError);
    CHECK_THROWS_AS(t.slice_rows(2, 4), hg::IndexError);
    Tensor c = Tensor::concat_rows({t, s});
    CHECK(c.shape() == Shape{5, 2});
    CHECK(c.at({4, 1}) == 6.0f);
    Tensor cc = Tensor::concat({t, Tensor::ones({3, 1})}, 1);
    CHECK(cc.shape() == Shape{3, 3});
    CHECK(cc.at({1, 0}) == 3.0f);
    CHECK(cc.at({1, 2}) == 1.0f);
    CHECK_THROWS_AS(Tensor::concat({t, Tensor::ones({3, 1})}, 0), hg::ShapeError);
}

TEST_CASE("tensor: broadcasting arithmetic follows NumPy") {
    Tensor x = Tensor::from({2, 3}, {1, 2, 3, 4, 5, 6});
    Tensor row = Tensor::from({3}, {10, 20, 30});
    Tensor col = Tensor::from({2, 1}, {100, 200});
    Tensor y = x + row;
    CHECK(y.at({1, 2}) == 36.0f);
    Tensor z = x * col;
    CHECK(z.at({1, 0}) == 800.0f);
    Tensor outer = col + row;  // (2x1) + (3) -> (2x3)
    CHECK(outer.shape() == Shape{2, 3});
    CHECK(outer.at({1, 2}) == 230.0f);
    Tensor four = Tensor::ones({2, 1, 3, 1}) + Tensor::arange(4).reshape({1, 4});  // -> (2x1x3x4)
    CHECK(four.shape() == Shape{2, 1, 3, 4});
    CHECK(four.at({1, 0, 2, 3}) == 4.0f);
    CHECK((x - 1.0f).at({0, 0}) == 0.0f);
    CHECK((2.0f / Tensor::full({1}, 4.0f))[0] == 0.5f);
    CHECK_THROWS_WITH_AS(x + Tensor::ones({2}),
                         "add: cannot broadcast (2x3) with (2): dimension 1 is 3 vs 2 (sizes must be equal, or one of them 1)",
                         hg::ShapeError);
}

TEST_CASE("tensor: sum_to undoes broadcasting") {
    Tensor g = Tensor::ones({4, 2, 3});
    CHECK(hg::sum_to(g, {3}).at({0}) == 8.0f);
    CHECK(hg::sum_to(g, {2, 1}).at({1, 0}) == 12.0f);
    CHECK(hg::sum_to(g, {}).item() == 24.0f);
    CHECK(hg::sum_to(g, {1, 2, 3}).at({0, 1, 2}) == 4.0f);
    CHECK_THROWS_AS(hg::sum_to(g, {5}), hg::ShapeError);
}

TEST_CASE("tensor: broadcast_to stretches size-1 and missing dimensions; sum_to undoes it") {
    const Tensor row = Tensor::from({1, 3}, {1, 2, 3});
    const Tensor b = hg::broadcast_to(row, {2, 3});
    CHECK(b.to_vector() == std::vector<float>{1, 2, 3, 1, 2, 3});
    CHECK(hg::broadcast_to(Tensor::from({2, 1}, {5, 6}), {2, 2, 3}).to_vector() ==
          std::vector<float>{5, 5, 5, 6, 6, 6, 5, 5, 5, 6, 6, 6});
    CHECK(hg::broadcast_to(Tensor::scalar(7.0f), {2}).to_vector() == std::vector<float>{7, 7});
    CHECK(hg::broadcast_to(b, {2, 3}).to_vector() == b.to_vector());  // already that shape
    CHECK(hg::sum_to(hg::broadcast_to(row, {4, 3}), {1, 3}).to_vector() == std::vector<float>{4, 8, 12});
    CHECK_THROWS_WITH_AS(hg::broadcast_to(Tensor({2, 3}), {3}),
                         "broadcast_to: cannot stretch (2x3) to (3) (only dimensions of size 1, or missing ones, stretch)",
                         hg::ShapeError);
    CHECK_THROWS_AS(hg::broadcast_to(Tensor({2}), {3}), hg::ShapeError);
}

TEST_CASE("tensor: Tensor(shape), Storage(n) and StepVector(n) hold zeros; Tensor::empty only has the shape") {
    // The pool hands back blocks that held other numbers: fill one, free it, ask again.
    { Tensor dirty(hg::Shape{257}, 9.0f); }
    const Tensor t(hg::Shape{257});
    CHECK(hg::max(hg::abs(t)).item() == 0.0f);
    { Tensor dirty(hg::Shape{257}, 9.0f); }
    const hg::Tensor::Storage s(257);
    CHECK(*std::max_element(s.begin(), s.end()) == 0.0f);
    { Tensor dirty(hg::Shape{257}, 9.0f); }
    const hg::kernels::StepVector<float> v(257);  // like std::vector<float>(257)
    CHECK(*std::max_element(v.begin(), v.end()) == 0.0f);
    CHECK(Tensor::empty({3, 4}).shape() == hg::Shape{3, 4});
}

TEST_CASE("tensor: element-wise functions and masks") {
    Tensor x = Tensor::from({4}, {-2, -0.5f, 0, 3});
    CHECK(hg::abs(x)[0] == 2.0f);
    CHECK(hg::exp(x)[2] == 1.0f);
    CHECK(hg::clamp(x, -1, 1)[0] == -1.0f);
    CHECK(hg::clamp(x, -1, 1)[3] == 1.0f);
    CHECK(hg::pow(x, 2)[3] == doctest::Approx(9.0f));
    CHECK(hg::sqrt(hg::square(x))[1] == doctest::Approx(0.5f));
    CHECK(hg::log(hg::exp(x))[3] == doctest::Approx(3.0f));
    CHECK(hg::gt(x, 0.0f).to_vector() == std::vector<float>{0, 0, 0, 1});
    CHECK(hg::ne(x, 0.0f).to_vector() == std::vector<float>{1, 1, 0, 1});
    CHECK(hg::le(x, Tensor::scalar(-0.5f)).to_vector() == std::vector<float>{1, 1, 0, 0});
    Tensor w = hg::where(hg::gt(x, 0.0f), x, Tensor::scalar(-9.0f));
    CHECK(w.to_vector() == std::vector<float>{-9, -9, -9, 3});
    CHECK_THROWS_AS(hg::clamp(x, 1, -1), hg::ValueError);
}

TEST_CASE("tensor: reductions") {
    Tensor x = Tensor::from({2, 3}, {1, 5, 3, 4, 2, 6});
    CHECK(hg::sum(x).item() == 21.0f);
    CHECK(hg::mean(x).item() == 3.5f);
    CHECK(hg::sum(x, 0).to_vector() == std::vector<float>{5, 7, 9});
    CHECK(hg::sum(x, 1).to_vector() == std::vector<float>{9, 12});
    CHECK(hg::sum(x, 1, true).shape() == Shape{2, 1});
    CHECK(hg::mean(x, -1).to_vector() == std::vector<float>{3, 4});
    CHECK(hg::max(x).item() == 6.0f);
    CHECK(hg::max(x, 1).to_vector() == std::vector<float>{5, 6});
    CHECK(hg::max(x, 0).to_vector() == std::vector<float>{4, 5, 6});
    CHECK(hg::argmax(x) == 5);
    CHECK(hg::argmax(x, 1) == std::vector<std::size_t>{1, 2});
    CHECK(hg::argmax(x, 0) == std::vector<std::size_t>{1, 0, 1});
    CHECK_THROWS_WITH_AS(hg::sum(x, 2), "sum: axis 2 is out of range for a tensor of rank 2 (valid: -2..1)",
                         hg::IndexError);
    Tensor t3 = Tensor::arange(24).reshape({2, 3, 4});
    CHECK(hg::sum(t3, 1).at({1, 3}) == 15.0f + 19.0f + 23.0f);
}

TEST_CASE("tensor: printing is readable and truncated when large") {
    std::ostringstream os;
    os << Tensor::from({2, 2}, {1, 2, 3, 4.5f});
    CHECK(os.str() == "Tensor(2x2) [[1, 2],\n             [3, 4.5]]");
    const std::string big = Tensor::arange(100).str();
    CHECK(big.find("...") != std::string::npos);
    CHECK(big.find("99") != std::string::npos);
    CHECK(big.size() < 80);
    CHECK(Tensor::scalar(2).str() == "Tensor() 2");
}
