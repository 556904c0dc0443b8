#pragma once
#include <vector>

#include <nlohmann/json.hpp>

#include "core/steps/step_detector.h"
#include "core/steps/tile_explainer.h"

namespace tp {

// JSON of a step analysis: {"noise_sigma_ms", "steps":[{tokens, last_before, height_ms, height_pct,
// level_before_ms, level_after_ms, confidence, jump_ms}], "plateaus":[...], "period":{...},
// "staircase":{found, rising_steps, drops, median_spacing_tokens, median_spacing_points, seen_as_period, tile_tokens}}.
// Measured values only.
nlohmann::json steps_to_json(const StepAnalysis& analysis);
// Predicted boundaries and edge labels, kept apart from the measured edges.
nlohmann::json explanations_to_json(const std::vector<EdgeExplanation>& explanations,
                                    const std::vector<PredictedBoundary>& predicted);

}  // namespace tp
