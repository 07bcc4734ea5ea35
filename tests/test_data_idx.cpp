// IDX readers (MNIST / Fashion-MNIST): small files written here, plain and gzipped, every
// kind of damage, and the real Fashion-MNIST when Debian's package is installed.
#include <doctest/doctest.h>
#include <zlib.h>

#include <algorithm>
#include <chrono>
#include <cstdint>

#include "data/idx.hpp"
#include "data_test_util.hpp"
#include "requires.hpp"
#include "temp_dir.hpp"

using namespace hg::data;
using hg::test::data_error_of;
using hg::test::TempDir;

namespace {

std::string be32(std::uint32_t x) {
    return {static_cast<char>(x >> 24), static_cast<char>(x >> 16), static_cast<char>(x >> 8), static_cast<char>(x)};
}

// An IDX image file: n images of rows x cols, pixel k of the file = (k * 7) % 256.
std::string idx_images(std::uint32_t n, std::uint32_t rows, std::uint32_t cols) {
    std::string s = be32(0x00000803) + be32(n) + be32(rows) + be32(cols);
    for (std::uint32_t k = 0; k < n * rows * cols; ++k) s += static_cast<char>((k * 7) % 256);
    return s;
}

std::string idx_labels(const std::vector<int>& labels) {
    std::string s = be32(0x00000801) + be32(static_cast<std::uint32_t>(labels.size()));
    for (int l : labels) s += static_cast<char>(l);
    return s;
}

std::string gzip(const std::string& bytes, const std::string& path) {
    gzFile f = gzopen(path.c_str(), "wb");
    REQUIRE(f != nullptr);
    REQUIRE(gzwrite(f, bytes.data(), static_cast<unsigned>(bytes.size())) == static_cast<int>(bytes.size()));
    gzclose(f);
    return path;
}

}  // namespace

TEST_CASE("idx: images and labels, plain and gzipped, whole or the first N") {
    TempDir dir("idx_ok");
    const std::string plain = dir.write("train-images-idx3-ubyte", idx_images(3, 2, 5));
    const hg::Tensor x = load_idx_images(plain);
    CHECK(x.shape() == hg::Shape{3, 10});
    CHECK(x[0] == 0.0f);
    CHECK(x[1] == doctest::Approx(7.0 / 255.0));
    CHECK(x[29] == doctest::Approx(((29 * 7) % 256) / 255.0));
    const std::string gz = gzip(idx_images(3, 2, 5), dir.file("t10k-images-idx3-ubyte.gz"));
    CHECK(hg::allclose(load_idx_images(gz), x, 0, 0));
    const hg::Tensor first = load_idx_images(gz, 2);
    CHECK(first.shape() == hg::Shape{2, 10});
    CHECK(hg::allclose(first, x.slice_rows(0, 2), 0, 0));
    CHECK(load_idx_images(gz, 99).rows() == 3);  // asking for more than there is: all

    const IdxHeader h = read_idx_header(gz);
    CHECK(h.gzip);
    CHECK(h.type == 0x08);
    CHECK(h.dims == std::vector<std::size_t>{3, 2, 5});
    CHECK_FALSE(read_idx_header(plain).gzip);

    const std::string labels = gzip(idx_labels({7, 0, 255}), dir.file("l.gz"));
    CHECK(load_idx_labels(labels) == std::vector<int>{7, 0, 255});
    CHECK(load_idx_labels(labels, 1) == std::vector<int>{7});
}

TEST_CASE("idx: a data set folder pairs images with labels and checks them") {
    TempDir dir("idx_set");
    dir.write("train-images-idx3-ubyte", idx_images(3, 2, 2));
    gzip(idx_labels({1, 0, 2}), dir.file("train-labels-idx1-ubyte.gz"));
    const ImageSet s = load_idx_dataset(dir.path(), "train", 0, {"a", "b", "c"});
    CHECK(s.size() == 3);
    CHECK(s.rows == 2);
    CHECK(s.cols == 2);
    CHECK(s.images.shape() == hg::Shape{3, 4});
    CHECK(s.labels == std::vector<int>{1, 0, 2});
    CHECK(s.images_file == dir.file("train-images-idx3-ubyte"));
    CHECK(load_idx_dataset(dir.path(), "train", 2, {"a", "b", "c"}).size() == 2);
    // A label outside the classes.
    CHECK(data_error_of([&] { load_idx_dataset(dir.path(), "train", 0, {"a", "b"}); }) ==
          dir.file("train-labels-idx1-ubyte.gz") + ": byte 10: label 2 of item 2 is outside the 2 classes");
    // Counts that differ.
    gzip(idx_labels({1, 0}), dir.file("train-labels-idx1-ubyte.gz"));
    CHECK(data_error_of([&] { load_idx_dataset(dir.path(), "train", 0, {"a", "b", "c"}); }) ==
          dir.file("train-labels-idx1-ubyte.gz") + ": has 2 labels but " + dir.file("train-images-idx3-ubyte") +
              " has 3 images: the two files do not belong together");
    CHECK(data_error_of([&] { load_idx_dataset(dir.path(), "t10k", 0, {"a"}); }).find(
              dir.file("t10k-images-idx3-ubyte.gz") + ": cannot open the file: not found") == 0);
    CHECK_THROWS_AS(load_idx_dataset(dir.path(), "validation", 0, {"a"}), hg::ValueError);
}

