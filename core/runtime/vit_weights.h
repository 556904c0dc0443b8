#pragma once
// Internal to core/runtime (LibTorch): timm-named safetensors <-> VisionTransformer.
#include <map>
#include <string>

#include "core/runtime/safetensors.h"
#include "core/runtime/vit.h"

namespace tp::runtime {

// Copies every parameter from `file` (F32/F16/BF16, converted to the model's dtype). Missing or
// unexpected names and wrong shapes are tp::FormatErrors naming the tensor; `source` (e.g. the
// card) is named too when the model was built from it.
void load_weights(VisionTransformer& model, const SafetensorsFile& file, const std::string& source = "");

// Writes the parameters as F32 with their timm names.
void save_weights(VisionTransformer& model, const std::string& path,
                  const std::map<std::string, std::string>& metadata = {});

// Architecture from tensor shapes alone (depth, dim, patch, channels, image size, classes, mlp
// ratio); the head count cannot be read from shapes and is `heads` (timm's models use dim / 64).
ModelInfo infer_architecture(const SafetensorsFile& file, int heads = 0);

}  // namespace tp::runtime
