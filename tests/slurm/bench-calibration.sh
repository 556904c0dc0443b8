#!/usr/bin/env bash
# Calibration fanned out over Slurm tasks on this machine (docs/cluster.md "Measured"): brings up
# the single-host Slurm, then times `tailprune calibrate` of the shipped model's plan for one method
# as 1 task x 1 thread, 2 tasks x 1 thread and 1 task x 2 threads (ROUNDS alternations, each with
# a fresh calibration file), and prints every wall time and the fan-out's overhead line.
#   tests/slurm/bench-calibration.sh BUILD_DIR [METHOD] [SUBSET] [ROUNDS]
# CONFIGS="1x1 2x1 1x2" (the default) picks the configurations (tasks x threads) and their order;
# "ceiling" times the machine's own limit in the same sitting: one plain `evaluate` of the test split
# alone, then two at once (2 x one / two = the speed-up two independent processes get here).
set -euo pipefail
build=$(cd "${1:?usage: $0 BUILD_DIR [METHOD] [SUBSET] [ROUNDS]}" && pwd)
method=${2:-pomt}; subset=${3:-2000}; rounds=${4:-2}
src=$(cd "$(dirname "$0")/../.." && pwd)
tp="$build/app/tailprune"
weights="$src/resources/models/fmnist_vit8/fmnist_vit8.safetensors"
work=$(mktemp -d /tmp/tp-slurm-bench-XXXXXX)
chmod 0755 "$work"  # munged wants every folder above its socket searchable
trap '"$src/tests/slurm/test-slurm.sh" down "$work/slurm"; rm -rf "$work"' EXIT
"$src/tests/slurm/test-slurm.sh" up "$work/slurm"
export SLURM_CONF="$work/slurm/slurm.conf" TAILPRUNE_DEVICES="$work/devices.json"
"$tp" device add cl --slurm --agent "$tp" --env "SLURM_CONF=$SLURM_CONF" >/dev/null
echo "plan: $("$tp" calibrate --weights "$weights" --method "$method" --subset "$subset" --calibration "$work/plan.json" --plan-only 2>&1 >/dev/null)"
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
run() {  # label, then extra arguments
  local label=$1; shift
  while [ -e /tmp/HUSH_ACTIVE ]; do sleep 5; done  # another session is timing: wait
  rm -f "$work/cal.json"
  local t0 t1
  t0=$(date +%s.%N)
  "$tp" calibrate --weights "$weights" --method "$method" --subset "$subset" --calibration "$work/cal.json" "$@" \
    2> "$work/err.txt" >/dev/null
  t1=$(date +%s.%N)
  printf '%-22s %7.1f s  load %s  %s\n' "$label" "$(echo "$t1 - $t0" | bc)" "$(cut -d' ' -f1 /proc/loadavg)" \
    "$(grep '^fan-out:' "$work/err.txt" | sed 's/^fan-out: //')"
}
ceiling() {
  while [ -e /tmp/HUSH_ACTIVE ]; do sleep 5; done
  local e=("$tp" evaluate --weights "$weights" --split test --threads 1 --quiet --json) t0 t1 t2
  t0=$(date +%s.%N); "${e[@]}" >/dev/null
  t1=$(date +%s.%N); "${e[@]}" >/dev/null & "${e[@]}" >/dev/null; wait
  t2=$(date +%s.%N)
  printf '%-22s one %.1f s, two at once %.1f s: ceiling %.2fx  load %s\n' "two plain evaluates" \
    "$(echo "$t1 - $t0" | bc)" "$(echo "$t2 - $t1" | bc)" "$(echo "2 * ($t1 - $t0) / ($t2 - $t1)" | bc -l)" \
    "$(cut -d' ' -f1 /proc/loadavg)"
}
for r in $(seq "$rounds"); do
  for c in ${CONFIGS:-1x1 2x1 1x2}; do
    if [ "$c" = ceiling ]; then ceiling; continue; fi
    tasks=${c%x*} threads=${c#*x}
    run "$tasks task(s) x $threads thread(s)" --on cl --slurm-tasks "$tasks" --threads "$threads"
  done
done
