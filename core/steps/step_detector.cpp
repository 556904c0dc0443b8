#include "core/steps/step_detector.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>
#include <utility>

#include "core/steps/changepoint.h"
#include "core/steps/periodic_detector.h"
#include "core/steps/robust_stats.h"
#include "core/steps/segment_fit.h"

namespace tp {
namespace {

using steps::SegmentFit;
using Segments = std::vector<std::pair<int, int>>;

struct Segmentation {
    double sigma = 0;
    double common_slope = 0;
    std::vector<double> clean;  // spikes and single-point dips replaced
    Segments segments;
    std::vector<SegmentFit> fits;  // whole-plateau lines
};

SegmentFit fit_segment(const std::vector<int>& t, const std::vector<double>& y, int b, int e, const StepSettings& s) {
    if (!s.allow_slope) return steps::fit_fixed_slope(t, y, b, e, 0.0);
    if (e - b >= s.min_points_for_own_slope) return steps::fit_line(t, y, b, e);
    return steps::fit_fixed_slope(t, y, b, e, steps::local_median_slope(t, y, b, e, s.min_points_for_own_slope));
}

// The jump at a boundary from the points next to it only (at most edge_fit_points a side), with one
// slope shared by both sides: y = a + slope·t + jump·[after]. Near its end a curving plateau
// (attention, drift) is straight, and a shared slope is far steadier than one per side.
struct BoundaryFit {
    double slope = 0, jump = 0;
    double variance = 0;  // Var(jump) / sigma²
    double t_before = 0, y_before = 0, t_after = 0, y_after = 0;  // side means
    double before_at(double t) const { return y_before + slope * (t - t_before); }
    double after_at(double t) const { return y_after + slope * (t - t_after); }
};
BoundaryFit fit_boundary(const std::vector<int>& t, const std::vector<double>& y, std::pair<int, int> a,
                         std::pair<int, int> b, const StepSettings& s) {
    const int w = std::max(s.min_segment, s.edge_fit_points);
    const int a0 = std::max(a.first, a.second - w), a1 = a.second, b0 = b.first, b1 = std::min(b.second, b.first + w);
    auto means = [&](int lo, int hi, double& tm, double& ym) {
        tm = ym = 0;
        for (int i = lo; i < hi; ++i) { tm += t[std::size_t(i)]; ym += y[std::size_t(i)]; }
        tm /= hi - lo;
        ym /= hi - lo;
    };
    BoundaryFit f;
    means(a0, a1, f.t_before, f.y_before);
    means(b0, b1, f.t_after, f.y_after);
    double sxx = 0, sxy = 0;
    auto accumulate = [&](int lo, int hi, double tm, double ym) {
        for (int i = lo; i < hi; ++i) {
            sxx += (t[std::size_t(i)] - tm) * (t[std::size_t(i)] - tm);
            sxy += (t[std::size_t(i)] - tm) * (y[std::size_t(i)] - ym);
        }
    };
    accumulate(a0, a1, f.t_before, f.y_before);
    accumulate(b0, b1, f.t_after, f.y_after);
    const double dt = f.t_after - f.t_before;
    if (s.allow_slope && sxx > 0) f.slope = sxy / sxx;
    f.jump = (f.y_after - f.y_before) - f.slope * dt;
    f.variance = 1.0 / (a1 - a0) + 1.0 / (b1 - b0) + (s.allow_slope && sxx > 0 ? dt * dt / sxx : 0.0);
    return f;
}

// Segments y: detrend by the common slope, remove single-point outliers, PELT, then merge
// neighbours whose jump is not significant (refitting each plateau with its own slope).
Segmentation segment(const std::vector<int>& t, const std::vector<double>& y, const StepSettings& s) {
    Segmentation out;
    const int n = int(y.size());
    out.common_slope = s.allow_slope ? steps::median_adjacent_slope(t, y) : 0.0;
    std::vector<double> detrended(y.size());
    for (std::size_t i = 0; i < y.size(); ++i) detrended[i] = y[i] - out.common_slope * t[i];
    std::vector<double> magnitudes(y.size());
    for (std::size_t i = 0; i < y.size(); ++i) magnitudes[i] = std::abs(y[i]);
    const double floor = std::max(1e-12, 1e-6 * steps::median_of(magnitudes));
    out.sigma = std::max(floor, steps::noise_sigma_from_differences(detrended));
    detrended = steps::remove_short_outliers(detrended, std::max(1, s.min_segment - 1), s.spike_sigma * out.sigma);
    out.clean.resize(y.size());
    for (std::size_t i = 0; i < y.size(); ++i) out.clean[i] = detrended[i] + out.common_slope * t[i];

    const double penalty = s.sensitivity * out.sigma * out.sigma * std::log(std::max(2, n));
    std::vector<int> cps = steps::pelt_changepoints(detrended, penalty, s.min_segment);
    Segments segs;
    int begin = 0;
    for (int c : cps) { segs.emplace_back(begin, c); begin = c; }
    if (n > 0) segs.emplace_back(begin, n);

    for (;;) {
        int weakest = -1;
        double weakest_ratio = 1.0;
        for (std::size_t i = 0; i + 1 < segs.size(); ++i) {
            const BoundaryFit bf = fit_boundary(t, out.clean, segs[i], segs[i + 1], s);
            // The shared slope also bridges a gap in a sparse grid, so the slope over it is not a jump.
            const double level = bf.before_at(t[std::size_t(segs[i].second - 1)]);
            const double threshold = std::max({s.min_jump_sigma * out.sigma * std::sqrt(bf.variance),
                                               s.min_rel_height * std::abs(level), s.min_confidence * out.sigma});
            const double ratio = threshold > 0 ? std::abs(bf.jump) / threshold : 2.0;
            if (ratio < weakest_ratio) { weakest_ratio = ratio; weakest = int(i); }
        }
        if (weakest < 0) break;
        segs[std::size_t(weakest)].second = segs[std::size_t(weakest) + 1].second;
        segs.erase(segs.begin() + weakest + 1);
    }
    out.segments = segs;
    for (const auto& [b, e] : segs) out.fits.push_back(fit_segment(t, out.clean, b, e, s));
    return out;
}

}  // namespace

const Plateau* StepAnalysis::plateau_at(int tokens) const {
    if (plateaus.empty() || tokens < plateaus.front().first_tokens || tokens > plateaus.back().last_tokens)
        return nullptr;
    for (std::size_t i = 0; i < plateaus.size(); ++i) {
        const Plateau& p = plateaus[i];
        if (tokens <= p.last_tokens) return &p;
        const Plateau& next = plateaus[i + 1];
        if (tokens < next.first_tokens) {  // an unmeasured gap at an edge
            const int to_left = tokens - p.last_tokens, to_right = next.first_tokens - tokens;
            if (to_left != to_right) return to_left < to_right ? &p : &next;
            return p.level_at(p.last_tokens) >= next.level_at(next.first_tokens) ? &p : &next;
        }
    }
    return nullptr;
}

int StepAnalysis::one_more_token_below(int tokens) const {
    const Plateau* here = plateau_at(tokens);
    if (!here) return 0;
    const double level = here->level_at(tokens);
    for (auto i = std::ptrdiff_t(here - plateaus.data()) - 1; i >= 0; --i) {
        const Plateau& p = plateaus[std::size_t(i)];
        if (p.level_at(p.last_tokens) < level) return p.last_tokens;
    }
    return 0;
}

StepAnalysis detect_steps(const std::vector<int>& tokens_in, const std::vector<double>& latency_in,
                          const StepSettings& settings) {
    if (tokens_in.size() != latency_in.size())
        throw std::invalid_argument("detect_steps: " + std::to_string(tokens_in.size()) + " token counts but " +
                                    std::to_string(latency_in.size()) + " latencies");
    std::vector<std::size_t> order(tokens_in.size());
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](auto a, auto b) { return tokens_in[a] < tokens_in[b]; });
    std::vector<int> t;
    std::vector<double> y;
    t.reserve(order.size());
    y.reserve(order.size());
    for (std::size_t i : order) {
        if (!std::isfinite(latency_in[i]))
            throw std::invalid_argument("detect_steps: latency at " + std::to_string(tokens_in[i]) + " tokens is not finite");
        if (tokens_in[i] <= 0)
            throw std::invalid_argument("detect_steps: token count must be positive, found " + std::to_string(tokens_in[i]));
        if (!t.empty() && t.back() == tokens_in[i])
            throw std::invalid_argument("detect_steps: duplicate token count " + std::to_string(tokens_in[i]));
        t.push_back(tokens_in[i]);
        y.push_back(latency_in[i]);
    }

    StepAnalysis out;
    if (t.empty()) return out;
    Segmentation seg = segment(t, y, settings);
    if (settings.detect_period) {
        const int window = 2 * settings.period_settings.max_period + 1;
        const std::vector<double> rel = steps::relative_residuals(t, y, seg.segments, window);
        out.period = steps::detect_period(t, rel, settings.period_settings);
        if (out.period.found) {
            // Take the periodic pattern out before looking for edges again, so its swing does not
            // count as noise (and its residues cannot pose as plateaus).
            std::vector<double> corrected = y;
            for (std::size_t i = 0; i < y.size(); ++i) {
                const int r = t[i] % out.period.period;
                const bool classified =
                    std::count(out.period.fast_residues.begin(), out.period.fast_residues.end(), r) ||
                    std::count(out.period.slow_residues.begin(), out.period.slow_residues.end(), r);
                if (classified && !std::isnan(rel[i]))
                    corrected[i] = y[i] / (1 + out.period.residue_effect_pct[std::size_t(r)] / 100);
            }
            seg = segment(t, corrected, settings);
        }
    }

    out.noise_sigma_ms = seg.sigma;
    for (std::size_t i = 0; i < seg.fits.size(); ++i) {
        const SegmentFit& f = seg.fits[i];
        Plateau p;
        p.first_tokens = t[std::size_t(f.begin)];
        p.last_tokens = t[std::size_t(f.end - 1)];
        p.points = f.end - f.begin;
        p.intercept_ms = f.intercept;
        p.slope_ms_per_token = f.slope;
        out.plateaus.push_back(p);
        if (i == 0) continue;
        const Plateau& before = out.plateaus[i - 1];
        const BoundaryFit bf = fit_boundary(t, seg.clean, seg.segments[i - 1], seg.segments[i], settings);
        Edge e;
        e.tokens = p.first_tokens;
        e.last_before = before.last_tokens;
        e.level_before_ms = bf.before_at(e.last_before);
        e.level_after_ms = bf.after_at(e.tokens);
        e.height_ms = e.level_after_ms - e.level_before_ms;
        e.height_pct = e.level_before_ms != 0 ? 100 * e.height_ms / e.level_before_ms : 0;
        e.confidence = std::abs(bf.jump) / seg.sigma;
        out.edges.push_back(e);
    }
    return out;
}

StepAnalysis detect_steps(const Curve& curve, const StepSettings& settings) {
    return detect_steps(curve.token_counts(), curve.medians(), settings);
}

}  // namespace tp
