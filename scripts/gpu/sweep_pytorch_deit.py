#!/usr/bin/env python3
"""PyTorch reference sweep on a CUDA GPU (docs/gpu.md, standing item 0): timm's DeiT at batch 1,
whole model at every token count, each forward captured once in a CUDA graph and timed per replay
with CUDA events. Writes one CSV per (model, dtype) in the format `tailprune import-csv` reads:
tokens,median_ms,p10_ms,p90_ms,samples

  python3 scripts/gpu/sweep_pytorch_deit.py --model deit_small_patch16_224 --dtype fp16 --out DIR

Random weights (latency does not depend on their values). Token counts are visited in a shuffled
order, round after round, so slow drifts (clocks, temperature) spread over all counts.
"""
import argparse
import csv
import os
import random
import statistics
import subprocess
import sys
import time

import timm
import torch

DTYPES = {"fp16": torch.float16, "bf16": torch.bfloat16, "fp32": torch.float32}


def percentile(sorted_values, q):
    pos = q * (len(sorted_values) - 1)
    lo = int(pos)
    hi = min(lo + 1, len(sorted_values) - 1)
    return sorted_values[lo] + (sorted_values[hi] - sorted_values[lo]) * (pos - lo)


class TokenForward(torch.nn.Module):
    """timm's forward_features/forward_head with the token sequence cut to n after embedding."""

    def __init__(self, model, n):
        super().__init__()
        self.m, self.n = model, n

    def forward(self, images):
        m = self.m
        x = m._pos_embed(m.patch_embed(images))
        x = x[:, : self.n]
        x = m.blocks(x)
        x = m.norm(x)
        return m.head(x[:, 0])


def gpu_state():
    try:
        q = "clocks.sm,clocks.mem,temperature.gpu,power.draw"
        return subprocess.run(["nvidia-smi", "--query-gpu=" + q, "--format=csv,noheader"],
                              capture_output=True, text=True, timeout=10).stdout.strip()
    except Exception as e:  # nvidia-smi missing is not fatal for the measurement
        return "nvidia-smi unavailable: %s" % e


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", default="deit_small_patch16_224")
    ap.add_argument("--dtype", default="fp16", choices=sorted(DTYPES))
    ap.add_argument("--batch", type=int, default=1)
    ap.add_argument("--tokens", default="1..197")
    ap.add_argument("--rounds", type=int, default=4)
    ap.add_argument("--replays", type=int, default=25, help="timed replays per visit")
    ap.add_argument("--eager", action="store_true", help="time eager forwards instead of graph replays")
    ap.add_argument("--out", required=True)
    a = ap.parse_args()

    lo, hi = (int(v) for v in a.tokens.split(".."))
    counts = list(range(lo, hi + 1))
    dtype = DTYPES[a.dtype]
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    model = timm.create_model(a.model, pretrained=False).cuda().to(dtype).eval()
    images = torch.randn(a.batch, 3, 224, 224, device="cuda", dtype=dtype)
    stream = torch.cuda.Stream()

    runners = {}
    with torch.inference_mode():
        for n in counts:
            f = TokenForward(model, n)
            if a.eager:
                runners[n] = lambda f=f: f(images)
                continue
            with torch.cuda.stream(stream):
                for _ in range(3):
                    f(images)
            torch.cuda.synchronize()
            g = torch.cuda.CUDAGraph()
            with torch.cuda.graph(g, stream=stream):
                f(images)
            runners[n] = g.replay

        start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        samples = {n: [] for n in counts}
        state_before = gpu_state()
        t0 = time.time()
        rng = random.Random(7)
        with torch.cuda.stream(stream):
            for _ in range(50):  # clocks up before the first timed visit
                runners[counts[-1]]()
            for _ in range(a.rounds):
                order = counts[:]
                rng.shuffle(order)
                for n in order:
                    run = runners[n]
                    for _ in range(3):
                        run()
                    for _ in range(a.replays):
                        start.record(stream)
                        run()
                        end.record(stream)
                        end.synchronize()
                        samples[n].append(start.elapsed_time(end))
        sweep_s = time.time() - t0
        state_after = gpu_state()

    os.makedirs(a.out, exist_ok=True)
    mode = "eager" if a.eager else "graph"
    path = os.path.join(a.out, "%s_%s_b%d_%s.csv" % (a.model, a.dtype, a.batch, mode))
    with open(path, "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["tokens", "median_ms", "p10_ms", "p90_ms", "samples"])
        for n in counts:
            s = sorted(samples[n])
            w.writerow([n, "%.5f" % statistics.median(s), "%.5f" % percentile(s, 0.1),
                        "%.5f" % percentile(s, 0.9), len(s)])
    med = {n: statistics.median(samples[n]) for n in counts}
    print("%s %s b%d %s: %d counts x %d samples in %.1f s; %.4f ms at %d, %.4f ms at %d; "
          "gpu before [%s] after [%s]; torch %s timm %s -> %s"
          % (a.model, a.dtype, a.batch, mode, len(counts), a.rounds * a.replays, sweep_s, med[counts[0]],
             counts[0], med[counts[-1]], counts[-1], state_before, state_after, torch.__version__,
             timm.__version__, path))


if __name__ == "__main__":
    sys.exit(main())
