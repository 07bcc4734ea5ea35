// IDX files — the format of MNIST and Fashion-MNIST — plain or gzip-compressed.
//
//   ImageSet train = fashion_mnist("train");        // 60,000 images of 28 x 28
//   ImageSet test = fashion_mnist("t10k", 1000);    // the first 1,000 test images (fast tests)
//   train.images;                    // Tensor (60000 x 784), pixels / 255 in [0, 1]
//   train.labels[0];                 // 9
//   train.class_names[9];            // "Ankle boot"
//
// An IDX file is a big-endian header and then the raw numbers (LeCun et al., "THE MNIST
// DATABASE of handwritten digits", http://yann.lecun.com/exdb/mnist/):
//
//   bytes 0-3   magic: 0x00 0x00, the element type (0x08 = unsigned byte), the number of dims
//               images: 0x00000803 (3 dims)   labels: 0x00000801 (1 dim)
//   then        each dimension as a 32-bit big-endian integer: count [, rows, cols]
//   then        count * rows * cols bytes, row-major, one image after another
//
// A file that starts with the gzip magic bytes 1f 8b is decompressed on the fly by zlib
// (gzopen/gzread detect it; anything else is read as is). Everything is checked: the
// magic number, plausible dimensions, a payload of exactly the promised length (unless
// max_count asks for fewer items, then the rest is not read), intact gzip data, and for a
// data set, equal image and label counts and labels within the classes. Errors are
// hg::DataError "<file>: byte <offset>: <what>", offsets counting bytes of the IDX
// content (after decompression).
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "data/error.hpp"
#include "tensor/tensor.hpp"

namespace hg::data {

// Where Debian's package dataset-fashion-mnist installs the four .gz files.
inline constexpr const char* fashion_mnist_dir = "/usr/share/datasets/fashion-mnist";

struct IdxHeader {
    int type = 0;                   // 0x08: unsigned bytes (the only type read here)
    std::vector<std::size_t> dims;  // {count, rows, cols} for images, {count} for labels
    bool gzip = false;              // the file was gzip-compressed
};
IdxHeader read_idx_header(const std::string& path);

// The images of an IDX image file (magic 0x00000803) as a (N x rows*cols) tensor of
// pixels / 255. max_count > 0 reads only the first max_count images.
Tensor load_idx_images(const std::string& path, std::size_t max_count = 0);

// The labels of an IDX label file (magic 0x00000801), as ints 0..255.
std::vector<int> load_idx_labels(const std::string& path, std::size_t max_count = 0);

struct ImageSet {
    Tensor images;            // (N x rows*cols), in [0, 1]
    std::vector<int> labels;  // N class indices
    std::size_t rows = 0, cols = 0;
    std::vector<std::string> class_names;
    std::string images_file, labels_file;
    std::size_t size() const { return labels.size(); }
};

// dir/<split>-images-idx3-ubyte[.gz] and dir/<split>-labels-idx1-ubyte[.gz] (the .gz is
// taken when both exist). split is "train" or "t10k" ("test" is accepted for "t10k").
// Labels must be < class_names.size().
ImageSet load_idx_dataset(const std::string& dir, const std::string& split, std::size_t max_count,
                          std::vector<std::string> class_names);

// Fashion-MNIST (Xiao, Rasul & Vollgraf 2017, arXiv:1708.07747): 60,000 train and
// 10,000 test images of 28 x 28, ten classes of clothing.
ImageSet fashion_mnist(const std::string& split = "train", std::size_t max_count = 0,
                       const std::string& dir = fashion_mnist_dir);
const std::vector<std::string>& fashion_mnist_classes();  // "T-shirt/top", ..., "Ankle boot"
// True when dir holds the train and t10k files (so a test can skip visibly otherwise).
bool fashion_mnist_available(const std::string& dir = fashion_mnist_dir);

// MNIST's handwritten digits, same file names (class names "0".."9"). No default folder:
// Debian has no MNIST package.
ImageSet mnist(const std::string& dir, const std::string& split = "train", std::size_t max_count = 0);

}  // namespace hg::data
