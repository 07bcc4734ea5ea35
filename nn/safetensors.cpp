#include "nn/safetensors.hpp"

#include <algorithm>
#include <bit>
#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <string_view>
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

namespace hg {

// The format stores little-endian numbers; hourglass copies floats as they are in memory.
static_assert(std::endian::native == std::endian::little, "safetensors I/O assumes a little-endian machine");

namespace {

constexpr std::uint64_t kMaxHeader = 100'000'000;  // the reference implementation's limit

[[noreturn]] void fail(const std::string& path, const std::string& what) {
    throw SafetensorsError("safetensors: '" + path + "': " + what);
}

std::string range(std::uint64_t begin, std::uint64_t end) {
    return "[" + std::to_string(begin) + ", " + std::to_string(end) + ")";
}

// ---------------------------------------------------------------- writing

// The temporary file a save writes before renaming it into place: ".<name>.hg-partial-<pid>"
// beside the target. The marker and the writer's pid make it recognisably hourglass's own.
std::filesystem::path temporary_for(const std::filesystem::path& target, long pid) {
    return target.parent_path() / ("." + target.filename().string() + ".hg-partial-" + std::to_string(pid));
}

// A writer killed mid-save leaves its temporary behind. Remove those of hourglass writers
// that no longer run, so that killed runs do not pile up files; nothing else is touched
// (a file of the user's own called "<name>.tmp123" stays).
void remove_stale_temporaries(const std::string& path) {
    const std::filesystem::path target(path);
    const std::filesystem::path dir = target.parent_path().empty() ? "." : target.parent_path();
    const std::string prefix = temporary_for(target.filename(), 0).filename().string();
    const std::string stem = prefix.substr(0, prefix.size() - 1);  // without the pid "0"
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
        const std::string name = entry.path().filename().string();
        if (name.size() <= stem.size() || name.compare(0, stem.size(), stem) != 0) continue;
        const std::string digits = name.substr(stem.size());
        if (digits.size() > 9 || digits.find_first_not_of("0123456789") != std::string::npos) continue;
        const pid_t pid = static_cast<pid_t>(std::stol(digits));
        if (pid != ::getpid() && ::kill(pid, 0) != 0 && errno == ESRCH && entry.is_regular_file(ec))
            std::filesystem::remove(entry.path(), ec);
    }
}

struct Item {
    const std::string* name;
    const Tensor* tensor;
};

void write_file(const std::string& path, const std::vector<Item>& items, const std::map<std::string, std::string>& metadata) {
    std::set<std::string> seen;
    for (const Item& it : items) {
        if (it.name->empty() || *it.name == "__metadata__")
            fail(path, "cannot save a tensor named '" + *it.name + "' (names must be non-empty and not __metadata__)");
        if (!seen.insert(*it.name).second) fail(path, "two tensors are named '" + *it.name + "'");
    }

    // The header, in the tensors' order (ordered_json keeps insertion order).
    nlohmann::ordered_json header = nlohmann::ordered_json::object();
    if (!metadata.empty()) header["__metadata__"] = metadata;
    std::uint64_t offset = 0;
    for (const Item& it : items) {
        const std::uint64_t bytes = it.tensor->numel() * sizeof(float);
        header[*it.name] = {{"dtype", "F32"},
                            {"shape", it.tensor->shape().to_vector()},
                            {"data_offsets", {offset, offset + bytes}}};
        offset += bytes;
    }
    std::string text = header.dump();
    text.append((8 - text.size() % 8) % 8, ' ');  // pad: the data then starts 8-byte aligned
    unsigned char length[8];
    const std::uint64_t n = text.size();
    for (int b = 0; b < 8; ++b) length[b] = static_cast<unsigned char>(n >> (8 * b));

    // Write a temporary file next to the target, flush it to disk, then rename it into
    // place: a reader sees either the old file or the whole new one, never a half file.
    remove_stale_temporaries(path);
    const std::string tmp = temporary_for(path, ::getpid()).string();
    std::FILE* f = std::fopen(tmp.c_str(), "wb");
    if (!f) fail(path, "cannot open '" + tmp + "' for writing: " + std::strerror(errno));
    bool ok = std::fwrite(length, 1, 8, f) == 8 && std::fwrite(text.data(), 1, text.size(), f) == text.size();
    for (const Item& it : items)
        if (ok && it.tensor->numel())
            ok = std::fwrite(it.tensor->data(), sizeof(float), it.tensor->numel(), f) == it.tensor->numel();
    ok = ok && std::fflush(f) == 0 && ::fsync(::fileno(f)) == 0;
    const int err = errno;
    ok = (std::fclose(f) == 0) && ok;
    if (!ok) {
        std::remove(tmp.c_str());
        fail(path, "writing '" + tmp + "' failed: " + std::strerror(err ? err : EIO));
    }
    std::error_code ec;
    std::filesystem::rename(tmp, path, ec);
    if (ec) {
        std::remove(tmp.c_str());
        fail(path, "cannot rename '" + tmp + "' into place: " + ec.message());
    }
    // The rename is a change of the folder: flush the folder too, or a power cut can undo it.
    const std::string dir = std::filesystem::path(path).parent_path().empty()
                                ? std::string(".")
                                : std::filesystem::path(path).parent_path().string();
    const int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY);
    if (dfd >= 0) {
        ::fsync(dfd);
        ::close(dfd);
    }
}

