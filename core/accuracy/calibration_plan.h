#pragma once
// Which schedules to evaluate to calibrate the accuracy model for one method
// (docs/accuracy-model.md):
// - the unpruned baseline;
// - single pruning points at every block but the last (its tokens never reach the CLS token) ×
//   several token levels (fractions of the input, clamped to what the method can realise);
// - multi-point schedules: for ToMe (constant and decreasing r, as ToMe's own schedules) and Top-K
//   (constant r per block from several start blocks), which prune at every block, many of them;
//   for single-cut methods (and Top-K) a few seeded 2- and 3-point schedules, so the compounding γ
//   is fitted, and two-cut schedules at nearby blocks whose second cut thins what the first kept,
//   so the thinning exponent β is fitted (issue 26);
// - schedules shaped like the editor's (a few cuts close together, between the plan's levels).
// Every planned schedule passes validate_method_tokens(). The plan is deterministic for a seed, so
// an interrupted calibration resumes by skipping what the calibration file already holds.
#include <cstdint>
#include <string>
#include <vector>

#include "core/accuracy/accuracy_data.h"
#include "core/model/device.h"

namespace tp {

struct CalibrationPlanSettings {
    std::vector<double> keep_fractions = {0.9, 0.75, 0.6, 0.45, 0.3, 0.15};
    int multi_point = 16;            // for tome/topk; single-cut methods get max(4, multi_point / 2)
    std::uint64_t seed = 1;
    // Two-cut schedules at nearby blocks (0.6→0.3 and 0.75→0.45 of the input, each pair only when
    // both are among keep_fractions, next to the single cuts at those levels) for every method but
    // ToMe, appended after the rest: nested cuts, for the thinning choice (issue 26).
    bool nested_pairs = true;
    // Schedules of 2–3 cuts (2–4 for Top-K) at blocks within three of each other, each cut keeping
    // half or more of what reaches it, as a user drags them in the editor, for every method but
    // ToMe; seeded apart from the rest and appended after it (existing files stay a prefix): the
    // schedules a prediction is asked for most, between the plan's levels and with the cuts'
    // interactions. Off by default (`tailprune calibrate --editor-like N`): on fmnist_vit8, 12 per
    // method (60 evaluations) left the held-out figures where they were (docs/accuracy-model.md,
    // issue 26, session 14), so the shipped calibration and plan stayed as they were.
    int editor_like = 0;
};

struct PlannedEvaluation {
    std::string method;              // "none" for the baseline
    std::vector<int> tokens_after_block;
    std::string kind;                // baseline | single | multi
};

std::vector<PlannedEvaluation> calibration_plan(const ModelInfo& model, const std::string& method,
                                                const CalibrationPlanSettings& settings = {});

// The planned evaluations `done` does not hold yet, in plan order.
std::vector<PlannedEvaluation> remaining_evaluations(const std::vector<PlannedEvaluation>& plan,
                                                     const AccuracyCalibration& done);

}  // namespace tp
