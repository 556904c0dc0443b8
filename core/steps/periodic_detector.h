#pragma once
#include <utility>
#include <vector>

#include "core/steps/step_detector.h"

namespace tp::steps {


// Residuals relative to the local trend (within each segment, never across an edge: the segment's
// line plus a running mean of the rest over `window` points), in fractions of the trend; NaN where the trend is not positive.
std::vector<double> relative_residuals(const std::vector<int>& tokens, const std::vector<double>& y,
                                       const std::vector<std::pair<int, int>>& segments, int window);

// Finds the period in 2..16 that best explains the relative residuals by token count modulo the
// period (one-way ANOVA, the smallest period wins through its fewer degrees of freedom).
PeriodicFinding detect_period(const std::vector<int>& tokens, const std::vector<double>& rel_residuals,
                              const PeriodSettings& settings = {});

}  // namespace tp::steps
