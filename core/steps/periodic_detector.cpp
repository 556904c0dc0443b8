#include "core/steps/periodic_detector.h"

#include <algorithm>
#include <cmath>

#include "core/steps/robust_stats.h"
#include "core/steps/segment_fit.h"

namespace tp::steps {
namespace {

// Normal score of a chi-square value with k degrees of freedom (Wilson–Hilferty).
double chi_square_z(double x, double k) {
    const double a = 2.0 / (9.0 * k);
    return (std::cbrt(x / k) - (1.0 - a)) / std::sqrt(a);
}

struct ResidueStats {
    std::vector<double> sum, count;
    double ssb = 0, ssw = 0;
    int groups = 0, points = 0;
};

ResidueStats residue_stats(const std::vector<int>& t, const std::vector<double>& x, int period, int min_points) {
    ResidueStats s;
    s.sum.assign(std::size_t(period), 0);
    s.count.assign(std::size_t(period), 0);
    for (std::size_t i = 0; i < t.size(); ++i) {
        if (std::isnan(x[i])) continue;
        const auto r = std::size_t(t[i] % period);
        s.sum[r] += x[i];
        s.count[r] += 1;
    }
    double total = 0;
    for (int r = 0; r < period; ++r) {
        if (s.count[std::size_t(r)] < min_points) { s.count[std::size_t(r)] = 0; continue; }
        ++s.groups;
        s.points += int(s.count[std::size_t(r)]);
        total += s.sum[std::size_t(r)];
    }
    if (s.groups < 2) return s;
    const double grand = total / s.points;
    for (std::size_t i = 0; i < t.size(); ++i) {
        const auto r = std::size_t(t[i] % period);
        if (std::isnan(x[i]) || s.count[r] == 0) continue;
        const double d = x[i] - s.sum[r] / s.count[r];
        s.ssw += d * d;
    }
    for (int r = 0; r < period; ++r)
        if (s.count[std::size_t(r)] > 0) {
            const double d = s.sum[std::size_t(r)] / s.count[std::size_t(r)] - grand;
            s.ssb += s.count[std::size_t(r)] * d * d;
        }
    return s;
}

}  // namespace

std::vector<double> relative_residuals(const std::vector<int>& t, const std::vector<double>& y,
                                       const std::vector<std::pair<int, int>>& segments, int window, double* trend_slope) {
    // Trend = the segment's line + a running mean of what is left (curvature, drift). A running
    // median would follow a pattern that moves half the counts (period 2, or n%4 on two residues);
    // a mean over about two periods or more cancels any pattern of a period up to window/2.
    std::vector<double> detrended(y.size(), 0), smooth(y.size(), 0), out(y.size(), std::nan(""));
    std::vector<double> line(y.size(), 0);
    for (const auto& [b, e] : segments) {
        const SegmentFit f = e - b >= 2 ? fit_line(t, y, b, e) : fit_fixed_slope(t, y, b, e, 0.0);
        for (int i = b; i < e; ++i) {
            line[std::size_t(i)] = f.at(t[std::size_t(i)]);
            detrended[std::size_t(i)] = y[std::size_t(i)] - line[std::size_t(i)];
        }
        const int half = window / 2;
        for (int i = b; i < e; ++i) {
            const int lo = std::max(b, i - half), hi = std::min(e, i + half + 1);
            double sum = 0;
            for (int k = lo; k < hi; ++k) sum += detrended[std::size_t(k)];
            smooth[std::size_t(i)] = sum / (hi - lo);
        }
    }
    for (std::size_t i = 0; i < y.size(); ++i) {
        const double trend = line[i] + smooth[i];
        if (trend > 0) out[i] = (y[i] - trend) / trend;
    }
    if (trend_slope) {
        std::vector<double> slopes;
        slopes.reserve(y.size());
        for (const auto& [b, e] : segments)
            for (int i = b + 1; i < e; ++i) {
                const double lo = line[std::size_t(i) - 1] + smooth[std::size_t(i) - 1], hi = line[std::size_t(i)] + smooth[std::size_t(i)];
                if (lo > 0) slopes.push_back((hi - lo) / lo / double(t[std::size_t(i)] - t[std::size_t(i) - 1]));
            }
        *trend_slope = median(std::move(slopes));
    }
    return out;
}

namespace {

// Fast and slow residues of period p and their effects; found only with a clear residue.
PeriodicFinding describe_residues(const std::vector<int>& t, const std::vector<double>& x, const ResidueStats& s, int p,
                                  const PeriodSettings& cfg) {
    PeriodicFinding cand;
    cand.period = p;
    cand.residue_effect_pct.assign(std::size_t(p), 0);
    const double sd = std::sqrt(s.ssw / (s.points - s.groups));
    double fast_sum = 0, slow_sum = 0, confidence = 0;
    // Effects relative to the typical residue (the median residue mean): the running-mean trend
    // sits between fast and slow counts, the median residue is the "normal" count.
    std::vector<double> residue_means;
    for (int r = 0; r < p; ++r)
        if (s.count[std::size_t(r)] > 0) residue_means.push_back(s.sum[std::size_t(r)] / s.count[std::size_t(r)]);
    const double baseline = median(residue_means);
    for (int r = 0; r < p; ++r) {
        const double n = s.count[std::size_t(r)];
        if (n == 0) continue;
        const double effect = s.sum[std::size_t(r)] / n - baseline;
        cand.residue_effect_pct[std::size_t(r)] = 100 * effect;
        const double score = std::abs(effect) / (sd / std::sqrt(n));
        if (score < cfg.min_residue_sigma) continue;
        int agree = 0;
        for (std::size_t i = 0; i < t.size(); ++i)
            if (!std::isnan(x[i]) && t[i] % p == r && (effect < 0 ? x[i] < baseline : x[i] > baseline)) ++agree;
        if (agree < cfg.min_residue_agreement * n) continue;
        (effect < 0 ? cand.fast_residues : cand.slow_residues).push_back(r);
        (effect < 0 ? fast_sum : slow_sum) += 100 * effect;
        confidence = std::max(confidence, score);
    }
    if (confidence < cfg.min_confidence) return cand;
    if (!cand.fast_residues.empty()) cand.fast_pct = fast_sum / double(cand.fast_residues.size());
    if (!cand.slow_residues.empty()) cand.slow_pct = slow_sum / double(cand.slow_residues.size());
    cand.confidence = confidence;
    cand.found = true;
    return cand;
}

// Whether `fine` (a multiple of coarse.period) only repeats `coarse`: the same fast and slow
// residues, taken modulo the coarse period.
bool repeats(const PeriodicFinding& fine, const PeriodicFinding& coarse) {
    auto lifted = [&](const std::vector<int>& residues) {
        std::vector<int> out;
        for (int r = 0; r < fine.period; ++r)
            if (std::find(residues.begin(), residues.end(), r % coarse.period) != residues.end()) out.push_back(r);
        return out;
    };
    return fine.fast_residues == lifted(coarse.fast_residues) && fine.slow_residues == lifted(coarse.slow_residues);
}

}  // namespace

PeriodicFinding detect_period(const std::vector<int>& t, const std::vector<double>& x, const PeriodSettings& cfg) {
    // One-way ANOVA per period. A period is adequate when it is significant and none of its
    // multiples explains significantly more (nested F test at min_z; at the lower min_z_multiple
    // when the multiple's fast/slow residues say something the period's cannot — not just the
    // same residues repeated); a period with an adequate divisor is redundant. Among the rest the
    // highest F (variance explained per degree of freedom) wins.
    const int lo = std::max(2, cfg.min_period), hi = std::max(lo, cfg.max_period);
    std::vector<ResidueStats> stats(std::size_t(hi) + 1);
    std::vector<PeriodicFinding> residues(std::size_t(hi) + 1);
    std::vector<double> f(std::size_t(hi) + 1, 0);
    std::vector<bool> significant(std::size_t(hi) + 1, false), adequate(std::size_t(hi) + 1, false);
    auto df1 = [&](int p) { return stats[std::size_t(p)].groups - 1; };
    auto df2 = [&](int p) { return stats[std::size_t(p)].points - stats[std::size_t(p)].groups; };
    for (int p = lo; p <= hi; ++p) {
        stats[std::size_t(p)] = residue_stats(t, x, p, cfg.min_points_per_residue);
        const ResidueStats& s = stats[std::size_t(p)];
        if (df1(p) < 1 || df2(p) < 2 || s.ssw <= 0) continue;
        f[std::size_t(p)] = (s.ssb / df1(p)) / (s.ssw / df2(p));
        significant[std::size_t(p)] = chi_square_z(f[std::size_t(p)] * df1(p), df1(p)) >= cfg.min_z;
        if (significant[std::size_t(p)]) residues[std::size_t(p)] = describe_residues(t, x, s, p, cfg);
    }
    for (int p = lo; p <= hi; ++p) {
        if (!significant[std::size_t(p)]) continue;
        bool ok = true;
        for (int q = 2 * p; q <= hi && ok; q += p) {
            if (!significant[std::size_t(q)] || df1(q) <= df1(p)) continue;
            const double msw = stats[std::size_t(q)].ssw / df2(q);
            const double extra = stats[std::size_t(q)].ssb - stats[std::size_t(p)].ssb;
            const double z = chi_square_z(extra / msw, df1(q) - df1(p));
            const bool says_more = residues[std::size_t(q)].found && !repeats(residues[std::size_t(q)], residues[std::size_t(p)]);
            ok = z < (says_more ? cfg.min_z_multiple : cfg.min_z);
        }
        adequate[std::size_t(p)] = ok;
    }
    PeriodicFinding best;
    double best_f = 0;
    for (int p = lo; p <= hi; ++p) {
        if (!adequate[std::size_t(p)] || !residues[std::size_t(p)].found) continue;
        bool redundant = false;
        for (int d = 2; d < p && !redundant; ++d) redundant = p % d == 0 && d >= lo && adequate[std::size_t(d)];
        if (redundant || f[std::size_t(p)] <= best_f) continue;
        best = residues[std::size_t(p)];
        best_f = f[std::size_t(p)];
    }
    return best;
}

int staircase_not_pattern(const std::vector<int>& t, const std::vector<double>& x, const PeriodicFinding& f,
                          double trend_slope, const PeriodSettings& cfg) {
    if (!f.found || f.period < 2) return -1;
    const int p = f.period;
    const ResidueStats s = residue_stats(t, x, p, cfg.min_points_per_residue);
    std::vector<int> present;
    for (int r = 0; r < p; ++r)
        if (s.count[std::size_t(r)] > 0) present.push_back(r);
    if (present.size() < 2) return -1;
    // Weighted least squares of the residue means on the tokens since the step, for the step residue
    // r* that fits best. Tokens since the step: since the last measured count of residue r* (on a
    // strided grid the residues come in another order than 0..p-1: every 8 tokens mod 5).
    double best_explained = -1, best_slope = 0;
    int best_residue = -1;
    std::vector<double> since(static_cast<std::size_t>(p)), seen(static_cast<std::size_t>(p));
    for (int step_at : present) {
        std::fill(since.begin(), since.end(), 0.0);
        std::fill(seen.begin(), seen.end(), 0.0);
        int last = -1;
        for (std::size_t i = 0; i < t.size(); ++i) {
            const int r = t[i] % p;
            if (r == step_at) last = t[i];
            if (last < 0 || std::isnan(x[i]) || s.count[std::size_t(r)] == 0) continue;
            since[std::size_t(r)] += t[i] - last;
            seen[std::size_t(r)] += 1;
        }
        double sw = 0, sd = 0, se = 0;
        for (int r : present) {
            if (seen[std::size_t(r)] == 0) continue;
            since[std::size_t(r)] /= seen[std::size_t(r)];
            const double w = s.count[std::size_t(r)], e = s.sum[std::size_t(r)] / w;
            sw += w; sd += w * since[std::size_t(r)]; se += w * e;
        }
        if (sw <= 0) continue;
        const double dm = sd / sw, em = se / sw;
        double sdd = 0, sde = 0, see = 0;
        for (int r : present) {
            if (seen[std::size_t(r)] == 0) continue;
            const double w = s.count[std::size_t(r)], d = since[std::size_t(r)] - dm, e = s.sum[std::size_t(r)] / w - em;
            sdd += w * d * d; sde += w * d * e; see += w * e * e;
        }
        if (sdd <= 0 || see <= 0) continue;
        const double explained = sde * sde / (sdd * see);
        if (explained > best_explained) { best_explained = explained; best_slope = sde / sdd; best_residue = step_at; }
    }
    if (best_explained < 0.8 || best_slope >= 0) return -1;
    // Flat or rising plateaus: the trend rises at least as fast as the residues fall (a quarter of
    // the fall allowed for a plateau that sags a little).
    return trend_slope + best_slope >= -0.25 * std::abs(best_slope) ? best_residue : -1;
}

}  // namespace tp::steps
