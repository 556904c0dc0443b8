#pragma once
// Torch-free: ViT architectures the runtime builds (timm VisionTransformer semantics).
#include <string>
#include <vector>

#include "core/model/device.h"

namespace tp::formats {

// Presets: deit_tiny_patch16_224, deit_small_patch16_224, deit_base_patch16_224.
// Unknown name: throws tp::FormatError listing the known ones.
ModelInfo vit_preset(const std::string& name);
const std::vector<std::string>& vit_preset_names();

// Derived sizes, checked: dim divisible by heads, image divisible by patch, all positive.
// Throws tp::FormatError naming the bad field.
void validate_architecture(const ModelInfo& model);
int patch_tokens(const ModelInfo& model);        // (image / patch)^2
int sequence_length(const ModelInfo& model);     // patch tokens + CLS
int mlp_hidden(const ModelInfo& model);

}  // namespace tp::formats
