#!/usr/bin/env bash
# CI step of ./test: builds the libFuzzer targets (scripts/fuzz.sh) and runs each on its seed
# corpus for TAILPRUNE_FUZZ_SECONDS (default 10). Skips with a message when clang or libFuzzer is
# missing, or when TAILPRUNE_CI_FUZZ=0. Fails only on a finding (a crash, a sanitizer report, an
# uncaught exception, an input past the memory limit); a slow input (libFuzzer's -timeout, exit 70)
# is reported as a warning. Longer runs: scripts/fuzz.sh TARGET SECONDS.
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
seconds=${TAILPRUNE_FUZZ_SECONDS:-10}
if [ "${TAILPRUNE_CI_FUZZ:-1}" = 0 ]; then
  echo "fuzz: skipped (TAILPRUNE_CI_FUZZ=0)"
  exit 0
fi
start=$(date +%s)
"$root/scripts/fuzz.sh" --build
rc=$?
if [ $rc -eq 3 ]; then
  echo "fuzz: skipped: clang/libFuzzer unavailable (scripts/install-deps.sh installs clang and libclang-rt-14-dev)"
  exit 0
elif [ $rc -ne 0 ]; then
  echo "fuzz: the fuzz targets did not build (exit $rc)"
  exit 1
fi
echo "fuzz: build took $(( $(date +%s) - start )) s"
logs=${TAILPRUNE_FUZZ_BUILD_DIR:-$root/build-fuzz}/ci-logs
mkdir -p "$logs"
failed=()
for target in $("$root/scripts/fuzz.sh" --list); do
  t0=$(date +%s)
  "$root/scripts/fuzz.sh" "$target" "$seconds" >"$logs/$target.log" 2>&1
  rc=$?
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$logs/$target.log" | tail -n 1)
  cov=$(grep -o 'cov: [0-9]* ft: [0-9]*' "$logs/$target.log" | tail -n 1)
  case $rc in
    0) echo "fuzz: $target ok, ${execs:-?} runs, ${cov:-no coverage line}, $(( $(date +%s) - t0 )) s" ;;
    70) echo "fuzz: $target WARNING: a slow input (over 10 s), see $logs/$target.log" ;;
    *) echo "fuzz: $target FOUND A PROBLEM (exit $rc):"
       grep -E 'ERROR|SUMMARY|runtime error|terminate|Test unit written' "$logs/$target.log" | head -n 20
       failed+=("$target") ;;
  esac
done
echo "fuzz: took $(( $(date +%s) - start )) s"
if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz: findings in ${failed[*]} (reproduce: build-fuzz/tests/fuzz/TARGET ARTIFACT; fix, and keep the input in tests/fuzz/regressions/)"
  exit 1
fi
exit 0
