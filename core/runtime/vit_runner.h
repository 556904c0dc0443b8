#pragma once
// Torch-free facade for CLI commands and tools: describe a model file, evaluate its accuracy on a
// labelled dataset, unpruned or with a pruning schedule.
#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/model/schedule.h"
#include "core/runtime/cpu_threads.h"
#include "core/formats/model_card.h"

namespace tp::runtime {

struct LoadedModelInfo {
    formats::ModelCard card;            // from NAME.card.json, or inferred from the tensors (has_card = false)
    bool has_card = false;
    std::string weights;
    std::string card_path;
    long long parameters = 0;
};

// Loads and checks the weights against their card (or infers the architecture; `heads` is then
// required knowledge: 0 means dim / 64 as in timm's DeiT/ViT models). Throws tp::FormatError.
LoadedModelInfo describe_model(const std::string& weights, int heads = 0);

struct EvaluateOptions {
    std::string weights;
    int heads = 0;                        // only for weights without a card
    std::string dataset = "fashion-mnist";  // fashion-mnist | a folder in data::ImageFolder layout
    std::string data_dir;                 // Fashion-MNIST IDX folder (default: Debian's)
    std::string split = "test";           // fashion-mnist: test | holdout | train (train minus holdout)
    int limit = 0;                        // > 0: seeded class-stratified subset of this many images
    uint64_t subset_seed = 0;
    int batch = 64;
    int threads = 0;                      // LibTorch intra-op and OpenBLAS threads (use_cpu_threads); 0 = kDefaultCpuThreads
    std::string device = "cpu";           // cpu | cuda | cuda:N
    std::string dtype = "fp32";           // fp32 | fp16 | bf16 (halves only on CUDA)
    std::optional<Schedule> schedule;     // pruning schedule; none = unpruned
    std::string method;                   // overrides schedule.method when not empty
};

struct EvaluateResult {
    double top1 = 0, top5 = 0;
    long images = 0;
    bool cancelled = false;
    std::string dataset;                  // e.g. "fashion-mnist test (stratified 1000, seed 0)"
    std::string method;                   // none when unpruned
    double seconds = 0;
    CpuThreads threads;                   // the thread counts it ran with (set and read back)
};

using ProgressFn = std::function<void(long done, long total)>;

EvaluateResult evaluate_model(const EvaluateOptions& options, const ProgressFn& progress = {},
                              const std::atomic<bool>* cancel = nullptr);

// The image indices a dataset/split/limit selects (same rule evaluate_model uses), for tools that
// must agree with it. Fashion-MNIST's holdout uses the card's holdout size and seed.
std::vector<size_t> select_images(const std::vector<int>& labels, int limit, uint64_t seed);

}  // namespace tp::runtime
