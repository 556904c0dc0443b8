#pragma once
// The POMT paper's selection rule (methods.md §2), as a named option of the search: one cut at a
// fixed block k, the kept length chosen by the utility
//   U(n) = α·(1 − L(n)/max L) + (1 − α)·A(n)/max A
// over n = tokens_after_block[k] from the input length down to 2 (CLS and POMT's merged token
// included), taking the first maximum scanning n downward. L(n) is the deployed curve at k where
// the profile measured it (deployed:k), else the latency predictor's POMT schedule; A(n) the
// calibrated top-1 prediction. The release deploys n* + 2 tokens (its off-by-two), which can land
// on the wrong side of a step: offered only as a labelled variant.
#include <string>
#include <vector>

#include "core/accuracy/accuracy_model.h"
#include "core/analysis/profile_analysis.h"
#include "core/model/schedule.h"

namespace tp {

struct PomtRuleSettings {
    int block = 3;                    // k, 0-based (the release's default)
    double alpha = 0.5;
    bool release_off_by_two = false;  // deploy n* + 2 tokens as the release does
};

struct PomtRuleStep {
    int tokens = 0;                   // n
    double latency_ms = 0;            // L(n)
    bool measured = false;            // read from deployed:k (else predicted)
    double top1 = 0;                  // A(n)
    double utility = 0;               // U(n)
};

struct PomtRulePick {
    int chosen_tokens = 0;            // n*, the first maximum of U
    int deployed_tokens = 0;          // n* (or n* + 2 for the release variant, at most the input length)
    std::string latency_source;       // "deployed:3 (measured)" or "predicted (no deployed:3 curve)"
    std::string label;                // "pomt rule (k=3, α=0.5)" or "... release variant: deploys n*+2"
    std::vector<PomtRuleStep> scan;   // n from the input length down to 2
    Schedule schedule;                // method pomt, one cut at k (none when n* is the input length)
};

// Throws FormatError for a block outside the model, α outside [0, 1], or a profile without predictor
// (and no deployed:k curve).
PomtRulePick pomt_rule(const ProfileAnalysis& device, const AccuracyModel& pomt_accuracy, const PomtRuleSettings& settings);

}  // namespace tp
