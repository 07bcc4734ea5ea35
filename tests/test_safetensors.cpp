// Checkpoints in the safetensors format: the byte layout, a bit-exact round trip, atomic
// writes, and a clear error — with the model untouched — for every kind of bad file.
#include <doctest/doctest.h>

#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include <sys/wait.h>
#include <unistd.h>

#include "nn/activation.hpp"
#include "nn/linear.hpp"
#include "nn/module.hpp"
#include "nn/safetensors.hpp"
#include "nn/sequential.hpp"
#include "temp_dir.hpp"

namespace fs = std::filesystem;
using hg::Tensor;
using hg::Var;

namespace {

// A fresh directory for each test case, removed at its end.
struct TempDir : hg::test::TempDir {
    TempDir() : hg::test::TempDir("safetensors") {}
};

void write_bytes(const std::string& path, const std::string& bytes) {
    std::ofstream f(path, std::ios::binary);
    f.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

// A file made by hand: the 8-byte little-endian length of `header`, the header, then
// `data_bytes` bytes of data.
std::string raw_file(const std::string& header, std::size_t data_bytes, std::uint64_t claimed_length = UINT64_MAX) {
    const std::uint64_t n = claimed_length == UINT64_MAX ? header.size() : claimed_length;
    std::string out;
    for (int b = 0; b < 8; ++b) out += static_cast<char>((n >> (8 * b)) & 0xff);
    return out + header + std::string(data_bytes, '\x01');
}

// The model the corrupt files are tried on: "0.weight" (3x2), "0.bias" (3).
std::shared_ptr<hg::Sequential> small_model(std::uint64_t seed) {
    hg::Rng rng(seed);
    return hg::sequential({std::make_shared<hg::Linear>(2, 3, rng), std::make_shared<hg::Tanh>()});
}

std::vector<std::vector<float>> snapshot(const hg::Module& m) {
    std::vector<std::vector<float>> out;
    for (const Var& p : m.parameters()) out.push_back(p.value().to_vector());
    return out;
}

const std::string kWeight = R"("0.weight":{"dtype":"F32","shape":[3,2],"data_offsets":[0,24]})";
const std::string kBias = R"("0.bias":{"dtype":"F32","shape":[3],"data_offsets":[24,36]})";

}  // namespace

TEST_CASE("safetensors: the file layout is the published format") {
    TempDir dir;
    const std::string path = dir.file("model.safetensors");
    auto model = small_model(1);
    hg::save(*model, path);
    const std::string bytes = hg::test::TempDir::read(path);
    REQUIRE(bytes.size() >= 8);
    std::uint64_t n = 0;
    for (int b = 0; b < 8; ++b) n |= static_cast<std::uint64_t>(static_cast<unsigned char>(bytes[b])) << (8 * b);
    CHECK((8 + n) % 8 == 0);                     // the header is padded so the data is aligned
    CHECK(bytes.size() == 8 + n + (6 + 3) * 4);  // header, then 9 floats
    const std::string header = bytes.substr(8, n);
    CHECK(header.find(R"({"__metadata__":{"format":"pt"},)" + kWeight + "," + kBias + "}") == 0);
    // The data: the weight row by row, then the bias, as raw little-endian floats.
    std::vector<float> data(9);
    std::memcpy(data.data(), bytes.data() + 8 + n, 36);
    std::vector<float> expected = model->parameters()[0].value().to_vector();
    for (float b : model->parameters()[1].value().storage()) expected.push_back(b);
    CHECK(data == expected);
    // No temporary file is left behind.
    CHECK(std::distance(fs::directory_iterator(dir.path()), fs::directory_iterator()) == 1);
}

TEST_CASE("safetensors: save then load reproduces a model's outputs bit for bit") {
    TempDir dir;
    const std::string path = dir.file("ae.safetensors");
    hg::Rng rng(3);
    auto make = [](hg::Rng& r) {
        return hg::sequential({std::make_shared<hg::Linear>(7, 4, r), std::make_shared<hg::Sigmoid>(),
                               std::make_shared<hg::Linear>(4, 2, r, hg::LinearOptions().bias(false)),
                               std::make_shared<hg::ELU>(), std::make_shared<hg::Linear>(2, 7, r)});
    };
    auto original = make(rng);
    hg::Rng other(99);
    auto restored = make(other);
    const Var x = Var::constant(Tensor::normal({5, 7}, 0, 1, rng));
    CHECK_FALSE((*original)(x).value().storage() == (*restored)(x).value().storage());

    hg::save(*original, path);
    hg::load(*restored, path);
    CHECK((*original)(x).value().storage() == (*restored)(x).value().storage());  // exact, not approximate
    CHECK(snapshot(*original) == snapshot(*restored));

    // Loading writes into the existing parameters: an optimiser holding them sees the values.
    const Var w = restored->parameters()[0];
    hg::load(*restored, path);
    CHECK(w.value().storage() == original->parameters()[0].value().storage());

    // Saving again over the file replaces it.
    original->parameters()[0].mutable_value()[0] += 1.0f;
    hg::save(*original, path);
    hg::load(*restored, path);
    CHECK(snapshot(*original) == snapshot(*restored));
}

TEST_CASE("safetensors: named tensors of any rank, metadata, and the empty tensor") {
    TempDir dir;
    const std::string path = dir.file("t.safetensors");
    hg::Rng rng(4);
    const hg::NamedTensors tensors = {{"scalar", Tensor::scalar(3.5f)},
                                      {"vector", Tensor::normal({5}, 0, 1, rng)},
                                      {"empty", Tensor(hg::Shape{0, 3})},
                                      {"cube", Tensor::normal({2, 3, 4}, 0, 1, rng)}};
    hg::save_safetensors(path, tensors, {{"note", "hello"}});
    const hg::NamedTensors back = hg::load_safetensors(path);
    REQUIRE(back.size() == 4);
    for (std::size_t i = 0; i < 4; ++i) {
        CHECK(back[i].first == tensors[i].first);
        CHECK(back[i].second.shape() == tensors[i].second.shape());
        CHECK(back[i].second.storage() == tensors[i].second.storage());
    }
    CHECK_THROWS_WITH_AS(hg::save_safetensors(path, {{"a", Tensor::ones({1})}, {"a", Tensor::ones({1})}}),
                         doctest::Contains("two tensors are named 'a'"), hg::SafetensorsError);
    const std::string nowhere = dir.file("no/such/dir/m.safetensors");
    CHECK_THROWS_WITH_AS(hg::save_safetensors(nowhere, tensors),
                         doctest::Contains(("safetensors: '" + nowhere + "': cannot open").c_str()), hg::SafetensorsError);
    // A failed save leaves the old file as it was.
    CHECK(hg::load_safetensors(path).size() == 4);
}

TEST_CASE("safetensors: a file from another writer (any key order, padding, metadata) loads") {
    TempDir dir;
    const std::string path = dir.file("foreign.safetensors");
    // The bias listed first, its data last; spaces padding the header, as the reference
    // writer does; metadata of its own.
    std::string data(36, '\0');
    std::vector<float> values{1, 2, 3, 4, 5, 6, -1, -2, -3};
    std::memcpy(data.data(), values.data(), 36);
    const std::string header = "{" + kBias + R"(, "__metadata__": {"format": "pt", "source": "torch"}, )" + kWeight + "}    ";
    write_bytes(path, raw_file(header, 0) + data);
    auto model = small_model(8);
    hg::load(*model, path);
    CHECK(model->parameters()[0].value().to_vector() == std::vector<float>{1, 2, 3, 4, 5, 6});
    CHECK(model->parameters()[1].value().to_vector() == std::vector<float>{-1, -2, -3});
}

TEST_CASE("safetensors: every kind of bad file gives a precise error and leaves the model untouched") {
    TempDir dir;
    const std::string path = dir.file("bad.safetensors");
    auto model = small_model(5);
    const auto before = snapshot(*model);

    struct Bad {
        const char* what;
        std::string bytes;
        std::string message;  // must appear in the error
    };
    const std::vector<Bad> cases = {
        {"too short for the header length", std::string("\x10\x00\x00", 3),
         "the file is 3 bytes long, too short for the 8-byte header length"},
        {"header length larger than the file", raw_file("{}", 0, 4096),
         "the header length is 4096 bytes but only 2 bytes follow it: the file is truncated"},
        {"invalid JSON", raw_file(R"({"0.weight": {"dtype": "F32",)", 0), "the header is not valid JSON"},
        {"JSON but not an object", raw_file("[1, 2, 3]", 0), "the header is JSON but not an object"},
        {"dtype F64", raw_file(R"({"0.weight":{"dtype":"F64","shape":[3,2],"data_offsets":[0,48]},)" + kBias + "}", 60),
         "tensor '0.weight' has dtype F64; hourglass reads F32 (float32) only"},
        {"a field missing", raw_file(R"({"0.weight":{"dtype":"F32","shape":[3,2]},)" + kBias + "}", 36),
         "tensor '0.weight': the header entry has no \"data_offsets\""},
        {"offsets outside the file", raw_file("{" + kWeight + "," + kBias + "}", 30),
         "tensor '0.bias': data_offsets [24,36] reach past the end of the data section, which is 30 bytes"},
        {"offsets inconsistent with the shape",
         raw_file(R"({"0.weight":{"dtype":"F32","shape":[3,2],"data_offsets":[0,20]},)" + kBias + "}", 36),
         "tensor '0.weight': shape [3,2] in F32 needs 24 bytes but data_offsets [0,20] span 20"},
        {"negative offsets",
         raw_file(R"({"0.weight":{"dtype":"F32","shape":[3,2],"data_offsets":[-4,20]},)" + kBias + "}", 36),
         "tensor '0.weight': data_offsets begin is negative (-4)"},
        {"offsets ending before they begin",
         raw_file(R"({"0.weight":{"dtype":"F32","shape":[0],"data_offsets":[8,0]},)" + kBias + "}", 36),
         "data_offsets [8,0] end before they begin"},
        {"overlapping tensors",
         raw_file(R"({"0.weight":{"dtype":"F32","shape":[3,2],"data_offsets":[0,24]},"0.bias":{"dtype":"F32","shape":[3],"data_offsets":[20,32]}})", 32),
         "tensors '0.weight' [0, 24) and '0.bias' [20, 32) overlap in the data section"},
        {"a gap between tensors",
         raw_file(R"({"0.weight":{"dtype":"F32","shape":[3,2],"data_offsets":[0,24]},"0.bias":{"dtype":"F32","shape":[3],"data_offsets":[28,40]}})", 40),
         "bytes [24, 28) of the data section belong to no tensor"},
        {"bytes left over at the end", raw_file("{" + kWeight + "," + kBias + "}", 40),
         "the last 4 bytes of the data section ([36, 40)) belong to no tensor"},
        {"a name twice", raw_file("{" + kWeight + "," + kWeight + "}", 24), "the header names '0.weight' twice"},
        {"a shape that is not a list of sizes",
         raw_file(R"({"0.weight":{"dtype":"F32","shape":[3,2.5],"data_offsets":[0,24]},)" + kBias + "}", 36),
         "a dimension of shape [3,2.5] is not a whole number"},
        {"a missing tensor", raw_file(R"({"0.weight":{"dtype":"F32","shape":[3,2],"data_offsets":[0,24]}})", 24),
         "does not match the model Sequential: missing from the file: 0.bias. Nothing was loaded."},
        {"an extra tensor",
         raw_file("{" + kWeight + "," + kBias + R"(,"1.weight":{"dtype":"F32","shape":[1],"data_offsets":[36,40]}})", 40),
         "in the file but not in the model: 1.weight."},
        {"a shape that does not match the model",
         raw_file(R"({"0.weight":{"dtype":"F32","shape":[2,3],"data_offsets":[0,24]},)" + kBias + "}", 36),
         "shape mismatch: 0.weight is (2x3) in the file but (3x2) in the model."},
    };
    for (const Bad& c : cases) {
        INFO("case: " << c.what);
        write_bytes(path, c.bytes);
        CHECK_THROWS_WITH_AS(hg::load(*model, path), doctest::Contains(("safetensors: '" + path + "': ").c_str()), hg::SafetensorsError);
        CHECK_THROWS_WITH_AS(hg::load(*model, path), doctest::Contains(c.message.c_str()), hg::SafetensorsError);
        CHECK(snapshot(*model) == before);
    }
    const std::string missing = dir.file("missing.safetensors");
    CHECK_THROWS_WITH_AS(hg::load(*model, missing),
                         ("safetensors: '" + missing + "': cannot open the file: No such file or directory").c_str(),
                         hg::SafetensorsError);
    CHECK_THROWS_WITH_AS(hg::load(*model, dir.path()), doctest::Contains("not a regular file"),
                         hg::SafetensorsError);
}

TEST_CASE("safetensors: every truncation and every header byte flip fails cleanly, never half-loads") {
    TempDir dir;
    const std::string good = dir.file("good.safetensors"), bad = dir.file("bad.safetensors");
    hg::save(*small_model(6), good);
    const std::string bytes = hg::test::TempDir::read(good);
    auto model = small_model(7);
    const auto before = snapshot(*model);

    for (std::size_t len = 0; len < bytes.size(); ++len) {
        INFO("truncated to " << len << " of " << bytes.size() << " bytes");
        write_bytes(bad, bytes.substr(0, len));
        CHECK_THROWS_AS(hg::load(*model, bad), hg::SafetensorsError);
        CHECK(snapshot(*model) == before);
    }

    // Corrupt each byte of the length and the header in turn: each file is either still a
    // valid checkpoint of this model (a flip inside padding or a no-op) or an error.
    std::uint64_t n = 0;
    for (int b = 0; b < 8; ++b) n |= static_cast<std::uint64_t>(static_cast<unsigned char>(bytes[b])) << (8 * b);
    const auto good_values = snapshot(*small_model(6));
    std::size_t errors = 0;
    for (std::size_t i = 0; i < 8 + n; ++i) {
        INFO("byte " << i << " flipped");
        std::string corrupt = bytes;
        corrupt[i] = static_cast<char>(corrupt[i] ^ 0x5a);
        write_bytes(bad, corrupt);
        auto fresh = small_model(7);
        try {
            hg::load(*fresh, bad);
            CHECK(snapshot(*fresh) == good_values);  // still a valid file: it loads in full
        } catch (const hg::SafetensorsError&) {
            ++errors;
            CHECK(snapshot(*fresh) == before);  // an error: nothing loaded
        }
    }
    CHECK(errors > n / 2);
}

namespace {
// A layer with a fixed (untrained) shift saved with the model: a buffer.
class Shifted : public hg::Module {
public:
    explicit Shifted(hg::Rng& rng) : Module("Shifted") {
        layer = register_module("layer", std::make_shared<hg::Linear>(3, 2, rng));
        shift = register_buffer("shift", Tensor::from({2}, {0.5f, -1.5f}));
    }
    Var forward(const Var& x) override { return (*layer)(x) + shift; }
    std::shared_ptr<hg::Linear> layer;
    Var shift;
};
}  // namespace

TEST_CASE("module buffers: saved and loaded with the model, never trained") {
    hg::Rng rng(4);
    Shifted a(rng);
    CHECK(a.named_parameters().size() == 2);
    REQUIRE(a.named_buffers().size() == 1);
    CHECK(a.named_buffers()[0].first == "shift");
    CHECK(a.state().size() == 3);
    CHECK_FALSE(a.shift.requires_grad());
    CHECK(a.str().find("buffer shift (2)") != std::string::npos);
    TempDir dir;
    hg::save(a, dir.file("shifted.safetensors"));
    hg::Rng other(5);
    Shifted b(other);
    b.shift.mutable_value().fill(0.0f);
    hg::load(b, dir.file("shifted.safetensors"));
    CHECK(b.shift.value().storage() == a.shift.value().storage());
    const Var x = Var::constant(Tensor::from({1, 3}, {1, 2, 3}));
    CHECK(b(x).value().storage() == a(x).value().storage());
    // A file without the buffer does not fit the model.
    hg::Linear plain(3, 2, rng);
    hg::save(plain, dir.file("plain.safetensors"));
    CHECK_THROWS_AS(hg::load(b, dir.file("plain.safetensors")), hg::SafetensorsError);
}

TEST_CASE("safetensors: a header nested 100,000 deep is refused before parsing, without exhausting the stack") {
    TempDir dir;
    const std::string path = dir.file("deep.safetensors");
    const std::string deep = std::string(100000, '[') + std::string(100000, ']');
    write_bytes(path, raw_file(deep, 0));
    auto model = small_model(5);
    std::string message;
    try {
        hg::load(*model, path);
    } catch (const hg::SafetensorsError& e) {
        message = e.what();
    }
    CHECK(message.find("the header nests more than 64 levels of [ or {") != std::string::npos);
    CHECK(message.size() < 300);  // the header itself is never printed whole
    // Brackets inside strings are text, not nesting.
    write_bytes(path, raw_file(R"({"__metadata__":{"note":")" + std::string(1000, '[') + R"("}})", 0));
    CHECK(hg::read_safetensors(path).metadata.at("note") == std::string(1000, '['));
}

TEST_CASE("safetensors: a save removes only the temporaries of dead hourglass writers, never the user's files") {
    TempDir dir;
    const std::string path = dir.file("corrected.safetensors");
    const pid_t child = ::fork();
    if (child == 0) ::_exit(0);
    REQUIRE(child > 0);
    ::waitpid(child, nullptr, 0);  // a pid that no longer runs
    const std::string stale = dir.file(".corrected.safetensors.hg-partial-" + std::to_string(child));
    const std::string users = dir.file("corrected.safetensors.tmp" + std::to_string(child));
    write_bytes(stale, "half a file");
    write_bytes(users, "the user's own file");
    hg::save(*small_model(1), path);
    CHECK_FALSE(std::filesystem::exists(stale));
    CHECK(std::filesystem::exists(users));
    CHECK(std::filesystem::exists(path));
}

TEST_CASE("safetensors: a model file holding NaN or Inf is refused on load, naming the tensor and the index") {
    TempDir dir;
    const std::string path = dir.file("diverged.safetensors");
    auto saved = small_model(3);
    saved->parameters()[1].mutable_value()[2] = std::numeric_limits<float>::quiet_NaN();
    hg::save(*saved, path);
    auto model = small_model(4);
    const auto before = snapshot(*model);
    std::string message;
    try {
        hg::load(*model, path);
    } catch (const hg::SafetensorsError& e) {
        message = e.what();
    }
    CHECK(message.find("tensor '0.bias' holds NaN at flat index 2") != std::string::npos);
    CHECK(snapshot(*model) == before);  // nothing was loaded
    saved->parameters()[1].mutable_value()[2] = -std::numeric_limits<float>::infinity();
    hg::save(*saved, path);
    CHECK_THROWS_WITH_AS(hg::load(*model, path), doctest::Contains("tensor '0.bias' holds -Inf at flat index 2"),
                         hg::SafetensorsError);
}
