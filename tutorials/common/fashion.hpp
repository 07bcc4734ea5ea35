// Fashion-MNIST for a tutorial: find the files (--data, $HG_DATA, ./data, Debian's package
// dataset-fashion-mnist), load the first images of each split and say what was loaded.
//
//   const tut::FashionMnist data = tut::load_fashion_mnist(t, t.pick<std::size_t>(20000, 3000), 1000);
//   const Tensor& x = data.train.images;   // (20000 x 784), pixels in [0, 1]; 3000 under --quick
//   data.test.labels[0];                   // 9: the first test image is an ankle boot
//
// It prints "train (20000 x 784), test (1000 x 784), pixels in [0, 1]" and checks that an
// image is a row of 784 pixels. Without the files it stops with an hg::DataError that says
// where it looked and how to install them.
#pragma once

#include <cstddef>

#include "data/idx.hpp"
#include "tutorials/common/tutorial.hpp"

namespace hg::tutorial {

struct FashionMnist {
    hg::data::ImageSet train, test;
    std::size_t pixels() const { return train.images.cols(); }  // 784
};

FashionMnist load_fashion_mnist(Tutorial& t, std::size_t train_images, std::size_t test_images);

}  // namespace hg::tutorial
