#pragma once
#include <vector>

#include "core/util/median.h"

namespace tp::agent {

// Robust summary of one set of latency samples (any unit; the caller keeps it consistent).
struct SampleSummary {
    int count = 0;
    double median = 0;
    double mean = 0;
    double p10 = 0;
    double p90 = 0;
    double min = 0;
    double max = 0;
    double mad = 0;      // median absolute deviation from the median (unscaled)
    double stddev = 0;   // sample standard deviation (n - 1)
};

// Quantile q in [0, 1] of already sorted values, linear interpolation between order statistics
// (type 7, the numpy/R default). Empty input gives 0.
double quantile_sorted(const std::vector<double>& sorted, double q);
using tp::median;  // core/util/median.h
double median_absolute_deviation(const std::vector<double>& values);
SampleSummary summarize(std::vector<double> values);

// Relative spread of the samples themselves, robust to outliers: 1.4826 * MAD / median
// (equals stddev / mean for normal samples). 0 when the median is 0 or there are < 2 samples.
double robust_rel_spread(const std::vector<double>& values);

// Relative half-width of a 95% interval of the median estimated from `count` samples with robust
// relative spread `rel_spread`: 1.96 * 1.2533 * rel_spread / sqrt(count) (the median's standard
// error is sqrt(pi/2) times the mean's for normal samples). Infinity for count < 2.
double median_rel_half_width(double rel_spread, int count);

// Two-sided 97.5% quantile of Student's t with `dof` degrees of freedom (exact table to 30, then
// the normal approximation with a first-order correction).
double student_t_975(int dof);

// The interval of a point measured in several rounds: the rounds' medians are treated as
// independent estimates (drift between rounds is larger than the repeats within one), so the
// half-width is the Student-t 95% interval of their mean. With a single round it falls back to
// the within-round interval of the median from `within_round_samples`.
struct RoundInterval {
    double center = 0;          // mean of the round medians
    double half_width = 0;      // absolute
    double rel_half_width = 0;  // half_width / center
    int rounds = 0;
};
RoundInterval interval_across_rounds(const std::vector<double>& round_medians,
                                     const std::vector<double>& within_round_samples);

}  // namespace tp::agent
