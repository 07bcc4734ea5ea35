#include "data/idx.hpp"

#ifndef HG_NO_ZLIB
#include <zlib.h>
#endif

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>

namespace hg::data {

namespace {

#ifndef HG_NO_ZLIB
// The bytes of a file through zlib, which passes a file that is not gzip through unchanged.
class ByteSource {
public:
    explicit ByteSource(const std::string& path) : path_(path) {
        errno = 0;
        file_ = gzopen(path.c_str(), "rb");
        if (!file_)
            throw file_error(path, std::string("cannot open the file: ") +
                                       (errno ? std::strerror(errno) : "zlib could not allocate its state"));
        gzbuffer(file_, 1 << 17);
    }
    ~ByteSource() { gzclose(file_); }
    ByteSource(const ByteSource&) = delete;
    ByteSource& operator=(const ByteSource&) = delete;

    // Up to n bytes (0 at the end); nullopt with the reason when the gzip data is damaged.
    std::size_t read(unsigned char* dst, unsigned n, std::string& error) {
        const int r = gzread(file_, dst, n);
        if (r < 0 || (static_cast<unsigned>(r) < n && failed())) error = reason();
        return r < 0 ? 0 : static_cast<std::size_t>(r);
    }
    bool gzip() const { return gzdirect(file_) == 0; }

private:
    bool failed() const {
        int err = Z_OK;
        gzerror(file_, &err);
        return err != Z_OK;
    }
    std::string reason() const {
        int err = Z_OK;
        const char* msg = gzerror(file_, &err);
        std::string what = msg && *msg ? msg : "unknown error";
        if (what.rfind(path_ + ": ", 0) == 0) what.erase(0, path_.size() + 2);  // zlib prefixes the path
        return "corrupt or truncated gzip data (zlib: " + what + "); the file is damaged, download it again";
    }
    std::string path_;
    gzFile file_ = nullptr;
};
#else
// Built without zlib (the WebAssembly playground, playground/build.sh): plain files only,
// and a gzip file is refused by name rather than read as garbage.
class ByteSource {
public:
    explicit ByteSource(const std::string& path) {
        errno = 0;
        file_ = std::fopen(path.c_str(), "rb");
        if (!file_) throw file_error(path, std::string("cannot open the file: ") + std::strerror(errno));
        unsigned char magic[2] = {0, 0};
        const std::size_t got = std::fread(magic, 1, 2, file_);
        if (got == 2 && magic[0] == 0x1f && magic[1] == 0x8b) {
            std::fclose(file_);
            throw file_error(path, "the file is gzip-compressed, and this build of hourglass has no zlib (the "
                                   "WebAssembly playground reads uncompressed IDX files): decompress it first (gunzip)");
        }
        std::rewind(file_);
    }
    ~ByteSource() { std::fclose(file_); }
    ByteSource(const ByteSource&) = delete;
    ByteSource& operator=(const ByteSource&) = delete;

    std::size_t read(unsigned char* dst, unsigned n, std::string& error) {
        const std::size_t r = std::fread(dst, 1, n, file_);
        if (r < n && std::ferror(file_)) error = std::string("read error: ") + std::strerror(errno);
        return r;
    }
    bool gzip() const { return false; }

private:
    std::FILE* file_ = nullptr;
};
#endif

// An open IDX file, plain or gzip (ByteSource), that keeps the offset into the content for
// error messages.
class IdxFile {
public:
    explicit IdxFile(std::string path) : path_(std::move(path)), source_((require_regular_file(path_, "an IDX file"), path_)) {}

    const std::string& path() const { return path_; }
    std::size_t offset() const { return offset_; }

