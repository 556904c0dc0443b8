#include "core/runtime/evaluator.h"

#include <algorithm>

#include "core/data/input_pipeline.h"

namespace tp::runtime {

torch::Tensor make_batch(const data::ImageSource& images, const std::vector<size_t>& indices, size_t first, size_t count,
                         const std::vector<formats::PipelineStep>& pipeline, int channels, int size) {
    auto batch = torch::empty({static_cast<int64_t>(count), channels, size, size}, torch::kFloat32);
    float* out = batch.data_ptr<float>();
    const size_t per_image = static_cast<size_t>(channels) * size * size;
    for (size_t i = 0; i < count; ++i)
        data::apply_pipeline(pipeline, images.image(indices[first + i]), channels, size, out + i * per_image);
    return batch;
}

EvalCounts evaluate_images(const Logits& logits, const data::ImageSource& images, const std::vector<size_t>& indices,
                           const std::vector<formats::PipelineStep>& pipeline, int channels, int size, int batch,
                           const EvalProgress& progress, const std::atomic<bool>* cancel, torch::Device device,
                           torch::ScalarType dtype) {
    c10::InferenceMode guard;
    EvalCounts counts;
    const long total = static_cast<long>(indices.size());
    for (size_t first = 0; first < indices.size(); first += static_cast<size_t>(batch)) {
        if (cancel && cancel->load()) {
            counts.cancelled = true;
            break;
        }
        const size_t count = std::min(static_cast<size_t>(batch), indices.size() - first);
        auto x = make_batch(images, indices, first, count, pipeline, channels, size).to(device, dtype);
        auto out = logits(x).to(torch::kCPU, torch::kFloat32);
        const int64_t k = std::min<int64_t>(5, out.size(1));
        auto top = std::get<1>(out.topk(k, 1));  // (B, k)
        auto top_acc = top.accessor<int64_t, 2>();
        for (size_t i = 0; i < count; ++i) {
            const int label = images.label(indices[first + i]);
            for (int64_t j = 0; j < k; ++j) {
                if (top_acc[static_cast<int64_t>(i)][j] == label) {
                    if (j == 0) ++counts.top1;
                    ++counts.top5;
                    break;
                }
            }
        }
        counts.images += static_cast<long>(count);
        if (progress) progress(counts.images, total);
    }
    return counts;
}

}  // namespace tp::runtime
