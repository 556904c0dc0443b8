#!/usr/bin/env bash
# Real CPU profiles for this machine class (LibTorch CPU, fp32, batch 1, 1 thread), written to
# profiles/. Each profile records the machine load before and after in its metadata.
#   scripts/profile-cpu.sh [BUILD_DIR] [deit_tiny|deit_tiny_cuts|deit_small|deit_small_cuts|fmnist|all]
# The plain scopes (whole model, blocks, attention/MLP halves, fixed parts) share one forward per
# sample, so they cost one sweep together; deployed and pruning-op scopes are their own sweeps.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
build="${1:-$here/build-agent}"
which="${2:-all}"
cli="$build/app/tailprune"
[ -x "$cli" ] || { echo "error: $cli not built" >&2; exit 1; }
out="$here/profiles"
# deit_* sweeps are separate runs (plain scopes, deployed cuts, pruning ops; each resumable); they go
# to profiles/parts/ (not in git) and are merged into one profile per model in profiles/, which is
# what the studio and the latency predictor read.
parts="$out/parts"
mkdir -p "$out" "$parts"
common=(--threads 1 --rounds 3 --warmup 1 --min-samples 5 --min-time 0.1)
tight=(--noise 0.01 --timeout 5)
# A pruning op is 0.1-1% of the forward around it: a 1% target on it is never met and every visit
# would run to the timeout (deit_tiny: 32 points in 331 s), so ops stop at 5% or after 1 s.
loose=(--noise 0.05 --timeout 1)

plain_scopes() {  # model, fixed parts, and block/attn/mlp of the blocks given
    local s=(--scope model --scope fixed:embed --scope fixed:head)
    for b in "$@"; do s+=(--scope "block:$b" --scope "attn:$b" --scope "mlp:$b"); done
    echo "${s[@]}"
}

rule=("${tight[@]}")
run() {  # name, then tailprune profile arguments; the stopping rule is "${rule[@]}", the folder "${dest:-$out}"
    local name="$1"; shift
    local file="${dest:-$out}/$name.json"
    echo "== $name (load $(cut -d' ' -f1-3 /proc/loadavg))" >&2
    local t0=$SECONDS
    # RUN_LIMIT=SECONDS interrupts a run (Ctrl-C): the finished points are kept, --resume continues
    local limit=()
    [ -n "${RUN_LIMIT:-}" ] && limit=(timeout -s INT "$RUN_LIMIT")
    "${limit[@]}" "$cli" profile "${common[@]}" "${rule[@]}" "$@" -o "$file" -q ||
        { local rc=$?; [ "$rc" -eq 130 ] || [ "$rc" -eq 124 ] || return "$rc"; }
    echo "   $name: $((SECONDS - t0)) s" >&2
    "$cli" validate "$file"
}
merge_parts() {  # model stem: its blocks, deployed and pruneops parts into profiles/<stem>.json.gz (compressed, read transparently)
    local p=("$parts/$1_blocks.json" "$parts/$1_deployed.json" "$parts/$1_pruneops.json")
    for f in "${p[@]}"; do [ -f "$f" ] || { echo "   $1: $f missing, not merged" >&2; return 0; }; done
    "$cli" merge "${p[@]}" -o "$out/$1.json.gz"
}

dest="$parts"
if [[ "$which" == all || "$which" == deit_tiny ]]; then
    run cpu-2core_deit_tiny_fp32_b1_blocks --model deit_tiny $(plain_scopes 0 1 2 3 4 5 6 7 8 9 10 11) --tokens 1..197
fi
all_methods=(pomt pomt_nomerge topk tome zerotprune random)
prune_scopes() {  # every method's pruning op at block $1 with $2 tokens in
    local s=()
    for m in "${all_methods[@]}"; do s+=(--scope "prune:$m:$1:$2"); done
    echo "${s[@]}"
}
if [[ "$which" == all || "$which" == deit_small ]]; then
    run cpu-2core_deit_small_fp32_b1_blocks --model deit_small $(plain_scopes 0 1 2 3 4 5 6 7 8 9 10 11) --tokens 1..197
fi
if [[ "$which" == all || "$which" == deit_tiny || "$which" == deit_tiny_cuts ]]; then
    run cpu-2core_deit_tiny_fp32_b1_deployed --model deit_tiny --scope deployed:2 --scope deployed:5 --scope deployed:8 \
        --tokens 1..197:4
    rule=("${loose[@]}")
    run cpu-2core_deit_tiny_fp32_b1_pruneops --model deit_tiny $(prune_scopes 3 197) --tokens 2..196:8
    rule=("${tight[@]}")
fi
if [[ "$which" == all || "$which" == deit_small || "$which" == deit_small_cuts ]]; then
    run cpu-2core_deit_small_fp32_b1_deployed --model deit_small --scope deployed:3 --scope deployed:8 --tokens 1..197:4
    rule=("${loose[@]}")
    run cpu-2core_deit_small_fp32_b1_pruneops --model deit_small $(prune_scopes 3 197) --tokens 2..196:8
    rule=("${tight[@]}")
fi
if [[ "$which" != fmnist ]]; then
    merge_parts cpu-2core_deit_tiny_fp32_b1
    merge_parts cpu-2core_deit_small_fp32_b1
fi
dest=""
if [[ "$which" == all || "$which" == fmnist ]]; then
    weights="$here/resources/models/fmnist_vit8/fmnist_vit8.safetensors"
    # every block with its halves, deployed cuts and every method's pruning op at three input
    # lengths (a later cut sees fewer tokens; on tensors this small an op is mostly fixed overhead and
    # does not shrink in proportion); Zero-TPrune's at every block too (its PageRank runs 30, 5 or 1
    # iterations by stage). What the latency predictor and its bench (scripts/cpu-benches.sh latency) read.
    ops=(--scope prune:zerotprune:0:50)  # block 0 always sees every token
    for t in 50 34 18; do
        ops+=($(prune_scopes 3 $t))
        for b in 1 2 4 5 6 7; do ops+=(--scope "prune:zerotprune:$b:$t"); done
    done
    run cpu-2core_fmnist_vit8_fp32_b1 --weights "$weights" $(plain_scopes 0 1 2 3 4 5 6 7) \
        --scope deployed:1 --scope deployed:3 --scope deployed:5 "${ops[@]}" --tokens all
fi
