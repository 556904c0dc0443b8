#!/usr/bin/env bash
# Trains fmnist_deit_tiny (DeiT-Tiny's shape on Fashion-MNIST: patch 2, 197 tokens, 12 blocks,
# dim 192, 3 heads) on the lent GPU machine in ONE call, in four stages that each have a time
# budget and leave their outputs behind as they finish (docs/training.md):
#   1 env      what the machine has (GPU, clocks, compilers, PyTorch)
#   2 build    the headless build of `tailprune` only (no Qt, no tests, no store)
#   3 train    CUDA, bf16 autocast, fp32 master weights; the epoch count is fitted to the time
#              left (--time-budget); checkpoints after every epoch
#   4 export   fp16 weights + card (tailprune convert) and their evaluation into $OUT
# A short summary is printed last (and written to $OUT/summary.txt).
#
#   OUT=/some/dir bash scripts/gpu/train-deit-tiny.sh          # on the GPU machine
#   TINY=1 OUT=/tmp/x bash scripts/gpu/train-deit-tiny.sh      # here: same stages, CPU, tiny model
#   bash scripts/gpu/train-deit-tiny.sh prepare                # here: fill .carry/ for the trip
#
# Environment: OUT (what comes back: at most 8 files, each well under 16 MiB), TINY=1, BUILD
# (build folder; default /tmp/build-deit), TOTAL_BUDGET (seconds for all stages, default 560: one
# device command may run 600 s), DATA (Fashion-MNIST folder), PRECISION (bf16 | fp16 | fp32).
set -u
here="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$here"

