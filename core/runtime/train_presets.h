#pragma once
// Torch-free: the named architectures `tailprune train --arch NAME` builds for Fashion-MNIST
// (28x28x1, 10 classes). Explicit --depth/--dim/... override a preset's values.
#include <optional>
#include <string>
#include <vector>

#include "core/model/device.h"

namespace tp::runtime {

struct ArchitecturePreset {
    std::string arch;        // the --arch value
    std::string model_name;  // default --name (file stem)
    int depth, embed_dim, heads, patch;
    double mlp_ratio;
    const char* what;
};

// vit8: the shipped fmnist_vit8 (50 tokens). deit_tiny: DeiT-Tiny's exact shape (timm's
// deit_tiny_patch16_224: 12 blocks, dim 192, 3 heads, MLP 4x) with patch 2 on 28x28, so the
// sequence is 196 patches + CLS = 197 tokens, as DeiT's at 224x224.
inline const std::vector<ArchitecturePreset>& architecture_presets() {
    static const std::vector<ArchitecturePreset> presets{
        {"vit8", "fmnist_vit8", 8, 64, 4, 4, 2.0, "8 blocks, dim 64, 4 heads, MLP 2x, patch 4: 50 tokens"},
        {"deit_tiny", "fmnist_deit_tiny", 12, 192, 3, 2, 4.0,
         "DeiT-Tiny's shape: 12 blocks, dim 192, 3 heads, MLP 4x, patch 2: 197 tokens"},
    };
    return presets;
}

inline std::optional<ArchitecturePreset> find_architecture_preset(const std::string& arch) {
    for (const auto& p : architecture_presets())
        if (p.arch == arch) return p;
    return std::nullopt;
}

}  // namespace tp::runtime
