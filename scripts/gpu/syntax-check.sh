#!/usr/bin/env bash
# Compile-checks (no object code, no linking) the CUDA-only sources on a machine WITHOUT a GPU or a
# CUDA build of LibTorch: Debian's CPU LibTorch headers (they ship ATen/cuda and c10/cuda) plus a
# CUDA toolkit's headers. Catches C++ mistakes in code CI never compiles, before a GPU session
# spends device time on them. The GPU build (scripts/gpu/session.sh) uses LibTorch 2.x, so API
# differences between LibTorch versions (core/runtime/torch_compat.h) are only checked there.
#
#   scripts/gpu/syntax-check.sh [CUDA_HOME]      (default: /usr/local/cuda, else /usr/local/cuda-*)
set -euo pipefail
here="$(cd "$(dirname "$0")/../.." && pwd)"
cuda="${1:-}"
if [ -z "$cuda" ]; then
    for c in /usr/local/cuda /usr/local/cuda-*; do [ -f "$c/include/cuda_runtime_api.h" ] && { cuda="$c"; break; }; done
fi
[ -n "$cuda" ] && [ -f "$cuda/include/cuda_runtime_api.h" ] ||
    { echo "skipped: no CUDA toolkit headers (cuda_runtime_api.h) found; pass CUDA_HOME" >&2; exit 0; }
[ -f /usr/include/c10/cuda/CUDAStream.h ] ||
    { echo "skipped: LibTorch's c10/cuda headers are missing (install libtorch-dev)" >&2; exit 0; }

# Debian's CPU build omits the generated cuda_cmake_macros.h that c10/cuda/CUDAMacros.h includes.
stub="$(mktemp -d)"
trap 'rm -rf "$stub"' EXIT
mkdir -p "$stub/c10/cuda/impl"
printf '#pragma once\n#define C10_CUDA_BUILD_SHARED_LIBS\n' > "$stub/c10/cuda/impl/cuda_cmake_macros.h"

flags=(-std=c++17 -fsyntax-only -Wall -Wextra -DTAILPRUNE_HAS_CUDA=1 -DQT_NO_KEYWORDS
       "-DTAILPRUNE_SOURCE_DIR=\"$here\"" '-DTAILPRUNE_VERSION="syntax-check"' -D_GLIBCXX_USE_CXX11_ABI=1
       -I"$here" -I"$stub" -isystem /usr/include/torch/csrc/api/include -isystem "$cuda/include")
status=0
# Every source that changes under TAILPRUNE_HAS_CUDA, and the CUDA-only ones.
for f in "$here"/core/runtime/cuda/*.cpp $(grep -l "TAILPRUNE_HAS_CUDA" "$here"/core/runtime/*.cpp); do
    if c++ "${flags[@]}" "$f" 2> "$stub/out"; then
        echo "ok      ${f#"$here"/}"
    else
        echo "FAILED  ${f#"$here"/}"; grep -E "error" "$stub/out" | head -20; status=1
    fi
done
exit $status
