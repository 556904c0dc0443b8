#!/usr/bin/env bash
# Builds the libFuzzer targets (tests/fuzz, clang, -fsanitize=fuzzer,address,undefined) into their
# own folder and runs one of them on its seed corpus for a bounded time.
#   scripts/fuzz.sh TARGET [SECONDS]     TARGET: fuzz_profile or just profile; SECONDS default 60
#   scripts/fuzz.sh --list               the targets
#   scripts/fuzz.sh --build              only build them all
# New inputs go to $build/corpus/TARGET (the committed corpus under tests/fuzz/corpus is only read);
# a crashing input is written to $build/artifacts/TARGET/. Extra libFuzzer flags: FUZZ_FLAGS="...".
# Exit status: libFuzzer's (0: nothing found; 70: a slow input (-timeout); others: a finding),
# 3 when clang or libFuzzer is not installed (scripts/install-deps.sh installs them).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${TAILPRUNE_FUZZ_BUILD_DIR:-$root/build-fuzz}
jobs=${TAILPRUNE_JOBS:-$(nproc)}

usage() { sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'; exit 2; }
[ $# -ge 1 ] || usage

targets() { (cd "$root/tests/fuzz" && ls fuzz_*.cpp | sed 's/\.cpp$//' | grep -vx fuzz_bodies); }

have_libfuzzer() {
  command -v clang++ >/dev/null 2>&1 || { echo "clang++ is not installed" >&2; return 1; }
  local probe
  probe=$(mktemp -d)
  printf '#include <cstdint>\n#include <cstddef>\nextern "C" int LLVMFuzzerTestOneInput(const uint8_t*, size_t) { return 0; }\n' > "$probe/p.cpp"
  if ! clang++ -fsanitize=fuzzer,address,undefined "$probe/p.cpp" -o "$probe/p" 2>"$probe/err"; then
    echo "clang++ cannot link -fsanitize=fuzzer,address,undefined (libclang-rt-14-dev missing?): $(head -n 3 "$probe/err")" >&2
    rm -rf "$probe"; return 1
  fi
  rm -rf "$probe"
}

build_targets() {
  have_libfuzzer || exit 3
  if [ ! -f "$build/CMakeCache.txt" ]; then
    CXX=clang++ cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=None -DTAILPRUNE_FUZZ=ON
  fi
  cmake --build "$build" -j "$jobs" "$@"
}

case "$1" in
  --list) targets; exit 0 ;;
  --build) build_targets; exit 0 ;;
  -*) usage ;;
esac

target=$1
case "$target" in fuzz_*) ;; *) target=fuzz_$target ;; esac
targets | grep -qx -- "$target" || { echo "no fuzz target '$1' (scripts/fuzz.sh --list)" >&2; exit 2; }
seconds=${2:-60}
case "$seconds" in ''|*[!0-9]*) echo "SECONDS must be a whole number" >&2; exit 2 ;; esac

build_targets --target "$target"
work="$build/corpus/$target"
artifacts="$build/artifacts/$target"
mkdir -p "$work" "$artifacts"
# -timeout: one input taking longer is a finding of its own (exit 70); -rss_limit_mb: an input
# that makes the parser allocate more than this is one too (the limits should stop it first).
# The inputs fuzzers once crashed on (tests/fuzz/regressions) are seeds too, so each run replays
# them under the sanitizers first.
seeds=("$root/tests/fuzz/corpus/$target")
[ -d "$root/tests/fuzz/regressions/$target" ] && seeds+=("$root/tests/fuzz/regressions/$target")
# shellcheck disable=SC2086  # FUZZ_FLAGS is a list of flags
exec "$build/tests/fuzz/$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2560 \
  -print_final_stats=1 -artifact_prefix="$artifacts/" ${FUZZ_FLAGS:-} \
  "$work" "${seeds[@]}"
