#pragma once
// Torch-free facade: a model's weights file rewritten with another storage dtype (fp16 halves
// the bytes; the runtime computes in fp32 on the CPU whatever the storage), with its card.
#include <string>

#include "core/formats/safetensors.h"

namespace tp::runtime {

struct ConvertReport {
    std::string weights_path, card_path;  // card_path empty when the source had no card
    size_t tensors = 0;
    size_t bytes_before = 0, bytes_after = 0;  // tensor data only
};

// Writes OUT_DIR/<same file name> with every tensor in `dtype` and, when the source has a card,
// OUT_DIR/<name>.card.json saying weights_dtype = dtype. A value that does not fit the dtype
// (|x| beyond fp16's 65504) is a tp::FormatError naming the tensor; so is a target that is the
// source itself.
ConvertReport convert_weights(const std::string& weights_path, formats::TensorDtype dtype, const std::string& out_dir);

}  // namespace tp::runtime
