#pragma once
// Re-levelling a profile for the machine a prediction is for (issue 27, docs/latency-model.md):
// a profile measured on one host predicts another host's latencies 20–45% off, even of the same
// VM class, but the *shape* of its curves (edges, residues, the split into blocks and ops) holds.
// So a few points are measured on the other machine — the whole model at a few sizes, each
// method's pruning op at a few sizes, seconds in all — and the profile's terms are rescaled:
//
//   std::vector<RelevelScope> plan = plan_relevel(profile);        // what to measure there
//   ... measure each plan entry (tailprune calibrate-latency: a profile job per entry, --on NAME) ...
//   RelevelRecord record = fit_relevel(profile, measured_curves);  // the scales, and every point
//   predictor.set_relevel(record.fit);
//
// The model curve gives an affine map measured ≈ offset + scale·profile over the sizes (a pure
// ratio when fewer than three sizes, or when the affine fit would invert the order); each method's
// op its own ratio (the median over its sizes): methods cost differently against the blocks on
// another host (ToMe's and Zero-TPrune's ops are gathers and small matmuls, not GEMMs).
#include <string>
#include <vector>

#include "core/model/profile.h"
#include "core/model/scope.h"
#include "core/predict/latency_calibration.h"

namespace tp {

struct RelevelScope {
    Scope scope;
    std::vector<int> tokens;   // counts the profile measured on this scope
};

// The whole-model curve at `model_sizes` counts spread over its measured range (largest first),
// and per method the op curve with the largest input length (the block nearest the middle) at
// `op_sizes` counts. Throws FormatError when the profile has no whole-model curve.
std::vector<RelevelScope> plan_relevel(const Profile& profile, int model_sizes = 5, int op_sizes = 3);

// Fits the re-level from curves measured on the other machine (scopes and counts of the plan; any
// other curve is ignored). Throws FormatError when no whole-model point was measured.
RelevelRecord fit_relevel(const Profile& profile, const std::vector<Curve>& measured);

// The plan measured in several passes, merged point by point at the fastest median: a shared
// host's interference only ever adds time, so the fastest pass is the machine's own level — the
// level a profile taken on a quiet machine describes (docs/latency-model.md, session 15: one 8 s
// pass caught a slow spell 7% above the minutes around it). Curves are matched by scope.
std::vector<Curve> fastest_of_passes(const std::vector<std::vector<Curve>>& passes);

// How far the passes agree on the machine's level: at the first whole-model point of the first
// pass, the second-fastest pass's median over the fastest's, minus 1 (0 with fewer than two
// passes). Above a few percent no two passes caught the same level: the fastest may be a fluke.
double pass_agreement(const std::vector<std::vector<Curve>>& passes);

// "1..5" style token list for a profile request: "50,40,30".
std::string token_list(const std::vector<int>& tokens);

}  // namespace tp
