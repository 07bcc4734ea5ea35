#include "data/text.hpp"

#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstring>
#include <fstream>

#include <sys/stat.h>

#include "data/error.hpp"

namespace hg::data {

void require_regular_file(const std::string& path, const char* expected) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) return;  // missing or unreadable: the open says why
    if (S_ISREG(st.st_mode)) return;
    const char* kind = S_ISDIR(st.st_mode)    ? "a folder"
                       : S_ISFIFO(st.st_mode) ? "a FIFO (named pipe)"
                       : S_ISSOCK(st.st_mode) ? "a socket"
                       : S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode) ? "a device"
                                                                     : "not a regular file";
    throw file_error(path, std::string("is ") + kind + ", expected " + expected);
}

}  // namespace hg::data

namespace hg::data::text {

std::string read_file(const std::string& path, const char* what) {
    require_regular_file(path, what);
    std::ifstream in(path, std::ios::binary | std::ios::ate);
    if (!in) throw file_error(path, std::string("cannot open the file: ") + std::strerror(errno));
    const std::streamoff size = in.tellg();
    if (size < 0) throw file_error(path, "cannot read the file (not a regular file?)");
    std::string content(static_cast<std::size_t>(size), '\0');
    in.seekg(0);
    if (!in.read(content.data(), size)) throw file_error(path, "cannot read the file");
    return content;
}

bool LineCursor::next(std::string_view& line) {
    if (pos_ == 0 && text_.starts_with("\xEF\xBB\xBF")) pos_ = 3;  // a UTF-8 byte-order mark
    if (pos_ >= text_.size()) return false;
    std::size_t end = text_.find('\n', pos_);
    if (end == std::string_view::npos) end = text_.size();
    line = text_.substr(pos_, end - pos_);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    pos_ = end + 1;
    ++number_;
    return true;
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

bool is_blank(std::string_view s) { return trim(s).empty(); }

bool parse_int(std::string_view s, std::int64_t& out) {
    if (s.empty()) return false;
    const char* first = s.data();
    if (*first == '+') ++first;  // from_chars refuses a leading '+'
    const auto [ptr, ec] = std::from_chars(first, s.data() + s.size(), out);
    return ec == std::errc() && ptr == s.data() + s.size();
}

bool parse_float(std::string_view s, float& out) {
    if (s.empty()) return false;
    const char* first = s.data();
    if (*first == '+') ++first;
    const auto [ptr, ec] = std::from_chars(first, s.data() + s.size(), out, std::chars_format::general);
    return ec == std::errc() && ptr == s.data() + s.size() && std::isfinite(out);
}

const char* number_problem(std::string_view s, bool integer) {
    const char* first = s.data();
    if (!s.empty() && *first == '+') ++first;
    std::errc ec;
    if (integer) {
        std::int64_t i;
        ec = std::from_chars(first, s.data() + s.size(), i).ec;
    } else {
        float f;
        ec = std::from_chars(first, s.data() + s.size(), f, std::chars_format::general).ec;
    }
    return ec == std::errc::result_out_of_range ? "out-of-range" : "non-numeric";
}

std::vector<std::string_view> split(std::string_view line, std::string_view sep) {
    std::vector<std::string_view> fields;
    std::size_t start = 0;
    while (true) {
        const std::size_t at = line.find(sep, start);
        if (at == std::string_view::npos) {
            fields.push_back(line.substr(start));
            return fields;
        }
        fields.push_back(line.substr(start, at - start));
        start = at + sep.size();
    }
}

std::size_t split(std::string_view line, std::string_view sep, std::string_view* out, std::size_t max) {
    std::size_t n = 0, start = 0;
    while (true) {
        const std::size_t at = line.find(sep, start);
        const std::size_t end = at == std::string_view::npos ? line.size() : at;
        if (n < max) out[n] = line.substr(start, end - start);
        ++n;
        if (at == std::string_view::npos) return n;
        start = at + sep.size();
    }
}

bool split_csv(std::string_view line, std::vector<std::string>& fields) {
    fields.clear();
    std::size_t i = 0;
    while (true) {
        std::string field;
        if (i < line.size() && line[i] == '"') {
            ++i;  // a quoted field: runs to the closing quote; "" is a literal quote
            while (true) {
                if (i >= line.size()) return false;  // no closing quote
                if (line[i] == '"') {
                    if (i + 1 < line.size() && line[i + 1] == '"') {
                        field += '"';
                        i += 2;
                        continue;
                    }
                    ++i;
                    break;
                }
                field += line[i++];
            }
            if (i < line.size() && line[i] != ',') return false;  // text after the closing quote
        } else {
            const std::size_t end = std::min(line.find(',', i), line.size());
            field.assign(line.substr(i, end - i));
            i = end;
        }
        fields.push_back(std::move(field));
        if (i >= line.size()) return true;
        ++i;  // the comma
    }
}

bool is_utf8(std::string_view s) {
    std::size_t i = 0;
    while (i < s.size()) {
        const auto c = static_cast<unsigned char>(s[i]);
        std::size_t extra;
        if (c < 0x80) extra = 0;
        else if ((c & 0xE0) == 0xC0 && c >= 0xC2) extra = 1;
        else if ((c & 0xF0) == 0xE0) extra = 2;
        else if ((c & 0xF8) == 0xF0 && c <= 0xF4) extra = 3;
        else return false;
        if (i + extra >= s.size()) return false;  // the sequence runs past the end
        for (std::size_t k = 1; k <= extra; ++k)
            if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return false;
        i += extra + 1;
    }
    return true;
}

std::string latin1_to_utf8(std::string_view s) {
    std::string out;
    out.reserve(s.size() + s.size() / 8);
    for (const char ch : s) {
        const auto c = static_cast<unsigned char>(ch);
        if (c < 0x80) {
            out += ch;
        } else {  // U+0080..U+00FF: two bytes 110000xx 10xxxxxx
            out += static_cast<char>(0xC0 | (c >> 6));
            out += static_cast<char>(0x80 | (c & 0x3F));
        }
    }
    return out;
}

std::string to_utf8(std::string_view s) { return is_utf8(s) ? std::string(s) : latin1_to_utf8(s); }

}  // namespace hg::data::text
