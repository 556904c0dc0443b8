#pragma once
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/model/device.h"
#include "core/model/latency_prediction.h"

namespace tp {

// The token-count convention, shared by every method: tokens_after_block[b] is the sequence
// length *leaving* block b (CLS included; POMT's merged token included). The input to block 0
// is the model's full token count. A pruning point is a block b where tokens_after_block[b] is
// smaller than the length entering it.
struct PruningPoint {
    int block = 0;
    int tokens = 0;              // tokens kept after this block
};

struct Measurement {              // a measured value with its provenance
    std::string kind;             // latency | top1 | top5
    double value = 0;             // ms for latency, fraction 0..1 for accuracy
    double low = 0, high = 0;     // interval (p10..p90 or 95% CI)
    std::string device;           // device identity it was measured on
    std::string dataset;          // accuracy: dataset and split/subset
    int images = 0;
    std::string date;
    std::string tool_version;
};

struct Schedule {
    static constexpr int kFormatVersion = 1;
    int format_version = kFormatVersion;
    std::string name;
    std::string notes;
    std::string method = "pomt";  // pomt | pomt_nomerge | topk | zerotprune | tome | random | none
    std::map<std::string, double> parameters;  // method parameters (alpha, seed, iterations, ...)
    std::vector<int> tokens_after_block;       // one entry per block

    // What it was tuned for.
    ModelInfo model;              // includes batch, dtype, full token count, weights hash
    DeviceInfo device;

    // Optional results travelling with the schedule (export format).
    std::optional<LatencyPrediction> predicted_latency;  // value and band only
    std::vector<Measurement> measurements;
    std::string author;
    std::string status = "draft"; // draft | approved | deployed
    int revision = 0;
    std::string created;          // ISO 8601
    std::string updated;

    int input_tokens() const { return model.tokens; }
    int depth() const { return static_cast<int>(tokens_after_block.size()); }
    // Blocks where the length drops, with the length kept.
    std::vector<PruningPoint> pruning_points() const;
    // Length entering block b (b == depth() gives the final length).
    int tokens_into(int block) const;
};

// The unpruned schedule for a model.
Schedule unpruned_schedule(const ModelInfo& model);
// Builds tokens_after_block from pruning points (later points must keep fewer tokens).
std::vector<int> tokens_from_points(int depth, int input_tokens, const std::vector<PruningPoint>& points);

// Validates the schedule against its own model: one entry per block, non-increasing,
// 1 (CLS) <= tokens <= input tokens, known method and status. Throws FormatError naming the block.
void validate(const Schedule& schedule);

bool is_known_method(const std::string& method);
const std::vector<std::string>& known_methods();

}  // namespace tp
