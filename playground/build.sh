#!/usr/bin/env bash
# playground/build.sh OUT_DIR — the playground's engine for WebAssembly: compiles hourglass's
# tensor, autograd, nn, data and models code and playground/engine/ with Emscripten (em++)
# into OUT_DIR/hourglass.js + OUT_DIR/hourglass.wasm. `./lab playground` calls it.
#
# How: it writes build-wasm/build.ninja (one em++ -c per source, header dependencies from
# -MD, then one link) and runs ninja, so a second build recompiles only what changed.
#   -O3 -msimd128       optimised, with WebAssembly's 128-bit vectors where the compiler finds them
#   no -fopenmp         one thread: the kernels' portable paths (no OpenMP, no AVX)
#   -DHG_NO_ZLIB        Emscripten's zlib is a port it would download; the IDX reader then
#                       reads uncompressed files only (the site ships them so)
#   -fwasm-exceptions   the engine catches every error and answers {"ok": false, ...}; with
#                       WebAssembly's own exceptions (browsers since 2021-22) a call costs
#                       nothing extra, where Emscripten's JavaScript ones (-fexceptions) route
#                       every call that might throw through JavaScript: the course net's
#                       step took 2-3 times as long
#   -sMODULARIZE -sEXPORT_NAME=createHourglass -sENVIRONMENT=web,worker: a loader function
#                       for a page or a Web Worker (the page runs it in a Worker)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
out=${1:?usage: playground/build.sh OUT_DIR}
build=${HG_WASM_BUILD:-build-wasm}

command -v em++ >/dev/null || { echo "playground/build.sh: em++ not found (Debian: apt-get install emscripten)" >&2; exit 1; }
# Debian's emcc runs on node and needs Debian's node modules when node is not Debian's own.
export NODE_PATH=${NODE_PATH:-/usr/share/nodejs}

sources=(
  tensor/shape.cpp tensor/rng.cpp tensor/tensor.cpp tensor/elementwise.cpp tensor/reduce.cpp tensor/print.cpp
  tensor/parallel.cpp tensor/float_mode.cpp tensor/matmul.cpp tensor/linalg.cpp tensor/format.cpp
  tensor/kernels/gemm_small.cpp tensor/kernels/gemm_blocked.cpp tensor/kernels/pool.cpp tensor/kernels/masked_squares.cpp
  tensor/kernels/im2col.cpp
  autograd/var.cpp autograd/anomaly.cpp autograd/ops_elementwise.cpp autograd/ops_matmul.cpp autograd/ops_reduce.cpp
  autograd/ops_activation.cpp autograd/ops_conv.cpp autograd/ops_loss.cpp
  nn/module.cpp nn/init.cpp nn/linear.cpp nn/dropout.cpp nn/optimizer.cpp nn/sgd.cpp nn/rmsprop.cpp nn/adam.cpp
  data/text.cpp data/rating_set.cpp data/movielens.cpp data/movies.cpp data/ratings.cpp data/baselines.cpp
  data/idx.cpp data/builtin.cpp
  models/vae.cpp models/recommender.cpp
  playground/engine/playground.cpp playground/engine/bindings.cpp
)

mkdir -p "$build/include" "$out"
# nlohmann-json is header-only: em++'s own sysroot has no /usr/include, so link its folder in.
[ -e "$build/include/nlohmann" ] || ln -s /usr/include/nlohmann "$build/include/nlohmann"

cflags="-include $PWD/playground/engine/libcxx_compat.hpp -std=c++20 -O3 -msimd128 -fwasm-exceptions -fno-math-errno -DNDEBUG -DHG_NO_ZLIB -I$PWD -I$PWD/$build/include -Wall -Wextra -Wno-unused-command-line-argument"
lflags="${HG_WASM_LDFLAGS:-} -O3 -fwasm-exceptions --bind -sMODULARIZE=1 -sEXPORT_NAME=createHourglass -sENVIRONMENT=web,worker -sALLOW_MEMORY_GROWTH=1 -sINITIAL_MEMORY=67108864"
{
  echo "# written by playground/build.sh: edit that script, not this file"
  echo "rule cxx"
  echo "  command = em++ $cflags -MD -MF \$out.d -c \$in -o \$out"
  echo "  depfile = \$out.d"
  echo "  deps = gcc"
  echo "  description = em++ \$in"
  echo "rule link"
  echo "  command = em++ $lflags \$in -o \$out"
  echo "  description = linking \$out"
  objs=()
  for s in "${sources[@]}"; do
    o=obj/${s%.cpp}.o
    objs+=("$o")
    echo "build $o: cxx $PWD/$s"
  done
  echo "build hourglass.js | hourglass.wasm: link ${objs[*]}"
} > "$build/build.ninja.new"
# Rewritten only when it changed, so that ninja's record of the last build stays valid.
if cmp -s "$build/build.ninja.new" "$build/build.ninja"; then rm "$build/build.ninja.new"; else mv "$build/build.ninja.new" "$build/build.ninja"; fi

ninja -C "$build" ${HG_WASM_JOBS:+-j "$HG_WASM_JOBS"}
cp "$build/hourglass.js" "$build/hourglass.wasm" "$out/"
