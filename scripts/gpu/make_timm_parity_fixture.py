#!/usr/bin/env python3
"""Writes tests/data/parity-timm/: the parity fixture made by timm itself (gpu.md item 4). The
same tiny architecture as scripts/make_parity_fixture.py, built as timm's VisionTransformer with
random weights, saved with safetensors; the reference logits are timm's own forward in fp32 on
the CPU. `logits_keep_first` runs timm's own modules with the sequence cut to the first 6 tokens
after embedding (timm has no such switch; the runtime's input pruning does exactly that).

  python3 scripts/gpu/make_timm_parity_fixture.py [OUT_DIR]   (needs timm and safetensors)
"""
import json
import os
import sys

import safetensors.torch
import timm
import torch
from timm.models.vision_transformer import VisionTransformer

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from make_parity_fixture import write_card  # noqa: E402  (the same card format as our own fixture)

ARCH = dict(depth=2, embed_dim=24, heads=3, mlp_ratio=4.0, patch=4, image_size=12, channels=3, num_classes=5)
SEED, BATCH, KEEP = 4321, 2, 6


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "..", "tests",
                                                            "data", "parity-timm")
    os.makedirs(out, exist_ok=True)
    torch.manual_seed(SEED)
    m = VisionTransformer(img_size=ARCH["image_size"], patch_size=ARCH["patch"], in_chans=ARCH["channels"],
                          num_classes=ARCH["num_classes"], embed_dim=ARCH["embed_dim"], depth=ARCH["depth"],
                          num_heads=ARCH["heads"], mlp_ratio=ARCH["mlp_ratio"], qkv_bias=True).eval()
    with torch.no_grad():  # timm zero-inits biases and the head: make every weight matter
        for p in m.parameters():
            p.add_(0.2 * torch.randn_like(p))
    images = torch.randn(BATCH, ARCH["channels"], ARCH["image_size"], ARCH["image_size"])
    with torch.no_grad():
        logits = m(images)
        x = m._pos_embed(m.patch_embed(images))[:, :KEEP]
        logits_keep = m.head(m.norm(m.blocks(x))[:, 0])
    state = {k: v.contiguous() for k, v in m.state_dict().items()}
    safetensors.torch.save_file(state, os.path.join(out, "tiny_vit.safetensors"))
    safetensors.torch.save_file({"images": images, "logits": logits, "logits_keep_first": logits_keep},
                                os.path.join(out, "reference.safetensors"))
    write_card(out, "parity_timm_tiny_vit", ARCH, "scripts/gpu/make_timm_parity_fixture.py (seed %d)" % SEED)
    with open(os.path.join(out, "README.md"), "w") as f:
        f.write("Made by `python3 scripts/gpu/make_timm_parity_fixture.py` with timm %s, PyTorch %s, safetensors "
                "(seed %d, batch %d):\ntimm's own VisionTransformer and forward, fp32 on the CPU.\n"
                % (timm.__version__, torch.__version__, SEED, BATCH))
    print("timm parity fixture: timm %s torch %s, %d tensors, logits %s -> %s"
          % (timm.__version__, torch.__version__, len(state), list(logits.shape), out))


if __name__ == "__main__":
    main()
