#!/usr/bin/python3
"""The PyTorch side of bench_runtime_vs_pytorch: times an eager timm-style ViT forward (the same
operations as timm's VisionTransformer without fused attention, which PyTorch 1.13 lacks) on weights
from a timm-named .safetensors file.

One-shot: prints one JSON object {"torch": version, "threads": {...}, "ms": {tokens: median}}.
  /usr/bin/python3 scripts/bench_pytorch_vit.py --weights W --heads H --batch B --threads 1 \
      --tokens 197,148 --iterations 30
Server (what the bench uses, so its rounds interleave with the runtime's without a start-up each):
  /usr/bin/python3 scripts/bench_pytorch_vit.py --serve --threads 1
reads one JSON request per line {"weights", "heads", "batch", "tokens", "iterations", "warmup"}
and answers one line {"ms": median, "threads": {...}} (or {"error": text}).

Threads: LibTorch's intra-op count, its inter-op pool (1) and OpenBLAS's own count (through its C
API: torch.set_num_threads does not reach it) are set to --threads and read back into "threads".
"""
import argparse
import ctypes
import ctypes.util
import json
import statistics
import struct
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

DTYPES = {"F32": np.float32, "F16": np.float16}


def read_safetensors(path):
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n])
    base = 8 + n
    out = {}
    for name, e in header.items():
        if name == "__metadata__":
            continue
        b, end = e["data_offsets"]
        arr = np.frombuffer(data[base + b: base + end], dtype=DTYPES[e["dtype"]]).reshape(e["shape"])
        out[name] = torch.from_numpy(arr.astype(np.float32))
    return out


class Block(torch.nn.Module):
    def __init__(self, w, pre, heads):
        super().__init__()
        self.w = {k[len(pre):]: v for k, v in w.items() if k.startswith(pre)}
        self.heads = heads

    def forward(self, x):
        w = self.w
        B, N, C = x.shape
        h = F.layer_norm(x, (C,), w["norm1.weight"], w["norm1.bias"], eps=1e-6)
        qkv = F.linear(h, w["attn.qkv.weight"], w["attn.qkv.bias"]).reshape(B, N, 3, self.heads, C // self.heads)
        q, k, v = qkv.permute(2, 0, 3, 1, 4).unbind(0)
        attn = (q * (C // self.heads) ** -0.5) @ k.transpose(-2, -1)
        out = (attn.softmax(dim=-1) @ v).transpose(1, 2).reshape(B, N, C)
        x = x + F.linear(out, w["attn.proj.weight"], w["attn.proj.bias"])
        h = F.layer_norm(x, (C,), w["norm2.weight"], w["norm2.bias"], eps=1e-6)
        h = F.linear(F.gelu(F.linear(h, w["mlp.fc1.weight"], w["mlp.fc1.bias"])), w["mlp.fc2.weight"], w["mlp.fc2.bias"])
        return x + h


class ViT(torch.nn.Module):
    def __init__(self, w, heads):
        super().__init__()
        self.w = w
        depth = 0
        while f"blocks.{depth}.norm1.weight" in w:
            depth += 1
        self.blocks = [Block(w, f"blocks.{i}.", heads) for i in range(depth)]
        self.patch = w["patch_embed.proj.weight"].shape[-1]

    def forward(self, images, keep):
        w = self.w
        x = F.conv2d(images, w["patch_embed.proj.weight"], w["patch_embed.proj.bias"], stride=self.patch)
        x = x.flatten(2).transpose(1, 2)
        x = torch.cat([w["cls_token"].expand(x.shape[0], -1, -1), x], dim=1) + w["pos_embed"]
        x = x[:, :keep]
        for blk in self.blocks:
            x = blk(x)
        x = F.layer_norm(x[:, 0], (x.shape[-1],), w["norm.weight"], w["norm.bias"], eps=1e-6)
        return F.linear(x, w["head.weight"], w["head.bias"])


def openblas():
    """The process's OpenBLAS (the one LibTorch calls through libblas.so.3), or None."""
    for name in ("libopenblas.so.0", ctypes.util.find_library("openblas")):
        if not name:
            continue
        try:
            lib = ctypes.CDLL(name)
            lib.openblas_get_num_threads.restype = ctypes.c_int
            return lib
        except (OSError, AttributeError):
            pass
    return None


def set_threads(n):
    torch.set_num_threads(n)
    try:
        torch.set_num_interop_threads(1)
    except RuntimeError:
        pass  # already sized
    blas = openblas()
    if blas is not None:
        blas.openblas_set_num_threads(n)
    return {"intra_op": torch.get_num_threads(), "inter_op": torch.get_num_interop_threads(),
            "blas": blas.openblas_get_num_threads() if blas is not None else -1}


def time_forward(model, images, n, warmup, iterations):
    with torch.inference_mode():
        for _ in range(warmup):
            model(images, n)
        times = []
        for _ in range(iterations):
            t0 = time.perf_counter()
            model(images, n)
            times.append((time.perf_counter() - t0) * 1e3)
    return statistics.median(times)


def make_images(model, w, batch):
    c = w["patch_embed.proj.weight"].shape[1]
    side = int(round((w["pos_embed"].shape[1] - 1) ** 0.5)) * model.patch
    return torch.randn(batch, c, side, side, generator=torch.Generator().manual_seed(0))


def serve(threads):
    models = {}
    for line in sys.stdin:
        if not line.strip():
            continue
        try:
            r = json.loads(line)
            key = (r["weights"], r["heads"])
            if key not in models:
                w = read_safetensors(r["weights"])
                models[key] = (ViT(w, r["heads"]), w, {})
            model, w, images = models[key]
            if r["batch"] not in images:
                images[r["batch"]] = make_images(model, w, r["batch"])
            ms = time_forward(model, images[r["batch"]], int(r["tokens"]), int(r.get("warmup", 2)), int(r["iterations"]))
            answer = {"ms": ms, "threads": threads}
        except Exception as e:  # noqa: BLE001 - the bench prints it
            answer = {"error": f"{type(e).__name__}: {e}"}
        print(json.dumps(answer), flush=True)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--serve", action="store_true")
    p.add_argument("--weights")
    p.add_argument("--heads", type=int)
    p.add_argument("--batch", type=int, default=1)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--tokens")
    p.add_argument("--iterations", type=int, default=30)
    p.add_argument("--warmup", type=int, default=3)
    a = p.parse_args()
    threads = set_threads(a.threads)
    if a.serve:
        serve(threads)
        return
    if not a.weights or not a.heads or not a.tokens:
        p.error("--weights, --heads and --tokens are required without --serve")
    w = read_safetensors(a.weights)
    model = ViT(w, a.heads)
    images = make_images(model, w, a.batch)
    result = {str(n): time_forward(model, images, n, a.warmup, a.iterations) for n in [int(t) for t in a.tokens.split(",")]}
    print(json.dumps({"torch": torch.__version__, "threads": threads, "ms": result}))


if __name__ == "__main__":
    main()
