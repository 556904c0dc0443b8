#pragma once
// The ModelInfo values the suites build their profiles and schedules on, in one place.
#include "core/model/device.h"

namespace tp::test {

// A small ViT shaped like the shipped fmnist one: 28x28x1 images in 4-pixel patches (49 + CLS = 50
// tokens), 8 blocks of 96 dims and 3 heads, 10 classes; `depth` and `tokens` vary it.
inline ModelInfo small_vit_model(int depth = 8, int tokens = 50) {
    ModelInfo m;
    m.name = "fixture_vit";
    m.depth = depth;
    m.embed_dim = 96;
    m.heads = 3;
    m.tokens = tokens;
    m.patch = 4;
    m.image_size = 28;
    m.channels = 1;
    m.num_classes = 10;
    return m;
}

// deit_small_patch16_224 at batch 1 in fp32: 12 blocks of 384 dims and 6 heads, 197 tokens.
inline ModelInfo deit_small_model() {
    ModelInfo m;
    m.name = "deit_small_patch16_224";
    m.depth = 12;
    m.embed_dim = 384;
    m.heads = 6;
    m.tokens = 197;
    m.batch = 1;
    m.dtype = "fp32";
    return m;
}

// deit_tiny shaped: 12 blocks of 192 dims and 3 heads, 197 tokens.
inline ModelInfo deit_tiny_model() {
    ModelInfo m;
    m.name = "deit_tiny_patch16_224";
    m.depth = 12;
    m.embed_dim = 192;
    m.heads = 3;
    m.tokens = 197;
    return m;
}

}  // namespace tp::test
