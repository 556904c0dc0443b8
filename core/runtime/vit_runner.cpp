#include "core/runtime/vit_runner.h"

#include <chrono>
#include <filesystem>
#include <memory>

#include "core/util/format_error.h"
#include "core/util/sha256.h"
#include "core/runtime/dataset_cache.h"
#include "core/runtime/evaluator.h"
#include "core/data/fashion_mnist.h"
#include "core/data/image_folder.h"
#include "core/runtime/pruning/reducer_factory.h"
#include "core/data/subsets.h"
#include "core/runtime/vit.h"
#include "core/formats/vit_config.h"
#include "core/runtime/vit_weights.h"
#include "core/platform/timing_environment.h"

namespace tp::runtime {
namespace {

struct Loaded {
    LoadedModelInfo info;
    VisionTransformer model{nullptr};
};

Loaded load(const std::string& weights, int heads) {
    Loaded out;
    auto file = formats::SafetensorsFile::read(weights);
    out.info.weights = weights;
    out.info.card_path = formats::card_path_for(weights);
    std::error_code ec;
    if (std::filesystem::exists(out.info.card_path, ec)) {
        out.info.card = formats::read_model_card(out.info.card_path);
        out.info.has_card = true;
        if (heads > 0 && heads != out.info.card.architecture.heads)
            throw FormatError(out.info.card_path, "--heads " + std::to_string(heads) + " contradicts the card's " +
                                                      std::to_string(out.info.card.architecture.heads));
    } else {
        formats::ModelCard card;
        card.architecture = infer_architecture(file, heads);
        card.name = std::filesystem::path(weights).stem().string();
        card.architecture.name = card.name;
        card.input_pipeline = formats::timm_eval_pipeline(card.architecture.image_size);
        card.data.dataset = "unknown";
        card.weights_file = std::filesystem::path(weights).filename().string();
        out.info.card = card;
    }
    if (!out.info.card.weights_dtype.empty())
        for (const auto& [name, entry] : file.tensors())
            if (formats::dtype_name(entry.dtype) != out.info.card.weights_dtype)
                throw FormatError(out.info.card_path, "says weights_dtype " + out.info.card.weights_dtype + " but tensor '" +
                                                          name + "' is stored as " + formats::dtype_name(entry.dtype));
    out.info.card.architecture.weights_hash = sha256_file_hex(weights);
    out.model = VisionTransformer(out.info.card.architecture);
    load_weights(out.model, file, out.info.has_card ? "the model card " + out.info.card_path : "");
    out.model->eval();
    for (const auto& p : out.model->parameters()) out.info.parameters += p.numel();
    return out;
}

torch::ScalarType parse_dtype(const std::string& dtype, const torch::Device& device) {
    if (dtype == "fp32") return torch::kFloat32;
    if (dtype != "fp16" && dtype != "bf16") throw FormatError("--dtype", "'" + dtype + "' is not fp32, fp16 or bf16");
    if (!device.is_cuda()) throw FormatError("--dtype", dtype + " runs only on CUDA devices (CPU inference is fp32)");
    return dtype == "fp16" ? torch::kFloat16 : torch::kBFloat16;
}

torch::Device parse_device(const std::string& text) {
    if (text == "cpu") return torch::kCPU;
    if (text.rfind("cuda", 0) == 0) {
        if (!torch::cuda::is_available())
            throw FormatError("--device", "'" + text + "' requested but this build/machine has no CUDA device");
        try {
            torch::Device d(text);
            if (d.has_index() && d.index() >= static_cast<int>(torch::cuda::device_count()))
                throw FormatError("--device", "'" + text + "': only " + std::to_string(torch::cuda::device_count()) +
                                                  " CUDA device(s)");
            return d;
        } catch (const c10::Error&) {
        }
    }
    throw FormatError("--device", "'" + text + "' is not cpu, cuda or cuda:N");
}

}  // namespace

LoadedModelInfo describe_model(const std::string& weights, int heads) { return load(weights, heads).info; }

std::vector<size_t> select_images(const std::vector<int>& labels, int limit, uint64_t seed) {
    return data::stratified_subset(labels, limit > 0 ? static_cast<size_t>(limit) : labels.size(), seed);
}

EvaluateResult evaluate_model(const EvaluateOptions& o, const ProgressFn& progress, const std::atomic<bool>* cancel) {
    const auto started = std::chrono::steady_clock::now();
    if (o.batch < 1) throw FormatError("--batch", "must be positive");
    // The allocator and the thread counts are the runtime's to set (issue 30): glibc's defaults cost the
    // batch-64 forward 3-5x in page faults, and OpenBLAS would otherwise run as many threads as the
    // environment or the core count says, whatever LibTorch was told.
    platform::settle_allocator();
    const CpuThreads threads = use_cpu_threads(o.threads);
    const torch::Device device = parse_device(o.device);
    const torch::ScalarType dtype = parse_dtype(o.dtype, device);
    Loaded m = load(o.weights, o.heads);
    const ModelInfo& arch = m.info.card.architecture;
    m.model->to(device, dtype);

    // Data: the images of the split, then the stratified limit.
    std::shared_ptr<const data::ImageSource> source;  // Fashion-MNIST: decoded once per process
    std::vector<size_t> pool;
    EvaluateResult result;
    result.threads = threads;
    if (o.dataset == "fashion-mnist") {
        const std::string dir = o.data_dir.empty() ? data::default_fashion_mnist_dir() : o.data_dir;
        if (o.split == "test") {
            source = cached_fashion_mnist(dir, "test");
            for (size_t i = 0; i < source->size(); ++i) pool.push_back(i);
        } else if (o.split == "holdout" || o.split == "train") {
            source = cached_fashion_mnist(dir, "train");
            const auto& data = m.info.card.data;
            const int holdout = data.dataset == "fashion-mnist" && data.holdout_images > 0 ? data.holdout_images : 5000;
            auto split = data::split_holdout(source->labels(), static_cast<size_t>(holdout), data.holdout_seed);
            pool = o.split == "holdout" ? split.holdout : split.train;
        } else {
            throw FormatError("--split", "'" + o.split + "' is not test, holdout or train");
        }
        result.dataset = "fashion-mnist " + o.split;
    } else {
        if (o.split != "test")
            throw FormatError("--split", "a folder dataset is used whole; --split applies to fashion-mnist only");
        auto folder = data::ImageFolder::open(o.dataset, arch.channels);
        if (static_cast<int>(folder.class_names().size()) > arch.num_classes)
            throw FormatError(o.dataset, std::to_string(folder.class_names().size()) + " class folders but the model has " +
                                             std::to_string(arch.num_classes) + " classes");
        source = std::make_shared<data::ImageFolder>(std::move(folder));
        for (size_t i = 0; i < source->size(); ++i) pool.push_back(i);
        result.dataset = "folder " + o.dataset;
    }
    std::vector<int> pool_labels;
    for (auto i : pool) pool_labels.push_back(source->label(i));
    std::vector<size_t> indices;
    for (auto j : select_images(pool_labels, o.limit, o.subset_seed)) indices.push_back(pool[j]);
    if (o.limit > 0 && static_cast<size_t>(o.limit) < pool.size())
        result.dataset += " (stratified " + std::to_string(indices.size()) + ", seed " + std::to_string(o.subset_seed) + ")";

    // Model call: unpruned, or the schedule with its method.
    std::unique_ptr<TokenReducer> reducer;
    std::vector<int> tokens;
    result.method = "none";
    if (o.schedule) {
        const Schedule& s = *o.schedule;
        validate(s);
        if (s.depth() != arch.depth)
            throw FormatError("schedule", "has " + std::to_string(s.depth()) + " blocks, the model " +
                                              std::to_string(arch.depth));
        if (s.model.tokens != arch.tokens)
            throw FormatError("schedule", "is for " + std::to_string(s.model.tokens) + " input tokens, the model has " +
                                              std::to_string(arch.tokens));
        result.method = o.method.empty() ? s.method : o.method;
        reducer = make_reducer(result.method, s.parameters, arch.depth);
        tokens = s.tokens_after_block;
    } else if (!o.method.empty() && o.method != "none") {
        throw FormatError("--method", "needs --schedule (the token counts to prune to)");
    }
    Logits logits;
    if (reducer || !tokens.empty())
        logits = [&](const torch::Tensor& x) { return m.model->forward(x, tokens, reducer.get()); };
    else
        logits = [&](const torch::Tensor& x) { return m.model->forward(x); };

    const auto counts = evaluate_images(logits, *source, indices, m.info.card.input_pipeline, arch.channels,
                                        arch.image_size, o.batch, progress, cancel, device, dtype);
    result.images = counts.images;
    result.cancelled = counts.cancelled;
    result.top1 = counts.images ? static_cast<double>(counts.top1) / counts.images : 0;
    result.top5 = counts.images ? static_cast<double>(counts.top5) / counts.images : 0;
    result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    return result;
}

}  // namespace tp::runtime