// ---------------------------------------------------------------- reading

struct Entry {
    std::string name;
    Shape shape;
    std::uint64_t begin = 0, end = 0;
};

// A header is a flat object of small objects: nothing in it nests deeper than 3. Nesting is
// limited before parsing, so that a hostile file (100,000 brackets deep) cannot exhaust the
// stack in the JSON library's recursive printing or destruction.
constexpr int kMaxDepth = 64;

// The deepest nesting of [ and { in JSON text, outside strings.
int json_depth(std::string_view text) {
    int depth = 0, deepest = 0;
    bool in_string = false;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (in_string) {
            if (c == '\\') ++i;
            else if (c == '"') in_string = false;
        } else if (c == '"') {
            in_string = true;
        } else if (c == '[' || c == '{') {
            deepest = std::max(deepest, ++depth);
            if (deepest > kMaxDepth) return deepest;
        } else if (c == ']' || c == '}') {
            --depth;
        }
    }
    return deepest;
}

// A JSON value for an error message: at most 80 characters of it.
std::string excerpt(const nlohmann::json& v) {
    std::string text = v.dump();
    if (text.size() > 80) text = text.substr(0, 77) + "...";
    return text;
}

std::uint64_t unsigned_int(const std::string& path, const nlohmann::json& v, const std::string& what) {
    if (!v.is_number_unsigned()) {
        const std::string why = v.is_number_integer() ? "is negative"
                                : v.is_number()       ? "is not a whole number"
                                                      : "is not a number";
        fail(path, what + " " + why + " (" + excerpt(v) + ")");
    }
    return v.get<std::uint64_t>();
}

Entry parse_entry(const std::string& path, const std::string& name, const nlohmann::json& e, std::uint64_t data_size) {
    const std::string who = "tensor '" + name + "'";
    if (!e.is_object()) fail(path, who + ": the header entry is not a JSON object: " + excerpt(e));
    for (const char* key : {"dtype", "shape", "data_offsets"})
        if (!e.contains(key)) fail(path, who + ": the header entry has no \"" + key + "\"");

    const nlohmann::json& dtype = e["dtype"];
    if (!dtype.is_string()) fail(path, who + ": dtype is not a string: " + excerpt(dtype));
    if (dtype.get<std::string>() != "F32")
        fail(path, who + " has dtype " + dtype.get<std::string>() +
                       "; hourglass reads F32 (float32) only. Convert before saving, e.g. in PyTorch "
                       "{k: v.float() for k, v in state_dict.items()}");

    const nlohmann::json& shape = e["shape"];
    if (!shape.is_array()) fail(path, who + ": shape is not a list: " + excerpt(shape));
    if (shape.size() > Shape::max_rank)
        fail(path, who + " has " + std::to_string(shape.size()) + " dimensions " + excerpt(shape) +
                       "; hourglass tensors have at most " + std::to_string(Shape::max_rank));
    Entry out;
    out.name = name;
    std::vector<std::size_t> dims;
    std::uint64_t numel = 1;
    for (const auto& d : shape) {
        const std::uint64_t n = unsigned_int(path, d, who + ": a dimension of shape " + excerpt(shape));
        if (n != 0 && numel > UINT64_MAX / 8 / n) fail(path, who + ": shape " + excerpt(shape) + " is impossibly large");
        numel *= n;
        dims.push_back(static_cast<std::size_t>(n));
    }
    out.shape = Shape(dims);

    const nlohmann::json& offsets = e["data_offsets"];
    if (!offsets.is_array() || offsets.size() != 2)
        fail(path, who + ": data_offsets must be a list [begin, end], got " + excerpt(offsets));
    out.begin = unsigned_int(path, offsets[0], who + ": data_offsets begin");
    out.end = unsigned_int(path, offsets[1], who + ": data_offsets end");
    if (out.begin > out.end) fail(path, who + ": data_offsets " + excerpt(offsets) + " end before they begin");
    if (out.end > data_size)
        fail(path, who + ": data_offsets " + excerpt(offsets) + " reach past the end of the data section, which is " +
                       std::to_string(data_size) + " bytes (the file is truncated or the header is wrong)");
    if (out.end - out.begin != numel * sizeof(float))
        fail(path, who + ": shape " + excerpt(shape) + " in F32 needs " + std::to_string(numel * sizeof(float)) +
                       " bytes but data_offsets " + excerpt(offsets) + " span " + std::to_string(out.end - out.begin));
    return out;
}

}  // namespace