    // Reads up to n bytes; returns how many arrived (fewer only at the end of the file).
    // Damaged gzip data throws.
    std::size_t read(void* dst, std::size_t n) {
        std::size_t got = 0;
        auto* p = static_cast<unsigned char*>(dst);
        std::string error;
        while (got < n) {
            // 64 KiB at a time, so that a gzip error is placed within 64 KiB of the damage.
            const auto chunk = static_cast<unsigned>(std::min<std::size_t>(n - got, 1u << 16));
            const std::size_t r = source_.read(p + got, chunk, error);
            got += r;
            if (!error.empty()) {
                offset_ += got;
                throw byte_error(path_, offset_, error);
            }
            if (r == 0) break;
        }
        offset_ += got;
        return got;
    }

    bool gzip() const { return source_.gzip(); }

    // Reads exactly n bytes of `what`, or throws a "truncated" error.
    void read_exact(void* dst, std::size_t n, const std::string& what) {
        const std::size_t start = offset_;
        const std::size_t got = read(dst, n);
        if (got < n)
            throw byte_error(path_, offset_,
                             "truncated payload: " + what + " needs " + std::to_string(n) + " bytes from byte " +
                                 std::to_string(start) + ", but the file ends after " + std::to_string(got) +
                                 " of them (the file may be cut short; download it again)");
    }

private:
    std::string path_;
    ByteSource source_;
    std::size_t offset_ = 0;
};

std::uint32_t big_endian(const unsigned char* b) {
    return (std::uint32_t{b[0]} << 24) | (std::uint32_t{b[1]} << 16) | (std::uint32_t{b[2]} << 8) | std::uint32_t{b[3]};
}

std::string hex32(std::uint32_t x) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "0x%08X", x);
    return buf;
}

IdxHeader read_header(IdxFile& f, std::size_t expected_dims, const char* kind) {
    unsigned char magic[4];
    const std::size_t got = f.read(magic, 4);
    if (got == 0) throw file_error(f.path(), "the file is empty (0 bytes): expected an IDX file");
    const std::uint32_t expected_magic = 0x00000800u | static_cast<std::uint32_t>(expected_dims);
    if (got < 4) throw byte_error(f.path(), 0, "the file is too short for an IDX header (" + std::to_string(got) + " bytes)");
    const std::uint32_t m = big_endian(magic);
    if (m != expected_magic)
        throw byte_error(f.path(), 0,
                         "wrong magic number " + hex32(m) + ": expected " + hex32(expected_magic) + " (IDX " + kind +
                             ": unsigned bytes, " + std::to_string(expected_dims) + " dimension" +
                             (expected_dims > 1 ? "s" : "") + ")" +
                             (m == 0x00000801u || m == 0x00000803u ? "; images and labels swapped?" : ""));
    IdxHeader h;
    h.type = magic[2];
    h.gzip = f.gzip();
    for (std::size_t d = 0; d < expected_dims; ++d) {
        unsigned char b[4];
        f.read_exact(b, 4, "the header's dimension " + std::to_string(d + 1));
        h.dims.push_back(big_endian(b));
    }
    // Guard against a corrupt header asking for absurd amounts of memory.
    if (expected_dims == 3) {
        if (h.dims[1] == 0 || h.dims[2] == 0 || h.dims[1] > 4096 || h.dims[2] > 4096)
            throw byte_error(f.path(), 8,
                             "implausible image size " + std::to_string(h.dims[1]) + " x " + std::to_string(h.dims[2]) +
                                 " (expected 1..4096 per side)");
    }
    if (h.dims[0] > (std::size_t{1} << 31))
        throw byte_error(f.path(), 4, "implausible item count " + std::to_string(h.dims[0]));
    return h;
}

void check_no_trailing_bytes(IdxFile& f, std::size_t count, const char* kind) {
    unsigned char extra[256];
    const std::size_t at = f.offset();
    std::size_t n = 0;
    for (std::size_t got; (got = f.read(extra, sizeof extra)) > 0;) n += got;
    if (n > 0)
        throw byte_error(f.path(), at,
                         std::to_string(n) + " unexpected bytes after the payload: the header promises " +
                             std::to_string(count) + " " + kind + ", but the file is longer");
}

