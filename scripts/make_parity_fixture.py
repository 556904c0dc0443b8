#!/usr/bin/python3
"""Writes tests/data/parity/: a tiny timm-layout ViT (random weights), a fixed input and the
reference logits computed by an independent implementation (PyTorch's own nn.MultiheadAttention-free
math, written here from timm's VisionTransformer semantics: LayerNorm eps 1e-6, exact GELU, qkv
laid out (3, heads, head_dim), CLS pooling).

Run with Debian's python3-torch:  /usr/bin/python3 scripts/make_parity_fixture.py
The safetensors files are written by hand (the format is an 8-byte length, a JSON header and raw
little-endian data) because python3-safetensors is not packaged in Debian.
"""
import json
import os
import struct

import torch
import torch.nn.functional as F

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "data", "parity")
ARCH = dict(depth=2, embed_dim=24, heads=3, mlp_ratio=4.0, patch=4, image_size=12, channels=3, num_classes=5)
BATCH = 2
SEED = 1234
KEEP = 6  # input pruning reference: CLS + first 5 patch tokens


def make_weights(g):
    d, c, p = ARCH["embed_dim"], ARCH["channels"], ARCH["patch"]
    hidden = int(d * ARCH["mlp_ratio"])
    tokens = (ARCH["image_size"] // p) ** 2 + 1

    def rnd(*shape, std=0.2):
        return torch.randn(*shape, generator=g) * std

    w = {
        "cls_token": rnd(1, 1, d),
        "pos_embed": rnd(1, tokens, d),
        "patch_embed.proj.weight": rnd(d, c, p, p),
        "patch_embed.proj.bias": rnd(d),
    }
    for b in range(ARCH["depth"]):
        pre = f"blocks.{b}."
        w[pre + "norm1.weight"] = 1 + rnd(d, std=0.1)
        w[pre + "norm1.bias"] = rnd(d, std=0.1)
        w[pre + "attn.qkv.weight"] = rnd(3 * d, d)
        w[pre + "attn.qkv.bias"] = rnd(3 * d, std=0.1)
        w[pre + "attn.proj.weight"] = rnd(d, d)
        w[pre + "attn.proj.bias"] = rnd(d, std=0.1)
        w[pre + "norm2.weight"] = 1 + rnd(d, std=0.1)
        w[pre + "norm2.bias"] = rnd(d, std=0.1)
        w[pre + "mlp.fc1.weight"] = rnd(hidden, d)
        w[pre + "mlp.fc1.bias"] = rnd(hidden, std=0.1)
        w[pre + "mlp.fc2.weight"] = rnd(d, hidden)
        w[pre + "mlp.fc2.bias"] = rnd(d, std=0.1)
    w["norm.weight"] = 1 + rnd(d, std=0.1)
    w["norm.bias"] = rnd(d, std=0.1)
    w["head.weight"] = rnd(ARCH["num_classes"], d)
    w["head.bias"] = rnd(ARCH["num_classes"], std=0.1)
    return w


def attention(w, pre, x, heads):
    B, N, C = x.shape
    qkv = F.linear(x, w[pre + "qkv.weight"], w[pre + "qkv.bias"]).reshape(B, N, 3, heads, C // heads)
    q, k, v = qkv.permute(2, 0, 3, 1, 4)
    probs = ((q @ k.transpose(-2, -1)) * (C // heads) ** -0.5).softmax(dim=-1)
    out = (probs @ v).transpose(1, 2).reshape(B, N, C)
    return F.linear(out, w[pre + "proj.weight"], w[pre + "proj.bias"]), probs


def forward(w, images, keep=None):
    d = ARCH["embed_dim"]
    x = F.conv2d(images, w["patch_embed.proj.weight"], w["patch_embed.proj.bias"], stride=ARCH["patch"])
    x = x.flatten(2).transpose(1, 2)
    x = torch.cat([w["cls_token"].expand(x.shape[0], -1, -1), x], dim=1) + w["pos_embed"]
    if keep is not None:
        x = x[:, :keep]
    first_probs = None
    for b in range(ARCH["depth"]):
        pre = f"blocks.{b}."
        h = F.layer_norm(x, (d,), w[pre + "norm1.weight"], w[pre + "norm1.bias"], eps=1e-6)
        a, probs = attention(w, pre + "attn.", h, ARCH["heads"])
        if first_probs is None:
            first_probs = probs
        x = x + a
        h = F.layer_norm(x, (d,), w[pre + "norm2.weight"], w[pre + "norm2.bias"], eps=1e-6)
        h = F.linear(F.gelu(F.linear(h, w[pre + "mlp.fc1.weight"], w[pre + "mlp.fc1.bias"])),
                     w[pre + "mlp.fc2.weight"], w[pre + "mlp.fc2.bias"])
        x = x + h
    x = F.layer_norm(x, (d,), w["norm.weight"], w["norm.bias"], eps=1e-6)
    return F.linear(x[:, 0], w["head.weight"], w["head.bias"]), first_probs


def write_safetensors(path, tensors):
    header, blobs, offset = {}, [], 0
    for name, t in tensors.items():
        data = t.detach().contiguous().to(torch.float32).numpy().astype("<f4").tobytes()
        header[name] = {"dtype": "F32", "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    text = json.dumps(header, separators=(",", ":"))
    text += " " * ((8 - (8 + len(text)) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text.encode())
        for blob in blobs:
            f.write(blob)


def write_card(folder, name, arch, source):
    """The model card next to tiny_vit.safetensors (also used by scripts/gpu/make_timm_parity_fixture.py)."""
    tokens = (arch["image_size"] // arch["patch"]) ** 2 + 1
    card = {
        "format": "tailprune-model-card", "format_version": 1, "name": name,
        "weights_file": "tiny_vit.safetensors", "created": "",
        "architecture": dict(type="vit", tokens=tokens, qkv_bias=True, norm_eps=1e-6, gelu="exact",
                             pooling="cls", **arch),
        "input_pipeline": [{"op": "to_float", "divide_by": 255},
                           {"op": "normalize", "mean": [0.5, 0.5, 0.5], "std": [0.5, 0.5, 0.5]}],
        "data": {"dataset": "random", "source": source},
    }
    with open(os.path.join(folder, "tiny_vit.card.json"), "w") as f:
        json.dump(card, f, indent=2)
        f.write("\n")


def main():
    torch.manual_seed(SEED)
    g = torch.Generator().manual_seed(SEED)
    w = make_weights(g)
    images = torch.randn(BATCH, ARCH["channels"], ARCH["image_size"], ARCH["image_size"], generator=g)
    with torch.no_grad():
        logits, probs = forward(w, images)
        logits_keep, _ = forward(w, images, keep=KEEP)
    os.makedirs(ROOT, exist_ok=True)
    write_safetensors(os.path.join(ROOT, "tiny_vit.safetensors"), w)
    write_safetensors(os.path.join(ROOT, "reference.safetensors"), {
        "images": images, "logits": logits, "logits_keep_first": logits_keep, "block0_attention": probs})
    write_card(ROOT, "parity_tiny_vit", ARCH, "scripts/make_parity_fixture.py (seed %d)" % SEED)
    with open(os.path.join(ROOT, "README.md"), "w") as f:
        f.write("Made by `/usr/bin/python3 scripts/make_parity_fixture.py` with PyTorch %s (seed %d, batch %d,\n"
                "input pruning keeps the first %d tokens). Do not edit by hand.\n" % (torch.__version__, SEED, BATCH, KEEP))
    print("logits", logits)


if __name__ == "__main__":
    main()
