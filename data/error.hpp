// hg::DataError — a data file that cannot be read as what it claims to be.
//
// Every message names the file, where in it (the line for text files, the byte offset for
// binary IDX files), what was wrong, and the offending text:
//
//   ml-100k/u1.base:17: rating outside the format's range: ml-100k ratings are whole stars 1..5 (got '6')
//   train-images-idx3-ubyte.gz: byte 0: wrong magic number 0x00000801: expected 0x00000803 (IDX images)
//   ratings.csv: cannot open the file: No such file or directory
//
// Misuse of the API (a bad argument rather than a bad file) throws hg::ValueError or
// hg::IndexError from tensor/error.hpp instead.
#pragma once

#include <cstddef>
#include <stdexcept>
#include <string>
#include <string_view>

namespace hg {

struct DataError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

namespace data {

// The offending text, shortened to a readable length and with control characters shown
// as escapes, so that a binary or very long line cannot flood the message.
inline std::string quoted(std::string_view text, std::size_t max_chars = 80) {
    std::string out;
    for (std::size_t i = 0; i < text.size() && i < max_chars; ++i) {
        const char c = text[i];
        if (c == '\t') out += "\\t";
        else if (c == '\r') out += "\\r";
        else if (static_cast<unsigned char>(c) < 0x20) out += '?';
        else out += c;
    }
    if (text.size() > max_chars) out += "...";
    return "'" + out + "'";
}

// "<file>:<line>: <what> (got '<text>')"
inline DataError line_error(const std::string& file, std::size_t line, const std::string& what, std::string_view got) {
    return DataError(file + ":" + std::to_string(line) + ": " + what + " (got " + quoted(got) + ")");
}

// "<file>: byte <offset>: <what>"
inline DataError byte_error(const std::string& file, std::size_t offset, const std::string& what) {
    return DataError(file + ": byte " + std::to_string(offset) + ": " + what);
}

// "<file>: <what>" — for problems with the file as a whole (missing, empty).
inline DataError file_error(const std::string& file, const std::string& what) {
    return DataError(file + ": " + what);
}

// Throws file_error unless path names a regular file (after following links): a folder,
// a FIFO, a socket or a device is refused before it is opened, since opening a FIFO blocks
// until something writes to it and reading a folder gives nonsense. Missing files pass,
// for the caller's open to report with its own reason.
void require_regular_file(const std::string& path, const char* expected);

}  // namespace data
}  // namespace hg