// The most pixels read into one tensor: 2^28 floats, 1 GiB (Fashion-MNIST's 60,000 training
// images are 47 Mi pixels).
constexpr std::size_t kMaxPixels = std::size_t{1} << 28;

Tensor read_images(const std::string& path, std::size_t max_count, std::size_t& rows, std::size_t& cols) {
    IdxFile f(path);
    const IdxHeader h = read_header(f, 3, "images");
    rows = h.dims[1];
    cols = h.dims[2];
    const std::size_t count = max_count > 0 ? std::min(max_count, h.dims[0]) : h.dims[0];
    const std::size_t pixels = rows * cols;
    // A header may promise more than memory holds: 100 images of 4096 x 4096 fit in a
    // 1.6 MB .gz of zeros and would take 6.7 GB as floats. Refuse before reading.
    if (count > kMaxPixels / pixels)
        throw byte_error(path, 4,
                         "the header promises " + std::to_string(count) + " images of " + std::to_string(rows) + " x " +
                             std::to_string(cols) + " (" + std::to_string(count * pixels / (1u << 20)) +
                             " Mi pixels), more than one tensor holds here (" + std::to_string(kMaxPixels >> 20) +
                             " Mi pixels, 1 GiB of floats); read fewer with max_count");
    // The pixels grow as they arrive: a damaged header may promise far more images than the
    // file holds (2^31 of 4096 x 4096), and must not make us allocate that before the read
    // fails (found by fuzz/fuzz_idx.cpp).
    Tensor::Storage values;
    values.reserve(std::min(count * pixels, std::size_t{1} << 24));
    std::vector<unsigned char> buf;
    const std::size_t per_chunk = std::max<std::size_t>(1, (1u << 20) / pixels);  // ~1 MB of images at a time
    for (std::size_t first = 0; first < count; first += per_chunk) {
        const std::size_t n = std::min(per_chunk, count - first);
        buf.resize(n * pixels);
        f.read_exact(buf.data(), buf.size(),
                     "images " + std::to_string(first) + ".." + std::to_string(first + n - 1) + " of " +
                         std::to_string(h.dims[0]) + " (" + std::to_string(rows) + "x" + std::to_string(cols) + ")");
        const std::size_t at = values.size();
        values.resize(at + buf.size());
        for (std::size_t k = 0; k < buf.size(); ++k) values[at + k] = static_cast<float>(buf[k]) / 255.0f;
    }
    if (count == h.dims[0]) check_no_trailing_bytes(f, count, "images");
    return Tensor::from_storage({count, pixels}, std::move(values));
}

std::string find_file(const std::string& dir, const std::string& stem) {
    const auto base = std::filesystem::path(dir) / stem;
    const auto gz = std::filesystem::path(dir) / (stem + ".gz");
    if (std::filesystem::exists(gz)) return gz.string();
    if (std::filesystem::exists(base)) return base.string();
    throw file_error(gz.string(), "cannot open the file: not found (nor " + base.filename().string() +
                                      " without .gz); for Fashion-MNIST install Debian's dataset-fashion-mnist");
}

}  // namespace

IdxHeader read_idx_header(const std::string& path) {
    IdxFile f(path);
    unsigned char magic[4];
    if (f.read(magic, 4) < 4) throw byte_error(path, 0, "the file is too short for an IDX header");
    if (magic[0] != 0 || magic[1] != 0 || magic[3] == 0 || magic[3] > 4)
        throw byte_error(path, 0, "wrong magic number " + hex32(big_endian(magic)) + ": not an IDX file");
    IdxHeader h;
    h.type = magic[2];
    h.gzip = f.gzip();
    for (int d = 0; d < magic[3]; ++d) {
        unsigned char b[4];
        f.read_exact(b, 4, "the header's dimension " + std::to_string(d + 1));
        h.dims.push_back(big_endian(b));
    }
    return h;
}

