#include "core/runtime/agent_evaluate.h"

#include <ctime>
#include <filesystem>
#include <numeric>

#include <torch/torch.h>

#include "core/util/format_error.h"
#include "core/runtime/cpu_threads.h"
#include "core/runtime/dataset_cache.h"
#include "core/runtime/evaluator.h"
#include "core/platform/timing_environment.h"
#include "core/data/fashion_mnist.h"
#include "core/formats/model_card.h"
#include "core/runtime/pruning/reducer_factory.h"
#include "core/formats/safetensors.h"
#include "core/runtime/vit.h"
#include "core/runtime/vit_runner.h"
#include "core/runtime/vit_weights.h"
#include "core/util/utc_time.h"

namespace tp::runtime {

namespace {

nlohmann::json threads_json(const CpuThreads& t) {
    return {{"intra_op", t.intra_op}, {"inter_op", t.inter_op}, {"blas", t.blas}};
}

// Protocol 2: the same evaluation as `tailprune evaluate` (seeded stratified subset, any split,
// data folder on the agent's machine), so `evaluate --on` and `calibrate --on` give what a local
// run gives.
nlohmann::json run_evaluate_like_cli(const agent::EvaluateRequest& request,
                                     const std::function<void(long done, long total)>& progress,
                                     const std::atomic<bool>* cancel) {
    if (request.model.weights.empty())
        throw FormatError("weights", "evaluate needs trained weights (a preset has random weights)");
    EvaluateOptions o;
    o.weights = request.model.weights;
    o.dataset = request.dataset;
    o.data_dir = request.data_dir;
    o.split = request.split;
    o.limit = request.limit;
    o.subset_seed = *request.seed;
    o.batch = request.batch;
    o.threads = request.threads;
    o.device = request.device;
    o.dtype = request.dtype;
    o.method = request.method;
    if (!request.schedule.pruning_points().empty()) o.schedule = request.schedule;
    EvaluateResult r = evaluate_model(o, progress, cancel);
    return {{"images", r.images},
            {"top1", r.top1},
            {"top5", r.top5},
            {"cancelled", r.cancelled},
            {"seconds", r.seconds},
            {"method", r.method},
            {"dataset", r.dataset},
            {"threads", threads_json(r.threads)},
            {"measurement",
             {{"kind", "top1"},
              {"value", r.top1},
              {"dataset", r.dataset},
              {"images", r.images},
              {"date", iso8601_utc_now()},
              {"tool_version", TAILPRUNE_VERSION}}}};
}

}  // namespace

nlohmann::json run_evaluate(const agent::EvaluateRequest& request,
                            const std::function<void(long done, long total)>& progress,
                            const std::atomic<bool>* cancel) {
    if (request.seed) return run_evaluate_like_cli(request, progress, cancel);
    if (request.model.weights.empty())
        throw FormatError("weights", "evaluate needs trained weights (a preset has random weights)");
    if (agent::cuda_index(request.device) >= 0 && !torch::cuda::is_available())
        throw FormatError("device", "no CUDA device is available for '" + request.device + "'");
    if (request.dataset != "fashion-mnist")
        throw FormatError("dataset", "unknown dataset '" + request.dataset + "' (this agent has fashion-mnist)");
    const std::string card_path = formats::card_path_for(request.model.weights);
    formats::ModelCard card = formats::read_model_card(card_path);
    if (card.data.dataset != request.dataset)
        throw FormatError("dataset", "the model was trained on '" + card.data.dataset + "', not '" + request.dataset + "'");
    if (request.schedule.depth() != card.architecture.depth ||
        request.schedule.input_tokens() != card.architecture.tokens)
        throw FormatError("schedule", "does not fit the model's " + std::to_string(card.architecture.depth) +
                                          " blocks and " + std::to_string(card.architecture.tokens) + " tokens");
    platform::settle_allocator();
    const CpuThreads threads = use_cpu_threads(request.threads);
    VisionTransformer model(card.architecture);
    load_weights(model, formats::SafetensorsFile::read(request.model.weights), card_path);
    model->eval();
    torch::Device device = agent::cuda_index(request.device) >= 0
                               ? torch::Device(torch::kCUDA, agent::cuda_index(request.device))
                               : torch::Device(torch::kCPU);
    model->to(device);
    auto reducer = request.schedule.pruning_points().empty()
                       ? nullptr
                       : make_reducer(request.schedule.method, request.schedule.parameters, card.architecture.depth);
    const auto cached = cached_fashion_mnist(data::default_fashion_mnist_dir(), request.split);
    const data::FashionMnist& data = *cached;
    const std::size_t count = request.limit > 0 ? std::min<std::size_t>(request.limit, data.size()) : data.size();
    std::vector<std::size_t> indices(count);
    std::iota(indices.begin(), indices.end(), 0);
    const auto& tokens = request.schedule.tokens_after_block;
    Logits logits = [&](const torch::Tensor& images) { return model->forward(images, tokens, reducer.get()); };
    EvalCounts c = evaluate_images(logits, data, indices, card.input_pipeline, card.architecture.channels,
                                   card.architecture.image_size, request.batch, progress, cancel, device);
    const double top1 = c.images ? static_cast<double>(c.top1) / c.images : 0;
    const double top5 = c.images ? static_cast<double>(c.top5) / c.images : 0;
    const std::string date = iso8601_utc_now();
    const std::string subset = request.dataset + " " + request.split +
                               (count < data.size() ? "[0:" + std::to_string(count) + "]" : "");
    return {{"images", c.images},
            {"top1", top1},
            {"top5", top5},
            {"cancelled", c.cancelled},
            {"threads", threads_json(threads)},
            {"measurement",
             {{"kind", "top1"},
              {"value", top1},
              {"dataset", subset},
              {"images", c.images},
              {"date", date},
              {"tool_version", TAILPRUNE_VERSION}}}};
}

}  // namespace tp::runtime
