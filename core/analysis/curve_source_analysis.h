#pragma once
// The analysis behind the curve commands (`tailprune steps`, `explain`): the profile the file holds,
// or, for a CSV of one curve, a profile of that curve alone (no model: no predictor).
#include <string>

#include "core/analysis/profile_analysis.h"
#include "core/steps/curve_source.h"

namespace tp {

ProfileAnalysis analyse_curve_source(const CurveSource& source, const std::string& path, const AnalysisSettings& settings);

}  // namespace tp
