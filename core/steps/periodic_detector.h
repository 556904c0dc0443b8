#pragma once
#include <utility>
#include <vector>

#include "core/steps/step_detector.h"

namespace tp::steps {


// Residuals relative to the local trend (within each segment, never across an edge: the segment's
// line plus a running mean of the rest over `window` points), in fractions of the trend; NaN where the trend is not positive.
// `trend_slope` (optional): the trend's median slope per token, as a fraction of the trend.
std::vector<double> relative_residuals(const std::vector<int>& tokens, const std::vector<double>& y,
                                       const std::vector<std::pair<int, int>>& segments, int window,
                                       double* trend_slope = nullptr);

// Finds the period in 2..16 that best explains the relative residuals by token count modulo the
// period (one-way ANOVA, the smallest period wins through its fewer degrees of freedom).
PeriodicFinding detect_period(const std::vector<int>& tokens, const std::vector<double>& rel_residuals,
                              const PeriodSettings& settings = {});

// Whether a periodic finding is a staircase seen through its residues rather than a residue pattern:
// a step every period leaves residues that fall steadily across the period (flat plateaus under a
// trend that rises by the step) and jump back up at one residue. It is a staircase when a sawtooth
// of that shape explains the residue effects (≥ 80% of their spread), falling within the period,
// and the level never comes back down (the fall per token is no faster than the trend rises, so the
// plateaus are flat or rising: the level after each period is higher and stays higher). A residue
// pattern (fp16 dips at n%8 == 0, a CPU's n%4) sits off one continuous trend and comes back.
// Returns the residue at which the staircase steps up, or -1 for a residue pattern.
int staircase_not_pattern(const std::vector<int>& tokens, const std::vector<double>& rel_residuals,
                          const PeriodicFinding& finding, double trend_slope, const PeriodSettings& settings = {});

}  // namespace tp::steps
