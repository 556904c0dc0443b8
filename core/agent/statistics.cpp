#include "core/agent/statistics.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

namespace tp::agent {

double quantile_sorted(const std::vector<double>& sorted, double q) {
    if (sorted.empty()) return 0;
    q = std::clamp(q, 0.0, 1.0);
    double pos = q * static_cast<double>(sorted.size() - 1);
    auto lo = static_cast<std::size_t>(std::floor(pos));
    std::size_t hi = std::min(lo + 1, sorted.size() - 1);
    double frac = pos - static_cast<double>(lo);
    return sorted[lo] + (sorted[hi] - sorted[lo]) * frac;
}

double median_absolute_deviation(const std::vector<double>& values) {
    if (values.empty()) return 0;
    double m = median(values);
    std::vector<double> dev;
    dev.reserve(values.size());
    for (double v : values) dev.push_back(std::abs(v - m));
    return median(std::move(dev));
}

SampleSummary summarize(std::vector<double> values) {
    SampleSummary s;
    if (values.empty()) return s;
    std::sort(values.begin(), values.end());
    s.count = static_cast<int>(values.size());
    s.median = quantile_sorted(values, 0.5);
    s.p10 = quantile_sorted(values, 0.1);
    s.p90 = quantile_sorted(values, 0.9);
    s.min = values.front();
    s.max = values.back();
    s.mean = std::accumulate(values.begin(), values.end(), 0.0) / s.count;
    double ss = 0;
    for (double v : values) ss += (v - s.mean) * (v - s.mean);
    s.stddev = s.count > 1 ? std::sqrt(ss / (s.count - 1)) : 0;
    s.mad = median_absolute_deviation(values);
    return s;
}

double robust_rel_spread(const std::vector<double>& values) {
    if (values.size() < 2) return 0;
    double m = median(values);
    if (m == 0) return 0;
    return 1.4826 * median_absolute_deviation(values) / std::abs(m);
}

double median_rel_half_width(double rel_spread, int count) {
    if (count < 2) return std::numeric_limits<double>::infinity();
    return 1.96 * 1.2533 * rel_spread / std::sqrt(static_cast<double>(count));
}

double student_t_975(int dof) {
    static const double table[] = {0,      12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
                                   2.201,  2.179,  2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080,
                                   2.074,  2.069,  2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042};
    if (dof < 1) return std::numeric_limits<double>::infinity();
    if (dof <= 30) return table[dof];
    return 1.96 + 2.4 / dof;  // within 0.002 of the exact value above 30 degrees of freedom
}

RoundInterval interval_across_rounds(const std::vector<double>& round_medians,
                                     const std::vector<double>& within_round_samples) {
    RoundInterval r;
    r.rounds = static_cast<int>(round_medians.size());
    if (round_medians.empty()) return r;
    r.center = std::accumulate(round_medians.begin(), round_medians.end(), 0.0) / r.rounds;
    if (r.rounds >= 2) {
        double ss = 0;
        for (double m : round_medians) ss += (m - r.center) * (m - r.center);
        double sd = std::sqrt(ss / (r.rounds - 1));
        r.half_width = student_t_975(r.rounds - 1) * sd / std::sqrt(static_cast<double>(r.rounds));
    } else {
        double rel = median_rel_half_width(robust_rel_spread(within_round_samples),
                                           static_cast<int>(within_round_samples.size()));
        r.half_width = std::isfinite(rel) ? rel * r.center : 0;
    }
    r.rel_half_width = r.center != 0 ? r.half_width / std::abs(r.center) : 0;
    return r;
}

}  // namespace tp::agent