TEST_CASE("idx bad input: missing, empty, wrong magic, odd dimensions") {
    TempDir dir("idx_bad_header");
    const std::string missing = dir.file("none.gz");
    CHECK(data_error_of([&] { load_idx_images(missing); }) == missing + ": cannot open the file: No such file or directory");
    const std::string empty = dir.write("empty", "");
    CHECK(data_error_of([&] { load_idx_images(empty); }) == empty + ": the file is empty (0 bytes): expected an IDX file");
    const std::string short_file = dir.write("short", std::string("\0\0", 2));
    CHECK(data_error_of([&] { load_idx_labels(short_file); }) ==
          short_file + ": byte 0: the file is too short for an IDX header (2 bytes)");
    const std::string labels = dir.write("labels", idx_labels({1, 2}));
    CHECK(data_error_of([&] { load_idx_images(labels); }) ==
          labels + ": byte 0: wrong magic number 0x00000801: expected 0x00000803 (IDX images: unsigned bytes, 3 "
                   "dimensions); images and labels swapped?");
    const std::string text = dir.write("text", "hello world, not IDX");
    CHECK(data_error_of([&] { load_idx_labels(text); }) ==
          text + ": byte 0: wrong magic number 0x68656C6C: expected 0x00000801 (IDX labels: unsigned bytes, 1 dimension)");
    const std::string zero = dir.write("zero", be32(0x00000803) + be32(1) + be32(0) + be32(28));
    CHECK(data_error_of([&] { load_idx_images(zero); }) ==
          zero + ": byte 8: implausible image size 0 x 28 (expected 1..4096 per side)");
    const std::string cut_header = dir.write("cut_header", be32(0x00000803) + be32(1) + std::string("\x00\x1c", 2));
    CHECK(data_error_of([&] { load_idx_images(cut_header); }) ==
          cut_header + ": byte 10: truncated payload: the header's dimension 2 needs 4 bytes from byte 8, but the file "
                       "ends after 2 of them (the file may be cut short; download it again)");
}

TEST_CASE("idx bad input: truncated payload and trailing bytes") {
    TempDir dir("idx_bad_length");
    std::string images = idx_images(3, 2, 5);
    const std::string cut = dir.write("cut", images.substr(0, images.size() - 4));
    CHECK(data_error_of([&] { load_idx_images(cut); }) ==
          cut + ": byte 42: truncated payload: images 0..2 of 3 (2x5) needs 30 bytes from byte 16, but the file ends "
                "after 26 of them (the file may be cut short; download it again)");
    CHECK(load_idx_images(cut, 2).rows() == 2);  // the first two images are all there
    const std::string cut_gz = gzip(images.substr(0, images.size() - 4), dir.file("cut.gz"));
    CHECK(data_error_of([&] { load_idx_images(cut_gz); }).find(cut_gz + ": byte 42: truncated payload") == 0);
    const std::string longer = dir.write("longer", images + "xyz");
    CHECK(data_error_of([&] { load_idx_images(longer); }) ==
          longer + ": byte 46: 3 unexpected bytes after the payload: the header promises 3 images, but the file is longer");
    const std::string labels = dir.write("labels", idx_labels({1, 2, 3}).substr(0, 10));
    CHECK(data_error_of([&] { load_idx_labels(labels); }).find(labels + ": byte 10: truncated payload: 3 labels") == 0);
}

