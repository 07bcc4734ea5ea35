// The test runner: doctest's own main(). Each tests/test_*.cpp holds one module's cases.
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>
