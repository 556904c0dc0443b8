#!/usr/bin/env bash
# One call on the lent GPU machine (docs/gpu.md): each stage named on the command line runs in order,
# writing its results under $OUT and one summary line per stage to $OUT/summary.txt (printed last).
#   bash scripts/gpu/session.sh inventory deps build tests pysweep timm-parity profile-small ...
# Needs .carry/ (ignored; see docs/gpu.md): debs/ (headers and Qt Core/Test from Debian 12, unpacked
# under /tmp/deps, never over /) and fashion-mnist/ (the dataset's .gz files).
set -u
here="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$here"
FINAL="${OUT:-/tmp/tailprune-gpu-out}"
OUT=/tmp/gpu-results  # everything lands here; FINAL gets summary.txt and results.tgz (8 files come back at most)
mkdir -p "$OUT" "$FINAL"
BUILD="${BUILD:-/tmp/build-gpu}"
DEPS=/tmp/deps
CLI="$BUILD/app/tailprune"
summary() { echo "$*" | tee -a "$OUT/summary.txt"; }
stage_start=$SECONDS

inventory() {
    {
        date -u; nvidia-smi; nvidia-smi -q -d CLOCK,TEMPERATURE,POWER,PERFORMANCE | head -80
        gcc --version | head -1; cmake --version | head -1; ninja --version; nvcc --version | tail -2
        python3 -c 'import torch,timm,safetensors;print("torch",torch.__version__,"cuda",torch.version.cuda,"timm",timm.__version__)'
        ls -d /usr/include/{nlohmann,CLI,sqlite3.h,zlib.h,stb} 2>&1; which pkg-config; nproc; free -g | head -2
    } > "$OUT/inventory.txt" 2>&1
    summary "inventory: $(nvidia-smi --query-gpu=name,driver_version,clocks.sm,clocks.max.sm,temperature.gpu,power.draw --format=csv,noheader 2>&1); $(python3 -c 'import torch,timm;print("torch",torch.__version__,"timm",timm.__version__)' 2>&1)"
}