void save_safetensors(const std::string& path, const NamedTensors& tensors,
                      const std::map<std::string, std::string>& metadata) {
    std::vector<Item> items;
    for (const auto& [name, t] : tensors) items.push_back({&name, &t});
    write_file(path, items, metadata);
}

NamedTensors load_safetensors(const std::string& path) { return read_safetensors(path).tensors; }

SafetensorsFile read_safetensors(const std::string& path) {
    std::ifstream f(path, std::ios::binary | std::ios::ate);
    if (!f) fail(path, std::string("cannot open the file: ") + std::strerror(errno));
    const std::streamoff length = f.tellg();
    if (length < 0 || std::filesystem::is_directory(path)) fail(path, "cannot read it: not a regular file");
    std::string bytes(static_cast<std::size_t>(length), '\0');
    f.seekg(0);
    if (!f.read(bytes.data(), static_cast<std::streamsize>(bytes.size()))) fail(path, "reading the file failed");

    // 1. The header length, and the header itself.
    const std::uint64_t size = bytes.size();
    if (size < 8)
        fail(path, "the file is " + std::to_string(size) +
                       " bytes long, too short for the 8-byte header length (not a safetensors file?)");
    std::uint64_t n = 0;
    for (int b = 0; b < 8; ++b) n |= static_cast<std::uint64_t>(static_cast<unsigned char>(bytes[b])) << (8 * b);
    if (n > size - 8)
        fail(path, "the header length is " + std::to_string(n) + " bytes but only " + std::to_string(size - 8) +
                       " bytes follow it: the file is truncated, or not a safetensors file");
    if (n > kMaxHeader) fail(path, "the header length " + std::to_string(n) + " is beyond the format's limit of 100 MB");
    const std::uint64_t data_start = 8 + n, data_size = size - data_start;

    // 2. The JSON (a key seen twice at the top level is an error, not silently overwritten).
    const std::string_view header_text(bytes.data() + 8, n);
    if (json_depth(header_text) > kMaxDepth)
        fail(path, "the header nests more than " + std::to_string(kMaxDepth) +
                       " levels of [ or {: not a safetensors header (which nests 3 deep)");
    std::set<std::string> keys;
    std::string duplicate;
    nlohmann::json header;
    try {
        header = nlohmann::json::parse(
            bytes.begin() + 8, bytes.begin() + static_cast<std::ptrdiff_t>(data_start),
            [&](int depth, nlohmann::json::parse_event_t event, nlohmann::json& parsed) {
                if (event == nlohmann::json::parse_event_t::key && depth == 1 && !keys.insert(parsed.get<std::string>()).second)
                    duplicate = parsed.get<std::string>();
                return true;
            });
    } catch (const nlohmann::json::exception& e) {  // a syntax error, or a number too large (found by fuzz/)
        fail(path, std::string("the header is not valid JSON: ") + e.what());
    }
    if (!header.is_object()) fail(path, "the header is JSON but not an object {...}: " + excerpt(header));
    if (!duplicate.empty()) fail(path, "the header names '" + duplicate + "' twice");

    // 3. Every entry: dtype, shape, offsets inside the data and consistent with the shape.
    std::vector<Entry> entries;
    SafetensorsFile out;
    try {
        for (const auto& [name, e] : header.items()) {
            if (name == "__metadata__") {
                if (!e.is_object()) fail(path, "__metadata__ must be an object of strings, got " + excerpt(e));
                for (const auto& [k, v] : e.items())
                    if (!v.is_string()) fail(path, "__metadata__ entry '" + k + "' must be a string, got " + excerpt(v));
                    else out.metadata[k] = v.get<std::string>();
                continue;
            }
            entries.push_back(parse_entry(path, name, e, data_size));
        }
    } catch (const nlohmann::json::exception& e) {  // anything the checks above did not foresee
        fail(path, std::string("unexpected content in the header: ") + e.what());
    }

    // 4. The tensors tile the data section exactly: no overlap, no gap, nothing left over.
    std::vector<const Entry*> by_offset;
    for (const Entry& e : entries) by_offset.push_back(&e);
    std::stable_sort(by_offset.begin(), by_offset.end(),
                     [](const Entry* a, const Entry* b) { return a->begin != b->begin ? a->begin < b->begin : a->end < b->end; });
    std::uint64_t covered = 0;
    const Entry* last = nullptr;
    for (const Entry* e : by_offset) {
        if (e->begin < covered)
            fail(path, "tensors '" + last->name + "' " + range(last->begin, last->end) + " and '" + e->name + "' " +
                           range(e->begin, e->end) + " overlap in the data section");
        if (e->begin > covered)
            fail(path, "bytes " + range(covered, e->begin) + " of the data section belong to no tensor");
        covered = e->end;
        if (e->end > e->begin || !last) last = e;
    }
    if (covered != data_size)
        fail(path, "the last " + std::to_string(data_size - covered) + " bytes of the data section (" +
                       range(covered, data_size) + ") belong to no tensor");

    // 5. Only now copy the numbers out.
    for (const Entry* e : by_offset) {
        Tensor t(e->shape);
        if (t.numel()) std::memcpy(t.data(), bytes.data() + data_start + e->begin, e->end - e->begin);
        out.tensors.emplace_back(e->name, std::move(t));
    }
    return out;
}

