// Looking at an autoencoder's codes: the plane in which they vary most, drawn, and whether
// examples with nearby codes are alike.
//
//   tut::CodeLook look = tut::look_at_codes(codes, x, labels);  // codes (N x d), x (N x n)
//   tut::write_svg_scatter(path, "codes", look.plane, class_names);
//   look.ratio();   // ~1: a code's nearest neighbour is no more alike than a random example
//
// The plane: the codes, centred, along the two eigenvectors of their covariance with the
// largest eigenvalues (tensor/linalg.hpp's symmetric_eigen: PCA of the codes). The
// neighbours: for each example the one whose code is nearest (Euclidean), and the mean
// squared difference between their inputs x, over the same for pairs taken without
// looking (example i with example i + N/2).
#pragma once

#include <vector>

#include "tensor/tensor.hpp"
#include "tutorials/common/picture.hpp"

namespace hg::tutorial {

struct CodeLook {
    std::vector<Point> plane;      // each code's two coordinates, its group from `groups`
    double plane_share = 0;        // the share of the codes' variance the plane holds, 0..1
    double neighbour_mse = 0;      // inputs' mean squared difference: nearest codes
    double random_mse = 0;         // ... and pairs taken without looking
    double ratio() const { return neighbour_mse / random_mse; }
};

// codes (N x d) of the inputs x (N x n), N >= 2; groups: N colours for the plot.
CodeLook look_at_codes(const Tensor& codes, const Tensor& x, const std::vector<int>& groups);

}  // namespace hg::tutorial
