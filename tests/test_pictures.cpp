// The tutorials' picture writers: PNG grids and SVG plots.
#include <doctest/doctest.h>

#include "temp_dir.hpp"
#include "tutorials/common/picture.hpp"

using hg::Tensor;

namespace {
std::uint32_t big_endian(const std::string& s, std::size_t at) {
    std::uint32_t v = 0;
    for (std::size_t i = 0; i < 4; ++i) v = v << 8 | static_cast<unsigned char>(s[at + i]);
    return v;
}
}  // namespace

TEST_CASE("pictures: a PNG grid has the tiles' size plus 1-pixel borders") {
    hg::test::TempDir dir("pictures");
    hg::Rng rng(1);
    const Tensor images = Tensor::uniform({10, 28 * 28}, 0, 1, rng);
    const std::string path = dir.file("grid.png");
    hg::tutorial::write_png_grid(path, images, 28, 28, 4);
    const std::string png = hg::test::TempDir::read(path);
    REQUIRE(png.size() > 24);
    CHECK(png.substr(1, 3) == "PNG");
    CHECK(big_endian(png, 16) == 4 * 29 + 1);  // width: 4 tiles of 28 + borders
    CHECK(big_endian(png, 20) == 3 * 29 + 1);  // height: 3 rows (10 images, 4 per row)
    CHECK_THROWS_AS(hg::tutorial::write_png_grid(path, images, 27, 28, 4), hg::ShapeError);
}

TEST_CASE("pictures: SVG curves and scatter plots") {
    hg::test::TempDir dir("pictures_svg");
    hg::tutorial::write_svg_curves(dir.file("loss.svg"), "loss", "epoch", "loss",
                                   {{"plain", {3, 2, 1.5}}, {"sparse <k>", {3, 2.5, 2}}});
    const std::string svg = hg::test::TempDir::read(dir.file("loss.svg"));
    CHECK(svg.find("<svg") == 0);
    CHECK(svg.find("polyline") != std::string::npos);
    CHECK(svg.find("sparse &lt;k&gt;") != std::string::npos);
    hg::tutorial::write_svg_scatter(dir.file("codes.svg"), "codes", {{0, 0, 0}, {1, 2, 1}}, {"a", "b"});
    CHECK(hg::test::TempDir::read(dir.file("codes.svg")).find("<circle") != std::string::npos);
}

TEST_CASE("pictures: a curve with its own x values (a sweep) marks its points") {
    hg::test::TempDir dir("pictures_sweep");
    hg::tutorial::write_svg_curves(dir.file("sweep.svg"), "error vs k", "k", "MSE", {{"k-sparse", {0.04, 0.02, 0.01}, {5, 20, 80}}});
    const std::string svg = hg::test::TempDir::read(dir.file("sweep.svg"));
    CHECK(svg.find("<circle") != std::string::npos);
    CHECK(svg.find(">80<") != std::string::npos);  // the x axis runs to the largest x
    CHECK_THROWS_AS(hg::tutorial::write_svg_curves(dir.file("bad.svg"), "t", "k", "y", {{"c", {1, 2}, {1}}}), hg::ValueError);
}
