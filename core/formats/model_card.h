#pragma once
// Torch-free: the model card, a JSON file next to the weights (X.safetensors -> X.card.json).
// It records what tensor shapes cannot: the head count and the input pipeline (its steps in
// order), plus where the weights came from and what they measured. Loading weights uses the card;
// a card that contradicts the tensors is an error (checked where the tensors are loaded).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/accuracy/accuracy_anchor.h"
#include "core/model/device.h"

namespace tp::formats {

// One input-pipeline step, applied in order to an 8-bit HWC image:
//   grayscale                      RGB -> 1 channel (ITU-R 601-2 luma, as PIL's "L")
//   rgb                            1 channel -> 3 (replicated)
//   resize       size, interpolation (bicubic|bilinear)   shorter side to `size`
//   center_crop  size
//   pad          pixels (zero padding on every side)
//   to_float     divide_by         8-bit -> float
//   normalize    mean[], std[]     per channel, (x - mean) / std
struct PipelineStep {
    std::string op;
    int size = 0;
    std::string interpolation;
    int pixels = 0;
    double divide_by = 0;
    std::vector<double> mean, std;
};

struct CardData {
    std::string dataset;              // fashion-mnist | imagenet | folder name
    std::string source;               // where it was read from
    int train_images = 0;             // images trained on
    int holdout_images = 0;           // stratified holdout taken out of the training split
    uint64_t holdout_seed = 0;
    std::vector<std::string> classes;
};

struct CardTraining {
    int epochs = 0;
    int batch = 0;
    std::string optimizer;            // adamw
    double lr = 0, weight_decay = 0;
    double warmup_epochs = 0;
    std::string lr_schedule;          // cosine
    std::vector<std::string> augmentation;
    uint64_t seed = 0;
    int threads = 1;
    double time_s = 0;                // wall time of the training (all sessions and init phases)
    std::string init_from;            // empty, or the run these weights continued from
    std::string device;
    std::string precision;            // optional: fp32 | bf16-autocast | fp16-autocast+loss-scaling
    double label_smoothing = 0;       // optional (written when > 0)
    std::string torch_version;
    std::string command;              // how it was produced
};

struct CardResults {
    double holdout_top1 = 0;
    int holdout_images = 0;
    double test_top1 = 0, test_top5 = 0;
    int test_images = 0;
};

struct ModelCard {
    static constexpr int kFormatVersion = 1;
    std::string name;
    ModelInfo architecture;           // depth, embed_dim, heads, mlp ratio, patch, image, channels, classes, tokens
    std::vector<PipelineStep> input_pipeline;
    CardData data;
    std::optional<CardTraining> training;
    std::optional<CardResults> results;
    // The unpruned model's top-1/top-5 per whole split, measured by `tailprune anchor`: the levels the
    // accuracy model's predicted drops are subtracted from ("anchors" field; optional).
    std::vector<AccuracyAnchor> anchors;
    std::string weights_file;         // file name, relative to the card
    // How the weights file stores its tensors: "F16" or "BF16"; empty (the field absent) is the
    // writer's default F32 and is not checked. The runtime computes in fp32 on the CPU either way.
    std::string weights_dtype;
    std::string created;              // ISO 8601 UTC
};

std::string card_path_for(const std::string& weights_path);

// Strict: unknown or missing fields are errors naming the file and field (tp::FormatError).
ModelCard read_model_card(const std::string& path);
// The same reader on text already in memory; `source` names it in errors.
ModelCard parse_model_card(const std::string& text, const std::string& source);
void write_model_card(const std::string& path, const ModelCard& card);

// timm's eval transform for an RGB ImageNet model: resize to image/crop_pct (bicubic), center
// crop, /255, normalise with the ImageNet mean/std.
std::vector<PipelineStep> timm_eval_pipeline(int image_size, double crop_pct = 0.875);

}  // namespace tp::formats