Tensor load_idx_images(const std::string& path, std::size_t max_count) {
    std::size_t rows = 0, cols = 0;
    return read_images(path, max_count, rows, cols);
}

std::vector<int> load_idx_labels(const std::string& path, std::size_t max_count) {
    IdxFile f(path);
    const IdxHeader h = read_header(f, 1, "labels");
    const std::size_t count = max_count > 0 ? std::min(max_count, h.dims[0]) : h.dims[0];
    // In chunks, for the same reason as the images: the count in the header may be a lie.
    std::vector<int> labels;
    labels.reserve(std::min(count, std::size_t{1} << 20));
    unsigned char buf[1 << 16];
    for (std::size_t first = 0; first < count; first += sizeof buf) {
        const std::size_t n = std::min(sizeof buf, count - first);
        f.read_exact(buf, n, std::to_string(count) + " labels");
        labels.insert(labels.end(), buf, buf + n);
    }
    if (count == h.dims[0]) check_no_trailing_bytes(f, count, "labels");
    return labels;
}

ImageSet load_idx_dataset(const std::string& dir, const std::string& split, std::size_t max_count,
                          std::vector<std::string> class_names) {
    const std::string s = split == "test" ? "t10k" : split;
    if (s != "train" && s != "t10k")
        throw ValueError("load_idx_dataset: split must be \"train\" or \"t10k\" (or \"test\"), got \"" + split + "\"");
    ImageSet set;
    set.images_file = find_file(dir, s + "-images-idx3-ubyte");
    set.labels_file = find_file(dir, s + "-labels-idx1-ubyte");
    set.images = read_images(set.images_file, max_count, set.rows, set.cols);
    set.labels = load_idx_labels(set.labels_file, max_count);
    set.class_names = std::move(class_names);
    if (set.labels.size() != set.images.rows())
        throw file_error(set.labels_file, "has " + std::to_string(set.labels.size()) + " labels but " +
                                              set.images_file + " has " + std::to_string(set.images.rows()) +
                                              " images: the two files do not belong together");
    for (std::size_t k = 0; k < set.labels.size(); ++k)
        if (static_cast<std::size_t>(set.labels[k]) >= set.class_names.size())
            throw byte_error(set.labels_file, 8 + k,
                             "label " + std::to_string(set.labels[k]) + " of item " + std::to_string(k) +
                                 " is outside the " + std::to_string(set.class_names.size()) + " classes");
    return set;
}

const std::vector<std::string>& fashion_mnist_classes() {
    static const std::vector<std::string> names = {"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                                                   "Sandal",      "Shirt",   "Sneaker",  "Bag",   "Ankle boot"};
    return names;
}

namespace {
// (Fashion-)MNIST's images are 28 x 28: another size is another data set, refused here with
// its file named (not later, by a model's first layer, as a mismatch of shapes).
ImageSet require_28x28(ImageSet set) {
    if (set.rows != 28 || set.cols != 28)
        throw file_error(set.images_file, "holds images of " + std::to_string(set.rows) + " x " + std::to_string(set.cols) +
                                              " pixels, not the 28 x 28 of (Fashion-)MNIST (another data set in this folder?)");
    return set;
}
}  // namespace

ImageSet fashion_mnist(const std::string& split, std::size_t max_count, const std::string& dir) {
    return require_28x28(load_idx_dataset(dir, split, max_count, fashion_mnist_classes()));
}

bool fashion_mnist_available(const std::string& dir) {
    for (const char* stem : {"train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte",
                             "t10k-labels-idx1-ubyte"}) {
        const auto p = std::filesystem::path(dir) / stem;
        if (!std::filesystem::exists(p) && !std::filesystem::exists(p.string() + ".gz")) return false;
    }
    return true;
}

ImageSet mnist(const std::string& dir, const std::string& split, std::size_t max_count) {
    return require_28x28(load_idx_dataset(dir, split, max_count, {"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"}));
}

}  // namespace hg::data
