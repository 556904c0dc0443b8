#!/usr/bin/env bash
# Configures and builds into build/ (Release, Ninja). Shared by ./run and ./test.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${TAILPRUNE_BUILD_DIR:-$root/build}
jobs=${TAILPRUNE_JOBS:-$(nproc)}
if [ ! -f "$build/CMakeCache.txt" ]; then
  cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release "$@"
fi
cmake --build "$build" -j "$jobs"