if [ "${1:-}" = "prepare" ]; then
    # Header-only packages the headless build needs, and the dataset (31 MB), into the ignored
    # .carry/ folder that travels to the GPU machine (scripts/gpu/session.sh uses the same folder).
    mkdir -p .carry/debs .carry/fashion-mnist
    (cd .carry/debs && apt-get download nlohmann-json3-dev libcli11-dev libstb-dev zlib1g-dev)
    cp /usr/share/datasets/fashion-mnist/*.gz .carry/fashion-mnist/
    du -sh .carry
    exit 0
fi

TINY="${TINY:-0}"
OUT="${OUT:-/tmp/deit-tiny-out}"
WORK="${WORK:-/tmp/deit-tiny-work}"     # checkpoints and logs that stay on the machine
BUILD="${BUILD:-/tmp/build-deit}"
DEPS=/tmp/deps-deit
TOTAL_BUDGET="${TOTAL_BUDGET:-560}"
PRECISION="${PRECISION:-bf16}"
CLI="$BUILD/app/tailprune"
NAME=fmnist_deit_tiny
mkdir -p "$OUT" "$WORK"
: > "$OUT/summary.txt"
summary() { echo "$*" | tee -a "$OUT/summary.txt"; }
left() { echo $((TOTAL_BUDGET - SECONDS)); }

if [ "$TINY" = 1 ]; then
    # The same code path on the CPU with a model and data small enough for a minute.
    NAME=fmnist_deit_tiny-smoke
    DEVICE=cpu
    MODEL=(--arch deit_tiny --name "$NAME" --depth 2 --dim 32 --heads 2 --patch 7)
    SCHEDULE=(--epochs 3 --batch 32 --lr 3e-3 --warmup-epochs 1 --limit-train 3000 --threads 1)
    EVAL_LIMIT=(--limit 1000)
    BUILD_JOBS="${BUILD_JOBS:-1}"
else
    DEVICE=cuda
    MODEL=(--arch deit_tiny --name "$NAME")
    # About 8-15 s per epoch on an H100 in bf16 (55,000 images x 197 tokens, batch 256); the
    # trainer times epoch 1 and keeps as many of the 60 epochs as the budget holds (>= 20 hoped).
    SCHEDULE=(--epochs 60 --batch 256 --lr 1e-3 --warmup-epochs 2)
    EVAL_LIMIT=()
    BUILD_JOBS="${BUILD_JOBS:-16}"
fi
DATA="${DATA:-/usr/share/datasets/fashion-mnist}"
[ -e "$DATA/t10k-images-idx3-ubyte.gz" ] || DATA="$here/.carry/fashion-mnist"

stage_env() {
    {
        date -u; uname -a; nproc; free -g | head -2
        nvidia-smi 2>&1 | head -20
        nvidia-smi --query-gpu=name,driver_version,clocks.sm,clocks.max.sm,temperature.gpu,power.draw --format=csv 2>&1
        gcc --version | head -1; cmake --version | head -1; ninja --version; nvcc --version 2>&1 | tail -1
        python3 -c 'import torch;print("torch",torch.__version__,"cuda",torch.version.cuda)' 2>&1
        ls -d /usr/include/{nlohmann,CLI,zlib.h,stb} 2>&1; ls .carry/debs 2>&1; ls "$DATA" 2>&1
    } > "$WORK/env.txt" 2>&1
    cp "$WORK/env.txt" "$OUT/env.txt"
    summary "env: $(nvidia-smi --query-gpu=name,clocks.sm,temperature.gpu --format=csv,noheader 2>/dev/null || echo 'no nvidia-smi'); $(python3 -c 'import torch;print("torch",torch.__version__)' 2>/dev/null || echo 'no python torch'); data $DATA"
}

stage_build() {
    local t0=$SECONDS prefix=() flags=()
    # Header-only dependencies travel as .debs (no apt there); unpacked under /tmp, never over /.
    if ls .carry/debs/*.deb > /dev/null 2>&1; then
        mkdir -p "$DEPS"
        for f in .carry/debs/*.deb; do
            case "$f" in *zlib1g-dev*) [ -e /usr/include/zlib.h ] && continue ;; esac
            dpkg -x "$f" "$DEPS"
        done
        prefix+=("$DEPS/usr" "$DEPS/usr/lib/x86_64-linux-gnu/cmake")
        flags+=(-DSTB_INCLUDE_DIR="$DEPS/usr/include/stb" -DCMAKE_CXX_FLAGS="-idirafter $DEPS/usr/include")
    fi
    local torch_prefix
    if torch_prefix="$(python3 -c 'import torch;print(torch.utils.cmake_prefix_path)' 2>/dev/null)"; then
        prefix=("$torch_prefix" "${prefix[@]}")
        flags+=(-DCMAKE_CUDA_ARCHITECTURES=90)
    fi
    command -v ccache > /dev/null && flags+=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
    local joined
    joined="$(IFS=';'; echo "${prefix[*]}")"
    timeout -s KILL "$1" cmake -S . -B "$BUILD" -G Ninja -DTAILPRUNE_GUI=OFF -DTAILPRUNE_TESTS=OFF \
        -DCMAKE_BUILD_TYPE=Release -DCMAKE_PREFIX_PATH="$joined" "${flags[@]}" > "$WORK/configure.log" 2>&1 &&
        timeout -s KILL $(( $1 - (SECONDS - t0) )) cmake --build "$BUILD" -j"$BUILD_JOBS" --target tailprune \
            > "$WORK/build.log" 2>&1
    local rc=$?
    summary "build: rc=$rc in $((SECONDS - t0)) s; $(grep -m1 'TailPrune:' "$WORK/configure.log" | sed 's/.*TailPrune: //')"
    if [ $rc -ne 0 ]; then
        { tail -20 "$WORK/configure.log"; grep -E -m30 -A3 'error' "$WORK/build.log"; } > "$OUT/build-errors.txt" 2>&1
        return 1
    fi
}

stage_train() {
    local limit="$1" t0=$SECONDS
    # The trainer's own budget covers the epochs; the rest of the stage loads the data, moves it to
    # the device and measures holdout and test at the end.
    local budget=$(( limit - 45 ))
    [ "$TINY" = 1 ] && budget=$(( limit - 15 ))
    [ "$budget" -lt 10 ] && budget=10
    local resume=()
    [ -e "$WORK/train/$NAME.checkpoint.json" ] && resume=(--resume)
    timeout -s INT -k 20 "$limit" "$CLI" train "${MODEL[@]}" "${SCHEDULE[@]}" --device "$DEVICE" \
        --precision "$PRECISION" --translate 2 --label-smoothing 0.1 --seed 0 --time-budget "$budget" \
        --data "$DATA" --out "$WORK/train" "${resume[@]}" > "$WORK/train.stdout" 2> "$WORK/train.log"
    local rc=$?
    tail -c 200000 "$WORK/train.log" > "$OUT/train.log"
    summary "train: rc=$rc in $((SECONDS - t0)) s (limit $limit s, epoch budget $budget s); $(grep -m1 'time budget' "$WORK/train.log")"
    summary "  $(grep -E '^done in' "$WORK/train.log" | tail -1)"
    [ $rc -eq 0 ] || summary "  last lines: $(tail -3 "$WORK/train.log" | tr '\n' ' ')"
    [ $rc -eq 0 ]
}

stage_export() {
    local t0=$SECONDS
    timeout -s KILL "$1" "$CLI" convert --weights "$WORK/train/$NAME.safetensors" --dtype fp16 --out "$OUT" \
        > "$WORK/convert.log" 2>&1 || { summary "export: convert failed: $(tail -2 "$WORK/convert.log")"; return 1; }
    # The fp16-stored weights as the CPU will read them (fp32 compute), on the test split.
    timeout -s KILL $(( $1 - (SECONDS - t0) )) "$CLI" evaluate --weights "$OUT/$NAME.safetensors" --device "$DEVICE" \
        --data-dir "$DATA" --split test "${EVAL_LIMIT[@]}" --json --quiet > "$OUT/evaluate-fp16.json" 2> "$WORK/evaluate.log"
    summary "export: rc=$? in $((SECONDS - t0)) s; $(ls -l "$OUT/$NAME.safetensors" | awk '{print $5}') bytes; fp16-stored weights on the test split: $(cat "$OUT/evaluate-fp16.json")"
}

summary "train-deit-tiny: TINY=$TINY, device $DEVICE, precision $PRECISION, budget $TOTAL_BUDGET s"
stage_env
built=0
stage_build $(( $(left) > 240 ? 240 : $(left) - 60 )) && built=1
trained=0
if [ $built = 1 ]; then
    # Whatever the build left, keeping 50 s for the export; at most 6 minutes.
    train_limit=$(( $(left) - 50 ))
    [ $train_limit -gt 360 ] && train_limit=360
    stage_train "$train_limit" && trained=1
fi
[ $trained = 1 ] && stage_export 45
summary "total: $SECONDS s; files in \$OUT: $(ls "$OUT" | tr '\n' ' ')"
echo "==== summary ===="
cat "$OUT/summary.txt"
[ $trained = 1 ]