TEST_CASE("idx bad input: corrupt and truncated gzip data") {
    TempDir dir("idx_bad_gzip");
    const std::string gz = gzip(idx_images(50, 28, 28), dir.file("images.gz"));
    const std::string bytes = hg::test::TempDir::read(gz);
    REQUIRE(bytes.size() > 100);
    // Damaged deflate data in the middle.
    std::string damaged = bytes;
    for (std::size_t k = 40; k < 60; ++k) damaged[k] = static_cast<char>(0xFF);
    const std::string corrupt = dir.write("corrupt.gz", damaged);
    const std::string msg = data_error_of([&] { load_idx_images(corrupt); });
    CHECK(msg.find(corrupt + ": byte ") == 0);
    CHECK(msg.find("corrupt or truncated gzip data (zlib: ") != std::string::npos);
    // A gzip file cut in half: zlib reports the unexpected end.
    const std::string half = dir.write("half.gz", bytes.substr(0, bytes.size() / 2));
    const std::string msg2 = data_error_of([&] { load_idx_images(half); });
    CHECK(msg2.find(half + ": byte ") == 0);
    CHECK(msg2.find("corrupt or truncated gzip data (zlib: unexpected end of file)") != std::string::npos);
    // A damaged checksum at the very end (the CRC-32 of the content).
    std::string bad_crc = bytes;
    bad_crc[bad_crc.size() - 6] = static_cast<char>(bad_crc[bad_crc.size() - 6] ^ 0x55);
    const std::string crc = dir.write("crc.gz", bad_crc);
    CHECK(data_error_of([&] { load_idx_images(crc); }).find("corrupt or truncated gzip data (zlib: incorrect data check)") !=
          std::string::npos);
}

TEST_CASE("idx: Fashion-MNIST from Debian's dataset-fashion-mnist, 60000 + 10000 images" *
          hg::test::requires_fashion_mnist()) {
    const auto t0 = std::chrono::steady_clock::now();
    const ImageSet train = fashion_mnist("train");
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    MESSAGE("Fashion-MNIST train (60000 gzipped images) loaded in " << seconds << " s");
    CHECK(train.size() == 60000);
    CHECK(train.images.shape() == hg::Shape{60000, 784});
    CHECK(train.rows == 28);
    CHECK(train.cols == 28);
    const auto [lo, hi] = std::minmax_element(train.images.storage().begin(), train.images.storage().end());
    CHECK(*lo == 0.0f);
    CHECK(*hi == 1.0f);
    std::vector<int> per_class(10, 0);
    for (int l : train.labels) ++per_class.at(static_cast<std::size_t>(l));
    CHECK(per_class == std::vector<int>(10, 6000));  // balanced: 6000 of each class
    CHECK(train.class_names.at(9) == "Ankle boot");

    const ImageSet test = fashion_mnist("t10k");
    CHECK(test.size() == 10000);
    const ImageSet first = fashion_mnist("test", 100);
    CHECK(first.size() == 100);
    CHECK(hg::allclose(first.images, test.images.slice_rows(0, 100), 0, 0));
    CHECK(std::vector<int>(test.labels.begin(), test.labels.begin() + 100) == first.labels);
}

TEST_CASE("idx bad input: a header promising more pixels than one tensor holds is refused before reading") {
    TempDir dir("idx_huge");
    // 100 images of 4096 x 4096: 1.6 Gi pixels, 6.7 GB as floats (a .gz of zeros this size is 1.6 MB).
    const std::string path = dir.write("huge-images-idx3-ubyte", be32(0x00000803) + be32(100) + be32(4096) + be32(4096));
    CHECK(data_error_of([&] { load_idx_images(path); }) ==
          path + ": byte 4: the header promises 100 images of 4096 x 4096 (1600 Mi pixels), more than one tensor holds "
                 "here (256 Mi pixels, 1 GiB of floats); read fewer with max_count");
    // Asking for fewer is fine until the data runs out.
    CHECK(data_error_of([&] { load_idx_images(path, 2); }).find("truncated payload") != std::string::npos);
    // A folder or a FIFO is refused by name.
    std::filesystem::create_directories(dir.file("folder"));
    CHECK(data_error_of([&] { load_idx_images(dir.file("folder")); }) == dir.file("folder") + ": is a folder, expected an IDX file");
}

TEST_CASE("regression: (Fashion-)MNIST images of another size are refused, naming the file") {
    TempDir dir("idx_32x32");
    dir.write("t10k-images-idx3-ubyte", idx_images(2, 32, 32));
    dir.write("t10k-labels-idx1-ubyte", idx_labels({1, 0}));
    const std::string message = dir.file("t10k-images-idx3-ubyte") +
                                ": holds images of 32 x 32 pixels, not the 28 x 28 of (Fashion-)MNIST (another data set in this folder?)";
    CHECK(data_error_of([&] { fashion_mnist("t10k", 0, dir.path()); }) == message);
    CHECK(data_error_of([&] { mnist(dir.path(), "t10k"); }) == message);
    dir.write("t10k-images-idx3-ubyte", idx_images(2, 28, 28));
    CHECK(fashion_mnist("t10k", 0, dir.path()).images.shape() == hg::Shape{2, 784});
}