deps() {
    mkdir -p "$DEPS"
    for f in .carry/debs/*.deb; do
        case "$f" in *zlib1g-dev*) [ -e /usr/include/zlib.h ] && continue ;; esac
        dpkg -x "$f" "$DEPS"
    done
    # Debian's glib/zstd/pcre2-8 only where the system lacks them (they would shadow its own).
    for lib in libglib-2.0.so.0 libgthread-2.0.so.0 libgobject-2.0.so.0 libgio-2.0.so.0 libgmodule-2.0.so.0 libzstd.so.1 libpcre2-8.so.0; do
        ldconfig -p | grep -q "$lib " && rm -f "$DEPS"/usr/lib/x86_64-linux-gnu/"$lib"*
    done
    if [ ! -e /usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz ] && [ -d .carry/fashion-mnist ]; then
        mkdir -p /usr/share/datasets/fashion-mnist && cp .carry/fashion-mnist/*.gz /usr/share/datasets/fashion-mnist/
    fi
    summary "deps: $(ls .carry/debs | wc -l) debs under $DEPS; fashion-mnist $(ls /usr/share/datasets/fashion-mnist 2>/dev/null | wc -l) files"
}

qt_env() { export LD_LIBRARY_PATH="$DEPS/usr/lib/x86_64-linux-gnu${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"; }

build() {
    qt_env
    local torch_prefix zlib_lib
    torch_prefix="$(python3 -c 'import torch;print(torch.utils.cmake_prefix_path)')"
    zlib_lib="$(ldconfig -p | awk '/libz.so.1 /{print $NF; exit}')"
    local t0=$SECONDS
    cmake -S . -B "$BUILD" -G Ninja -DTAILPRUNE_GUI=OFF -DTAILPRUNE_TESTS=ON -DCMAKE_BUILD_TYPE=Release \
        -DCMAKE_PREFIX_PATH="$torch_prefix;$DEPS/usr;$DEPS/usr/lib/x86_64-linux-gnu/cmake" \
        -DSTB_INCLUDE_DIR="$DEPS/usr/include/stb" -DZLIB_LIBRARY="$zlib_lib" \
        -DCMAKE_CXX_FLAGS="-idirafter $DEPS/usr/include" -DCMAKE_CUDA_ARCHITECTURES=90 > "$OUT/configure.log" 2>&1
    local rc=$?
    if [ $rc -eq 0 ]; then
        cmake --build "$BUILD" -j16 -- -k 0 > "$OUT/build.log" 2>&1
        rc=$?
    fi
    grep -m1 "TailPrune:" "$OUT/configure.log" > /dev/null && summary "configure: $(grep -m1 'TailPrune:' "$OUT/configure.log")"
    summary "build: rc=$rc in $((SECONDS - t0)) s, $(grep -c 'error:' "$OUT/build.log" 2>/dev/null) error lines"
    [ $rc -eq 0 ]
}

tests() {
    qt_env
    local t0=$SECONDS
    (cd "$BUILD" && ctest -j8 --output-on-failure --timeout 600 > "$OUT/ctest.log" 2>&1)
    summary "ctest: $(grep -E 'tests passed|tests failed' "$OUT/ctest.log") in $((SECONDS - t0)) s"
    grep -E "Failed|\*\*\*" "$OUT/ctest.log" | head -20 | while read -r l; do summary "  $l"; done
    grep -E "SKIP" "$OUT/ctest.log" | sort | uniq -c | head -10 | while read -r l; do summary "  $l"; done
}

pysweep() {  # gpu.md item 0: timm reference curves, whole model, batch 1, graphs
    mkdir -p "$OUT/pysweep"
    for dt in ${PYSWEEP_DTYPES:-fp16 fp32}; do
        PYTHONUNBUFFERED=1 python3 scripts/gpu/sweep_pytorch_deit.py --model deit_small_patch16_224 --dtype $dt \
            --out "$OUT/pysweep" 2>&1 | tail -1 | while read -r l; do summary "pysweep: $l"; done
    done
}

timm_parity() {  # gpu.md item 4
    python3 scripts/gpu/make_timm_parity_fixture.py "$OUT/parity-timm" 2>&1 | tail -1 | while read -r l; do summary "timm-parity: $l"; done
}

profile() {  # NAME SECONDS then tailprune profile arguments
    local name="$1" limit="$2"; shift 2
    local t0=$SECONDS
    mkdir -p "$OUT/profiles"
    local file="$OUT/profiles/$name.json${PROFILE_SUFFIX:-}"
    timeout -s INT "$limit" "$CLI" profile --device "${PROFILE_DEVICE:-cuda}" "$@" -o "$file" -q > "$OUT/profiles/$name.log" 2>&1
    local rc=$?
    summary "profile $name: rc=$rc in $((SECONDS - t0)) s; $("$CLI" show "$file" 2>&1 | head -3 | tr '\n' ' ')"
}

build_targets() {  # a fresh machine: only what the measurement stages need
    qt_env
    local torch_prefix t0=$SECONDS
    torch_prefix="$(python3 -c 'import torch;print(torch.utils.cmake_prefix_path)')"
    cmake -S . -B "$BUILD" -G Ninja -DTAILPRUNE_GUI=OFF -DTAILPRUNE_TESTS=ON -DCMAKE_BUILD_TYPE=Release \
        -DCMAKE_PREFIX_PATH="$torch_prefix;$DEPS/usr;$DEPS/usr/lib/x86_64-linux-gnu/cmake" \
        -DSTB_INCLUDE_DIR="$DEPS/usr/include/stb" -DCMAKE_CXX_FLAGS="-idirafter $DEPS/usr/include" > "$OUT/configure.log" 2>&1 &&
        cmake --build "$BUILD" -j16 --target tailprune bench_latency_prediction > "$OUT/build.log" 2>&1
    summary "build (tailprune, bench_latency_prediction): rc=$? in $((SECONDS - t0)) s"
}

predict_bench() {  # gpu.md item 3: predicted vs measured schedules + edge-pair sign test
    qt_env
    local t0=$SECONDS
    mkdir -p "$OUT/predict/schedules"
    timeout -s KILL "${PREDICT_LIMIT:-330}" "$BUILD/tests/predict/bench_latency_prediction" --profile profiles/h100_deit_small_fp16_b1.json.gz \
        --cli "$CLI" --device cuda --schedules "${PREDICT_SCHEDULES:-50}" --measure-rounds 2 --out "$OUT/predict/schedules" \
        > "$OUT/predict/table.md" 2> "$OUT/predict/progress.log"
    summary "predict-bench: rc=$? in $((SECONDS - t0)) s, $(grep -c measured "$OUT/predict/progress.log") measurements"
    grep -A2 "^| schedules" "$OUT/predict/table.md" | tail -1 | while read -r l; do summary "  $l"; done
    grep -E "^edge pairs|^band" "$OUT/predict/table.md" | while read -r l; do summary "  $l"; done
}

vs_pytorch() {  # gpu.md item 6: the runtime against PyTorch (timm) on this GPU, one run, unpruned deit_small
    qt_env
    mkdir -p "$OUT/vs-pytorch"
    local sched="$OUT/vs-pytorch/unpruned.schedule.json"
    python3 - "$sched" <<'PY'
import gzip, json, sys
doc = json.load(gzip.open("profiles/h100_deit_small_fp16_b1.json.gz"))
json.dump({"format": "tailprune-schedule", "format_version": 1, "name": "unpruned-check", "method": "topk",
           "model": doc["model"], "tokens_after_block": [196] + [196] * 11, "parameters": {}}, open(sys.argv[1], "w"))
PY
    for dt in fp16 fp32; do
        "$CLI" measure --schedule "$sched" --device cuda --dtype $dt --rounds 5 --json > "$OUT/vs-pytorch/cpp_$dt.json" 2> "$OUT/vs-pytorch/cpp_$dt.err"
        python3 scripts/gpu/sweep_pytorch_deit.py --dtype $dt --tokens 197..197 --rounds 5 --replays 200 --out "$OUT/vs-pytorch" > "$OUT/vs-pytorch/py_$dt.log" 2>&1
        python3 scripts/gpu/sweep_pytorch_deit.py --dtype $dt --tokens 197..197 --rounds 5 --replays 200 --eager --out "$OUT/vs-pytorch" >> "$OUT/vs-pytorch/py_$dt.log" 2>&1
        summary "vs-pytorch $dt: C++ $(python3 -c "import json,sys;d=json.load(open(sys.argv[1]));print('baseline',d.get('baseline',{}).get('median_ms'),'schedule',d['schedule']['median_ms'])" "$OUT/vs-pytorch/cpp_$dt.json" 2>&1 | tail -1); timm graph/eager: $(tail -2 "$OUT/vs-pytorch/py_$dt.log" | grep -o '[0-9.]* ms at 197' | tr '\n' ' ')"
    done
}

gpu_common=(--rounds 3 --warmup 3 --min-samples 15 --min-time 0.02 --noise 0.005 --timeout 1)
blocks_scopes() { local s=(--scope model --scope fixed:embed --scope fixed:head); for b in $(seq 0 11); do s+=(--scope "block:$b" --scope "attn:$b" --scope "mlp:$b"); done; echo "${s[@]}"; }

# The GPU evidence issue on fmnist_deit_tiny (the DeiT-shaped model issue's weights, shipped in
# resources/models/ once trained; on a warm machine right after scripts/gpu/train-deit-tiny.sh,
# TINY_WEIGHTS=/tmp/deit-tiny-work/train/fmnist_deit_tiny.safetensors). Rehearsed on the CPU with the
# shipped ViT (docs/gpu-runs.md): TINY_DEVICE=cpu TINY_WEIGHTS=resources/models/fmnist_vit8/...
# TINY_DEPTH=8 TINY_DEPLOYED="2 5" TINY_N=50 TINY_TOKENS=10,30,49 TINY_TIMING="--rounds 1 ..." ...
TINY_W="${TINY_WEIGHTS:-resources/models/fmnist_deit_tiny/fmnist_deit_tiny.safetensors}"
TINY_DEVICE="${TINY_DEVICE:-cuda}"
TINY_PREFIX="${TINY_PREFIX:-h100}"
TINY_MODEL="${TINY_MODEL:-fmnist_deit_tiny}"
read -r -a tiny_timing <<< "${TINY_TIMING:-${gpu_common[*]}}"
tiny_scopes() {  # whole model, fixed parts, every block and its halves, deployed cuts, every method's op
    local s=(--scope model --scope fixed:embed --scope fixed:head) n="${TINY_N:-197}"
    for b in $(seq 0 $(( ${TINY_DEPTH:-12} - 1 ))); do s+=(--scope "block:$b" --scope "attn:$b" --scope "mlp:$b"); done
    for k in ${TINY_DEPLOYED:-2 5 8}; do s+=(--scope "deployed:$k"); done
    for m in pomt pomt_nomerge topk zerotprune tome random; do s+=(--scope "prune:$m:3:$n"); done
    echo "${s[@]}"
}
tiny_profile() {  # DTYPE BATCH SECONDS [scopes...]: one compressed profile of the model
    local dtype="$1" batch="$2" limit="$3"; shift 3
    local mode=(--mode graph); [ "$TINY_DEVICE" = cpu ] && mode=()
    PROFILE_DEVICE="$TINY_DEVICE" PROFILE_SUFFIX=.gz profile "${TINY_PREFIX}_${TINY_MODEL}_${dtype}_b${batch}" "$limit" \
        --weights "$TINY_W" --dtype "$dtype" --batch "$batch" "${mode[@]}" "$@" --tokens "${TINY_TOKENS:-1..197}" "${tiny_timing[@]}"
}
tiny_fp16_profile() { echo "$OUT/profiles/${TINY_PREFIX}_${TINY_MODEL}_${TINY_BENCH_DTYPE:-fp16}_b1.json.gz"; }
calibrate_tiny() {  # every method's accuracy calibration on the device (minutes on a GPU)
    local t0=$SECONDS cal="$OUT/$TINY_MODEL.accuracy-calibration.json"
    timeout -s INT -k 20 "${CALIBRATE_LIMIT:-240}" "$CLI" calibrate --weights "$TINY_W" --device "$TINY_DEVICE" \
        --method pomt,pomt_nomerge,topk,zerotprune,tome,random --subset "${TINY_SUBSET:-2000}" --batch "${TINY_BATCH:-500}" \
        --calibration "$cal" > "$OUT/calibrate.log" 2>&1
    summary "calibrate-tiny: rc=$? in $((SECONDS - t0)) s; $(grep -m1 'calibration time' "$OUT/calibrate.log")"
    grep -E "leave-one-out RMS" "$OUT/calibrate.log" | while read -r l; do summary "  $l"; done
}
predict_bench_tiny() {  # >= 50 schedules predicted from the model's own profile and measured on the device
    qt_env
    local t0=$SECONDS
    mkdir -p "$OUT/predict-tiny/schedules"
    timeout -s KILL "${PREDICT_LIMIT:-240}" "$BUILD/tests/predict/bench_latency_prediction" --profile "$(tiny_fp16_profile)" \
        --cli "$CLI" --weights "$TINY_W" --device "$TINY_DEVICE" --schedules "${PREDICT_SCHEDULES:-50}" --measure-rounds 2 \
        --out "$OUT/predict-tiny/schedules" --save-measurements "$OUT/predict-tiny/measurements.json" \
        > "$OUT/predict-tiny/table.md" 2> "$OUT/predict-tiny/progress.log"
    summary "predict-bench-tiny: rc=$? in $((SECONDS - t0)) s, $(grep -c measured "$OUT/predict-tiny/progress.log") measurements"
    grep -A2 "^| schedules" "$OUT/predict-tiny/table.md" | tail -1 | while read -r l; do summary "  $l"; done
    grep -E "^edge pairs|^band" "$OUT/predict-tiny/table.md" | while read -r l; do summary "  $l"; done
}
search_tiny() {  # the search's 1 pp picks vs ToMe / Top-K at equal accuracy and the POMT rule, measured and evaluated
    local t0=$SECONDS
    mkdir -p "$OUT/search-tiny"
    PROFILE="$(tiny_fp16_profile)" WEIGHTS="$TINY_W" DEVICE="$TINY_DEVICE" ACCURACY="$OUT/$TINY_MODEL.accuracy-calibration.json" \
        PIN_CPU= CLI="$CLI" ROUNDS="${SEARCH_ROUNDS:-5}" timeout -s KILL "${SEARCH_LIMIT:-240}" \
        bash scripts/search-evidence.sh "$OUT/search-tiny/run" > "$OUT/search-tiny/table.md" 2> "$OUT/search-tiny/progress.log"
    summary "search-tiny: rc=$? in $((SECONDS - t0)) s; $(grep -E '^headline:|^no measured schedule' "$OUT/search-tiny/table.md" | head -1)"
}

for stage in "$@"; do
    case "$stage" in
        inventory) inventory ;;
        deps) deps ;;
        build) build || { summary "build failed: $(grep -m5 'error:' "$OUT/build.log" | cut -c1-300)"; } ;;
        tests) [ -x "$CLI" ] && tests ;;
        pysweep) pysweep ;;
        timm-parity) timm_parity ;;
        profile-small-blocks) [ -x "$CLI" ] && profile h100_deit_small_fp16_b1_blocks 120 --model deit_small --dtype fp16 --mode graph $(blocks_scopes) --tokens 1..197 "${gpu_common[@]}" ;;
        profile-small-deployed) [ -x "$CLI" ] && profile h100_deit_small_fp16_b1_deployed 120 --model deit_small --dtype fp16 --mode graph --scope deployed:2 --scope deployed:5 --scope deployed:8 --tokens 1..197 "${gpu_common[@]}" ;;
        profile-small-pruneops) [ -x "$CLI" ] && profile h100_deit_small_fp16_b1_pruneops 120 --model deit_small --dtype fp16 --mode graph --scope prune:pomt:3:197 --scope prune:topk:3:197 --scope prune:tome:3:197 --scope prune:zerotprune:3:197 --scope prune:random:3:197 --tokens 2..196 "${gpu_common[@]}" ;;
        build-targets) build_targets ;;
        predict-bench) [ -x "$CLI" ] && predict_bench ;;
        vs-pytorch) [ -x "$CLI" ] && vs_pytorch ;;
        profile-small-b8) [ -x "$CLI" ] && profile h100_deit_small_fp16_b8_model 60 --model deit_small --dtype fp16 --batch 8 --mode graph --scope model --scope block:0 --scope attn:0 --scope mlp:0 --tokens 1..197 "${gpu_common[@]}" ;;
        profile-tiny-fp16) [ -x "$CLI" ] && tiny_profile fp16 1 "${PROFILE_LIMIT:-150}" $(tiny_scopes) ;;
        profile-tiny-fp32) [ -x "$CLI" ] && tiny_profile fp32 1 "${PROFILE_LIMIT:-150}" $(tiny_scopes) ;;
        profile-tiny-b8) [ -x "$CLI" ] && tiny_profile "${TINY_B8_DTYPE:-fp16}" 8 "${PROFILE_LIMIT:-60}" --scope model ;;
        calibrate-tiny) [ -x "$CLI" ] && calibrate_tiny ;;
        predict-bench-tiny) [ -x "$CLI" ] && predict_bench_tiny ;;
        search-tiny) [ -x "$CLI" ] && search_tiny ;;
        *) summary "unknown stage $stage" ;;
    esac
done
summary "session: $((SECONDS - stage_start)) s"
tar -C "$OUT" -czf "$FINAL/results.tgz" .
cp "$OUT/summary.txt" "$FINAL/"
[ -f "$OUT/build.log" ] && grep -E "error|Error" "$OUT/build.log" | head -60 > "$FINAL/build-errors.txt"
cat "$OUT/summary.txt"
