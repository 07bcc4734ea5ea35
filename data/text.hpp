// Small text-parsing helpers shared by the data readers (not part of the public API a
// tutorial needs): reading a whole file, walking its lines, parsing numbers strictly,
// splitting fields, CSV quoting, and latin-1 -> UTF-8.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace hg::data::text {

// The whole file as bytes. Throws DataError "<path>: cannot open the file: <reason>", or
// "<path>: is a folder, expected <what>" for anything but a regular file.
std::string read_file(const std::string& path, const char* what = "a text file");

// Walks the lines of a text held in memory; line numbers start at 1. A final line without
// a newline counts; "\r\n" endings lose their '\r'; a UTF-8 byte-order mark at the start of
// the text (as some editors save CSV files) is skipped.
//
//   LineCursor lines(content);
//   for (std::string_view line; lines.next(line);) use(lines.number(), line);
class LineCursor {
public:
    explicit LineCursor(std::string_view text) : text_(text) {}
    bool next(std::string_view& line);
    std::size_t number() const { return number_; }  // the line just returned

private:
    std::string_view text_;
    std::size_t pos_ = 0;
    std::size_t number_ = 0;
};

// Spaces and tabs removed at both ends.
std::string_view trim(std::string_view s);
bool is_blank(std::string_view s);

// Whole-field parses: the entire text must be the number (no spaces, no trailing
// characters); floats must be finite. Return false otherwise.
bool parse_int(std::string_view s, std::int64_t& out);
bool parse_float(std::string_view s, float& out);
// Why a field failed parse_int / parse_float, for the error message: "non-numeric", or
// "out-of-range" for a number too large for the type (1e40 as a float).
const char* number_problem(std::string_view s, bool integer);

// Fields separated by `sep` (a character or a string like "::"), kept as they are.
std::vector<std::string_view> split(std::string_view line, std::string_view sep);
// The same into a fixed array, without allocating: fills out[0..max) and returns the
// number of fields the line has (which may be more than max).
std::size_t split(std::string_view line, std::string_view sep, std::string_view* out, std::size_t max);

// One CSV record (RFC 4180): fields separated by commas; a field in double quotes may
// hold commas, and "" inside it stands for one quote. Returns false on an unterminated
// quote or text after a closing quote.
bool split_csv(std::string_view line, std::vector<std::string>& fields);

// Text decoding: valid UTF-8 is kept as is; anything else is read as latin-1 (ISO-8859-1)
// and converted, byte by byte, to UTF-8. MovieLens' u.item and ml-1m's movies.dat are
// latin-1 ("Misérables" is the byte 0xE9); ml-latest's files are UTF-8.
bool is_utf8(std::string_view s);
std::string latin1_to_utf8(std::string_view s);
std::string to_utf8(std::string_view s);

}  // namespace hg::data::text
