// What the C++ library of Debian's Emscripten (3.1.6, an older libc++) lacks of C++20 and
// hourglass uses; playground/build.sh includes this before every file it compiles for
// WebAssembly (-include). Native builds never see it. Each piece is added only when the
// library does not declare it itself.
#pragma once

#include <cerrno>
#include <charconv>
#include <cstdlib>
#include <string>
#include <system_error>
#include <version>

#if defined(_LIBCPP_VERSION)

#if !defined(__cpp_lib_bit_cast)
namespace std {
// The bits of `from` read as a To (the compiler's builtin, which std::bit_cast wraps).
template <class To, class From>
constexpr To bit_cast(const From& from) noexcept {
    return __builtin_bit_cast(To, from);
}
}  // namespace std
#endif

#if _LIBCPP_VERSION < 170000
namespace std {
// from_chars for float (libc++ has it from version 17), by strtof in the "C" locale that a
// WebAssembly program runs in, with from_chars's rules on top: no leading space or '+', no
// "0x" prefix (it reads the "0" and stops), and the value untouched unless a number was read
// and is in range.
inline from_chars_result from_chars(const char* first, const char* last, float& value,
                                    chars_format = chars_format::general) {
    const char* p = first;
    if (p != last && *p == '-') ++p;
    const auto starts_number = [](char c) {
        return (c >= '0' && c <= '9') || c == '.' || c == 'i' || c == 'I' || c == 'n' || c == 'N';
    };
    if (p == last || !starts_number(*p)) return {first, errc::invalid_argument};
    std::string text(first, last);
    if (last - p >= 2 && p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) text.resize(static_cast<std::size_t>(p - first) + 1);
    errno = 0;
    char* end = nullptr;
    const float v = std::strtof(text.c_str(), &end);
    const char* stop = first + (end - text.c_str());
    if (stop == first) return {first, errc::invalid_argument};
    if (errno == ERANGE) return {stop, errc::result_out_of_range};
    value = v;
    return {stop, errc{}};
}
}  // namespace std
#endif

#endif  // _LIBCPP_VERSION
