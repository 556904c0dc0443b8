#pragma once
// Internal to core/runtime (LibTorch): batched top-1/top-5 over labelled images.
#include <atomic>
#include <functional>
#include <vector>

#include <torch/torch.h>

#include "core/data/image_source.h"
#include "core/formats/model_card.h"

namespace tp::runtime {

struct EvalCounts {
    long images = 0;
    long top1 = 0;
    long top5 = 0;
    bool cancelled = false;
};

using Logits = std::function<torch::Tensor(const torch::Tensor& images)>;
using EvalProgress = std::function<void(long done, long total)>;

// (B, C, S, S) float batch of images[indices[first .. first+count)] through the pipeline.
torch::Tensor make_batch(const data::ImageSource& images, const std::vector<size_t>& indices, size_t first, size_t count,
                         const std::vector<formats::PipelineStep>& pipeline, int channels, int size);

// Runs `logits` on batches of `batch` images (inference mode) and counts correct top-1/top-5.
// Checks `cancel` between batches and returns what was counted so far with cancelled = true.
EvalCounts evaluate_images(const Logits& logits, const data::ImageSource& images, const std::vector<size_t>& indices,
                           const std::vector<formats::PipelineStep>& pipeline, int channels, int size, int batch,
                           const EvalProgress& progress = {}, const std::atomic<bool>* cancel = nullptr,
                           torch::Device device = torch::kCPU, torch::ScalarType dtype = torch::kFloat32);

}  // namespace tp::runtime
