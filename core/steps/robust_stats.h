#pragma once
#include <vector>

#include "core/util/median.h"  // the median itself

namespace tp::steps {

// Small robust-statistics helpers used by the step and period detectors.
// Noise sigma from the data: MAD of first differences / (0.6745·√2) (methods.md §6.1).
double noise_sigma_from_differences(const std::vector<double>& y);
// The same σ, robust to steps however dense (a step every 2 points or more): the median of the
// smaller of each two adjacent |differences| (a step sits in one of them), scaled so that it equals
// the MAD estimate for white noise (normal or heavy-tailed: median(min) = 0.5751·median(|Δ|)).
double noise_sigma_step_robust(const std::vector<double>& y);
// Robust slope per token: the median of the adjacent slopes Δy/Δt (steps are rare, so they do not move it).
double median_adjacent_slope(const std::vector<int>& t, const std::vector<double>& y);
// Replaces runs of up to `max_run` points lying on one side, further than `threshold` from the
// running median (window 2·max_run+3), by that median: spikes and dips of one or two points. An edge
// between plateaus longer than max_run survives: the median follows the step.
std::vector<double> remove_short_outliers(const std::vector<double>& y, int max_run, double threshold);
// Median adjacent slope over points [begin − reach, end + reach): the local trend for a plateau
// too short to fit its own slope.
double local_median_slope(const std::vector<int>& t, const std::vector<double>& y, int begin, int end, int reach);
// Running median with an odd window, computed only within [begin, end) (never across an edge).
void running_median(const std::vector<double>& y, int begin, int end, int window, std::vector<double>& out);

}  // namespace tp::steps
