#!/usr/bin/python3
"""Regenerates the seeded synthetic fixtures of the step suites (truth in README.md)."""
import numpy as np

def write(name, tokens, ms):
    with open(name, "w") as f:
        f.write("tokens,median_ms\n")
        for t, v in zip(tokens, ms):
            f.write(f"{t},{v:.6f}\n")

rng = np.random.default_rng(5)
t = np.arange(2, 198)
# GPU-like block: tile steps at 65 and 129 (+4%), a kernel-switch drop at 150 (-2.5%), fp16 dips at n%8==0.
level = 0.20 + 0.0001 * (t - 2) + 0.008 * (t >= 65) + 0.008 * (t >= 129) - 0.006 * (t >= 150)
level = level * np.where(t % 8 == 0, 0.97, 1.0)
write("gpu_block_staircase.csv", t, level + rng.normal(0, 0.0006, t.size))

# CPU-like block: a ramp with n%4==0 6% under the trend and n%4==3 7% over it, no edge.
level = 0.5 + 0.004 * (t - 2)
level = level * np.select([t % 4 == 0, t % 4 == 3], [0.94, 1.07], 1.0)
write("cpu_block_period4.csv", t, level + rng.normal(0, 0.002, t.size))

# A profile of the GPU-like curve (made with `tailprune import-csv`, then given the device's SM
# count and a measured kernel census around the drop at 150: the library switched GEMM kernels).
import json, subprocess, sys, os
cli = os.environ.get("TAILPRUNE_CLI")
if cli:
    subprocess.run([cli, "import-csv", "gpu_block_staircase.csv", "-o", "gpu_block_census.profile.json",
                    "--device", "NVIDIA H100 80GB HBM3", "--model", "deit_small_patch16_224",
                    "--scope", "block:3", "--dtype", "fp16"], check=True)
    p = json.load(open("gpu_block_census.profile.json"))
    p["device"]["sm_count"] = 132
    small = {"name": "sm90_xmma_gemm_f16f16_f32f32_tn_n_tilesize64x64x64", "grid": 72, "block": 128, "duration_us": 3.1}
    big = {"name": "sm90_xmma_gemm_f16f16_f32f32_tn_n_tilesize128x128x64", "grid": 18, "block": 256, "duration_us": 2.6}
    p["census"] = [{"curve": "block:3", "tokens": 149, "kernels": [small]},
                   {"curve": "block:3", "tokens": 150, "kernels": [big]}]
    json.dump(p, open("gpu_block_census.profile.json", "w"), indent=1)
    open("gpu_block_census.profile.json", "a").write("\n")
