#pragma once
// Internal to core/runtime (LibTorch): timm-named safetensors <-> VisionTransformer.
#include <map>
#include <string>

#include "core/formats/safetensors.h"
#include "core/runtime/vit.h"

namespace tp::runtime {

// Copies every parameter from `file` (F32/F16/BF16, converted to the model's dtype). Missing or
// unexpected names and wrong shapes are tp::FormatErrors naming the tensor; `source` (e.g. the
// card) is named too when the model was built from it.
void load_weights(VisionTransformer& model, const formats::SafetensorsFile& file, const std::string& source = "");

// Writes the parameters with their timm names, stored as `dtype` (F32 by default).
void save_weights(VisionTransformer& model, const std::string& path,
                  const std::map<std::string, std::string>& metadata = {},
                  formats::TensorDtype dtype = formats::TensorDtype::F32);

// One tensor of `file` as a CPU tensor of its stored dtype (a copy).
torch::Tensor tensor_of(const formats::SafetensorsFile& file, const formats::TensorEntry& entry);
// `t` as a contiguous CPU tensor of storage dtype `dtype`. A finite value that the dtype cannot
// hold (beyond fp16's 65504) is a tp::FormatError naming `what`.
torch::Tensor stored_as(const torch::Tensor& t, formats::TensorDtype dtype, const std::string& what);

// Architecture from tensor shapes alone (depth, dim, patch, channels, image size, classes, mlp
// ratio); the head count cannot be read from shapes and is `heads` (timm's models use dim / 64).
ModelInfo infer_architecture(const formats::SafetensorsFile& file, int heads = 0);

}  // namespace tp::runtime
