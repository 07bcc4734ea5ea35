// Test cases that need something a machine may lack: a data set or a program.
//
//   TEST_CASE("movielens: ..." * hg::test::requires_movielens()) {
//       const std::string dir = hg::test::movielens_100k_dir();
//
// Where it is missing, doctest skips the test case and counts it in its "N skipped"; the
// test program then says once, after the run, what was missing and how to provide it.
#pragma once

#include <doctest/doctest.h>

#include <initializer_list>
#include <string>

namespace hg::test {

// The MovieLens ml-100k folder under $HG_DATA (".../ml-100k"), or "" when it is not there.
std::string movielens_100k_dir();

// doctest's skip decorator: skips the test case unless ml-100k is under $HG_DATA.
doctest::skip requires_movielens();
// ... unless Fashion-MNIST is installed (Debian's dataset-fashion-mnist).
doctest::skip requires_fashion_mnist();
// ... unless /usr/bin/python3 has PyTorch (the differential tests against it).
doctest::skip requires_torch();
// ... unless each program is on the PATH.
doctest::skip requires_programs(std::initializer_list<const char*> programs);

// Prints, for each missing thing, how many test cases it skipped and how to provide it.
void report_missing();

}  // namespace hg::test
