#pragma once
// A predicted end-to-end latency of a schedule on one device: the value with its band and, where
// the predictor made it (core/predict/latency_predictor.h), the terms it adds up. The one type for
// a latency prediction: the predictor's answer, what the editor shows, and what a schedule keeps of
// its prediction (the three numbers; terms and breakdown stay empty there).
#include <string>
#include <vector>

namespace tp {

struct LatencyTerm {
    std::string kind;          // embed | head | block | attn | mlp | prune | context | method
    int block = -1;            // -1 for whole-model terms
    int tokens_in = 0;
    int tokens_out = 0;
    double ms = 0;
    bool measured = false;     // true: read from this term's own measured curve
    std::string source;        // curve name, or how it was inferred
};

struct LatencyPrediction {
    double latency_ms = 0;
    double low_ms = 0;
    double high_ms = 0;
    std::vector<LatencyTerm> terms;
    std::vector<double> block_ms;   // per block: block (+ its pruning op) + its share of the context term
    std::vector<std::string> warnings;
    double unpruned_ms = 0;         // the same predictor on the unpruned schedule (0: not known)
    // Relative to unpruned: latency_ms / unpruned_ms − 1, and its own band (calibrated on measured
    // ratios, which transfer between machines better than milliseconds do). 0 when unpruned is unknown.
    double relative = 0;
    double relative_low = 0;
    double relative_high = 0;
};

}  // namespace tp
