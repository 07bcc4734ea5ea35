#include "tutorials/common/fashion.hpp"

#include <ostream>

#include "data/paths.hpp"

namespace hg::tutorial {

FashionMnist load_fashion_mnist(Tutorial& t, std::size_t train_images, std::size_t test_images) {
    const std::string dir = hg::data::require_fashion_mnist(t.options().data);
    FashionMnist data{hg::data::fashion_mnist("train", train_images, dir), hg::data::fashion_mnist("t10k", test_images, dir)};
    t.say() << "train " << data.train.images.shape() << ", test " << data.test.images.shape() << ", pixels in [0, 1]\n";
    t.check(data.pixels() == 28 * 28 && data.test.images.cols() == data.pixels(), "each image is a row of 28 x 28 = 784 pixels");
    return data;
}

}  // namespace hg::tutorial
