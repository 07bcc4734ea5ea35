// Pictures for the tutorials: image grids as PNG, curves and scatter plots as SVG.
//
//   // 16 reconstructions of 28x28 images, 8 per row:
//   hg::tutorial::write_png_grid(t.out_dir() + "/recon.png", images, 28, 28, 8);
//   // side by side rows (noisy / reconstructed / clean): stack the rows with
//   // Tensor::concat_rows and give the number of images per row as `cols`.
//
//   hg::tutorial::write_svg_curves(t.out_dir() + "/loss.svg", "training loss", "epoch", "loss",
//                                  {{"plain AE", plain_losses}, {"sparse AE", sparse_losses}});
//   hg::tutorial::write_svg_curves(t.out_dir() + "/sweep.svg", "error vs k", "k", "test MSE",
//                                  {{"k-sparse AE", errors, {5, 10, 20, 40}}});
//
// Every writer goes through a temporary file renamed into place, so a picture is either
// complete or absent.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "tensor/tensor.hpp"

namespace hg::tutorial {

// images: (N x height*width), one grayscale image per row. Values are mapped linearly from
// [lo, hi] to black..white (clipped); with lo == hi each image is scaled to its own min..max
// (useful for filters: a hidden unit's weights). A 1-pixel grey border separates tiles.
void write_png_grid(const std::string& path, const Tensor& images, std::size_t height, std::size_t width,
                    std::size_t cols, float lo = 0.0f, float hi = 1.0f);

struct Curve {
    std::string name;
    std::vector<double> y;  // y[i] at x = i + 1 (e.g. the loss after epoch i + 1)
    std::vector<double> x = {};  // or at x[i] when given (a sweep: error vs k); points are then marked
};
void write_svg_curves(const std::string& path, const std::string& title, const std::string& x_label,
                      const std::string& y_label, const std::vector<Curve>& curves, bool log_y = false);

struct Point {
    double x, y;
    int group;  // colour: e.g. the class label
};
void write_svg_scatter(const std::string& path, const std::string& title, const std::vector<Point>& points,
                       const std::vector<std::string>& group_names);

}  // namespace hg::tutorial
