#pragma once
// Torch-free: applies a model card's input pipeline to an 8-bit image.
#include <vector>

#include "core/data/image_source.h"
#include "core/formats/model_card.h"

namespace tp::data {

// Runs `steps` in order on `image` and writes channels x size x size floats (CHW) to `out`.
// Throws tp::FormatError when the result does not have the model's channels and image size
// (e.g. a pipeline without to_float, or a missing crop), naming the step.
void apply_pipeline(const std::vector<formats::PipelineStep>& steps, const RawImage& image, int channels, int size,
                    float* out);

}  // namespace tp::data
