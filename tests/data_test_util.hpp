// Helpers for the data tests: the message of the error a call throws.
#pragma once

#include <string>

#include "data/error.hpp"

namespace hg::test {

// The what() of the hg::DataError that f() throws; "no error" when it returns normally.
// Any other exception type propagates (and fails the test).
template <class F>
std::string data_error_of(F&& f) {
    try {
        f();
    } catch (const hg::DataError& e) {
        return e.what();
    }
    return "no error";
}

}  // namespace hg::test
