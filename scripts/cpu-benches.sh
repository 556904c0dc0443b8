#!/usr/bin/env bash
# The checks against reality on this CPU with the shipped model (issues 8, 10, 13), each printing
# figures measured in this run into OUT_DIR (default /tmp/tailprune-benches):
#   scripts/cpu-benches.sh [BUILD_DIR] latency|pruning|calibrate|accuracy ...
# latency: bench_latency_prediction (timing: run it on a quiet machine, alone)
# pruning: bench_pruning_accuracy on the full test split, two processes (rows split)
# calibrate: tailprune calibrate for every method (time reported), into the model folder
# accuracy: bench_accuracy_prediction on held-out schedules, full test split
set -uo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
build="${1:-$here/build}"; shift || true
out="${OUT_DIR:-/tmp/tailprune-benches}"
mkdir -p "$out"
cli="$build/app/tailprune"
weights="$here/resources/models/fmnist_vit8/fmnist_vit8.safetensors"
profile="${LATENCY_PROFILE:-$here/profiles/cpu-2core_fmnist_vit8_fp32_b1.json.gz}"
methods=(pomt pomt_nomerge topk zerotprune tome random)
cmake --build "$build" --target bench_latency_prediction bench_pruning_accuracy bench_accuracy_prediction > "$out/build.log" 2>&1 ||
    { echo "bench build failed: $out/build.log" >&2; exit 1; }
for what in "$@"; do
    t0=$SECONDS
    case "$what" in
        latency)
            "$build/tests/predict/bench_latency_prediction" --profile "$profile" --cli "$cli" --weights "$weights" \
                --schedules "${SCHEDULES:-60}" --measure-rounds 2 --save-measurements "$out/latency-measurements.json" \
                --save-calibration "$out/latency.calibration.json" > "$out/latency.md" 2> "$out/latency.log" ;;
        pruning)
            # the bench's 8 schedule rows, split over the two cores
            "$build/tests/pruning/bench_pruning_accuracy" "$weights" 0 0 3 > "$out/pruning-a.md" 2> "$out/pruning-a.log" &
            "$build/tests/pruning/bench_pruning_accuracy" "$weights" 0 4 7 > "$out/pruning-b.md" 2> "$out/pruning-b.log"
            wait ;;
        calibrate)
            args=(calibrate --weights "$weights")
            for m in "${methods[@]}"; do args+=(--method "$m"); done
            /usr/bin/time -v "$cli" "${args[@]}" > "$out/calibrate.txt" 2> "$out/calibrate.log" ;;
        accuracy)
            cal="${weights%.safetensors}.accuracy-calibration.json"
            "$build/tests/accuracy/bench_accuracy_prediction" --weights "$weights" --calibration "$cal" --cli "$cli" \
                --schedules "${SCHEDULES:-60}" > "$out/accuracy.md" 2> "$out/accuracy.log" ;;
        *) echo "unknown: $what" >&2 ;;
    esac
    echo "$what: $((SECONDS - t0)) s (exit $?) -> $out" >&2
done