void save(const Module& model, const std::string& path) {
    const std::vector<NamedVar> params = model.state();
    std::vector<Item> items;
    for (const auto& [name, p] : params) items.push_back({&name, &p.value()});
    write_file(path, items, {{"format", "pt"}});
}

void load(Module& model, const std::string& path) {
    NamedTensors file = load_safetensors(path);
    std::vector<NamedVar> params = model.state();

    // Match names and shapes; collect every problem before reporting.
    std::vector<std::string> missing, unexpected, mismatched;
    std::vector<std::pair<Var, const Tensor*>> plan;
    for (auto& [name, p] : params) {
        auto it = std::find_if(file.begin(), file.end(), [&n = name](const auto& nt) { return nt.first == n; });
        if (it == file.end()) {
            missing.push_back(name);
        } else if (!(it->second.shape() == p.shape())) {
            mismatched.push_back(name + " is " + it->second.shape().str() + " in the file but " + p.shape().str() +
                                 " in the model");
        } else {
            plan.emplace_back(p, &it->second);
        }
    }
    for (const auto& [name, t] : file) {
        if (std::none_of(params.begin(), params.end(), [&n = name](const NamedVar& nv) { return nv.first == n; }))
            unexpected.push_back(name);
    }
    if (!missing.empty() || !unexpected.empty() || !mismatched.empty()) {
        auto list = [](const std::vector<std::string>& v) {
            std::string s;
            for (std::size_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + v[i];
            return s;
        };
        std::string what = "does not match the model " + model.type_name() + ":";
        if (!missing.empty()) what += " missing from the file: " + list(missing) + ";";
        if (!unexpected.empty()) what += " in the file but not in the model: " + list(unexpected) + ";";
        if (!mismatched.empty()) what += " shape mismatch: " + list(mismatched) + ";";
        what.back() = '.';
        fail(path, what + " Nothing was loaded.");
    }
    // A model with a NaN or an infinite weight predicts NaN everywhere: refuse it here, where
    // the file can still be named, rather than let it recommend "nan".
    for (const auto& [name, t] : file) {
        const float* v = t.data();
        for (std::size_t k = 0; k < t.numel(); ++k)
            if (!std::isfinite(v[k]))
                fail(path, "tensor '" + name + "' holds " + (std::isnan(v[k]) ? "NaN" : v[k] > 0 ? "+Inf" : "-Inf") + " at flat index " + std::to_string(k) +
                               ": a model with NaN or infinite weights cannot predict (was it saved from a run that "
                               "diverged?). Nothing was loaded.");
    }
    for (auto& [p, t] : plan) std::memcpy(p.mutable_value().data(), t->data(), t->numel() * sizeof(float));
}

}  // namespace hg
