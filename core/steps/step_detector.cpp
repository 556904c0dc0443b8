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

// Prefix sums of t, y, t², t·y (both centred, so long curves at large levels lose no precision):
// the sums over any run of points in O(1).
class Sums {
public:
    Sums(const std::vector<int>& t, const std::vector<double>& y) : t0_(t.empty() ? 0 : t[t.size() / 2]), y0_(y.empty() ? 0 : y[y.size() / 2]) {
        const std::size_t n = t.size();
        st_.assign(n + 1, 0); sy_.assign(n + 1, 0); stt_.assign(n + 1, 0); sty_.assign(n + 1, 0); syy_.assign(n + 1, 0);
        for (std::size_t i = 0; i < n; ++i) {
            const double tc = t[i] - t0_, yc = y[i] - y0_;
            st_[i + 1] = st_[i] + tc;
            sy_[i + 1] = sy_[i] + yc;
            stt_[i + 1] = stt_[i] + tc * tc;
            sty_[i + 1] = sty_[i] + tc * yc;
            syy_[i + 1] = syy_[i] + yc * yc;
        }
    }
    struct Run {
        double n = 0, t = 0, y = 0, sxx = 0, sxy = 0, syy = 0;  // count, means (centred), centred sums of squares
    };
    Run run(int lo, int hi) const {
        Run r;
        if (hi <= lo) return r;
        const auto a = std::size_t(lo), b = std::size_t(hi);
        r.n = hi - lo;
        const double st = st_[b] - st_[a], sy = sy_[b] - sy_[a];
        r.t = st / r.n;
        r.y = sy / r.n;
        r.sxx = std::max(0.0, (stt_[b] - stt_[a]) - st * r.t);
        r.sxy = (sty_[b] - sty_[a]) - st * r.y;
        r.syy = std::max(0.0, (syy_[b] - syy_[a]) - sy * r.y);
        return r;
    }
    double t0() const { return t0_; }
    double y0() const { return y0_; }

private:
    double t0_, y0_;
    std::vector<double> st_, sy_, stt_, sty_, syy_;
};

struct Segmentation {
    double sigma = 0;
    double common_slope = 0;
    std::vector<double> clean;  // spikes and single-point dips replaced
    Segments segments;
    Segments conservative;  // first pass, no slope borrowing: where the residue pattern is looked for
    bool known_staircase = false;  // candidate edges were given (a staircase seen through a period, or a
                                   // dense one): each jump is taken against the plateaus' median slope
    std::vector<SegmentFit> fits;  // whole-plateau lines
};

// Points a short plateau's slope may borrow from its neighbours' (within-plateau) slopes.
constexpr int kSlopeReach = 32;
// Thresholds where the curve is known to be a staircase (seen through a period, or dense).
constexpr double kStaircaseConfidence = 2.0, kStaircaseJumpSigma = 2.5;
// A regular staircase (its rising steps on a token grid, find_tile_grid): the grid counts are where
// steps are expected, and their jumps are judged with these. Chosen on the shape sets' seeds 1-400
// (bench_steps), checked on seeds 1001-1400.
constexpr double kGridConfidence = 1.5, kGridJumpSigma = 2.0;
constexpr double kGridOn = 0.8, kGridFill = 0.4;
// Isolated edges between two long plateaus (kLongMin points or more on each side): the jump from
// up to kLongW points a side, as many on each (a symmetric window: a curved trend biases nothing),
// and for a rising step a floor of kLongConfidence σ (3 elsewhere, and for drops: on the H100 fp16
// batch-8 curve 2.6-2.8σ drops between long plateaus are no edge by its label) next to
// min_jump_sigma·σ·√Var.
constexpr int kLongMin = 16, kLongW = 32;
constexpr double kLongConfidence = 2.25;

// The within-plateau slope pooled over segments [first, last] (each with its own level), each
// clipped to [lo, hi): sxx and sxy summed.
void pool_slope(const Sums& sums, const Segments& segs, int first, int last, int lo, int hi, double& sxx, double& sxy) {
    for (int j = first; j <= last; ++j) {
        const Sums::Run r = sums.run(std::max(lo, segs[std::size_t(j)].first), std::min(hi, segs[std::size_t(j)].second));
        sxx += r.sxx;
        sxy += r.sxy;
    }
}

// Segments on one side of a boundary that a short plateau's slope borrows from: moving away from
// the boundary, whole segments while at most kSlopeReach points are covered (a plateau of `own`
// points or more needs none).
int reach_back(const Segments& segs, int i, int own) {
    int j = i, covered = segs[std::size_t(i)].second - segs[std::size_t(i)].first;
    if (covered >= own) return i;
    while (j > 0 && covered + (segs[std::size_t(j - 1)].second - segs[std::size_t(j - 1)].first) <= kSlopeReach) {
        --j;
        covered += segs[std::size_t(j)].second - segs[std::size_t(j)].first;
    }
    return j;
}
int reach_forward(const Segments& segs, int i, int own) {
    int j = i, covered = segs[std::size_t(i)].second - segs[std::size_t(i)].first;
    if (covered >= own) return i;
    while (j + 1 < int(segs.size()) && covered + (segs[std::size_t(j + 1)].second - segs[std::size_t(j + 1)].first) <= kSlopeReach) {
        ++j;
        covered += segs[std::size_t(j)].second - segs[std::size_t(j)].first;
    }
    return j;
}

// The jump at a boundary from the points next to it only (at most edge_fit_points a side), with one
// slope shared by both sides: y = a + slope·t + jump·[after]. Near its end a curving plateau
// (attention, drift) is straight, and a shared slope is far steadier than one per side. A side
// shorter than min_points_for_own_slope (dense staircases, strided sweeps) also borrows the within-plateau
// slope of the plateaus beyond it, up to kSlopeReach points: with a slope from its own 3-5 points a
// 5σ step would not be significant. (Only short sides borrow, and from close by: on a curved trend
// a slope from further away biases the jump.)
struct BoundaryFit {
    double slope = 0, jump = 0;
    double variance = 0;  // Var(jump) / sigma²
    bool long_sides = false;
    double scatter = 0;   // long sides: RMS of the points around the two lines (drift and wander included)
    double t_before = 0, y_before = 0, t_after = 0, y_after = 0;  // side means
    double before_at(double t) const { return y_before + slope * (t - t_before); }
    double after_at(double t) const { return y_after + slope * (t - t_after); }
};
BoundaryFit fit_boundary(const Sums& sums, const Segments& segs, int i, const StepSettings& s, bool borrow = true,
                         const double* prior_slope = nullptr) {
    int w = std::max(s.min_segment, s.edge_fit_points);
    const auto& a = segs[std::size_t(i)];
    const auto& b = segs[std::size_t(i) + 1];
    const int shorter = std::min(a.second - a.first, b.second - b.first);
    const bool long_sides = borrow && !prior_slope && shorter >= kLongMin;
    if (long_sides) w = std::min(std::max(w, kLongW), shorter);
    const int a0 = std::max(a.first, a.second - w), a1 = a.second, b0 = b.first, b1 = std::min(b.second, b.first + w);
    const Sums::Run ra = sums.run(a0, a1), rb = sums.run(b0, b1);
    double sxx = ra.sxx + rb.sxx, sxy = ra.sxy + rb.sxy;
    const int own = std::max(2, s.min_points_for_own_slope);
    if (s.allow_slope && borrow && prior_slope) {
        // A staircase seen through a period: the plateaus' slope around the boundary (a median, so a
        // step not found yet does not tilt it and take its neighbours with it).
        BoundaryFit f;
        f.t_before = ra.t + sums.t0();
        f.y_before = ra.y + sums.y0();
        f.t_after = rb.t + sums.t0();
        f.y_after = rb.y + sums.y0();
        f.slope = *prior_slope;
        f.jump = (f.y_after - f.y_before) - f.slope * (f.t_after - f.t_before);
        f.variance = 1.0 / ra.n + 1.0 / rb.n;
        return f;
    }
    if (s.allow_slope && borrow) {
        // Short sides: the plateaus beyond them lend their within-plateau slope too.
        const int back = reach_back(segs, i, own), fwd = reach_forward(segs, i + 1, own);
        if (back < i) {
            pool_slope(sums, segs, back, i - 1, 0, a0, sxx, sxy);
            pool_slope(sums, segs, i, i, a.first, a0, sxx, sxy);
        }
        if (fwd > i + 1) {
            pool_slope(sums, segs, i + 2, fwd, b1, int(segs.back().second), sxx, sxy);
            pool_slope(sums, segs, i + 1, i + 1, b1, b.second, sxx, sxy);
        }
    }
    BoundaryFit f;
    f.t_before = ra.t + sums.t0();
    f.y_before = ra.y + sums.y0();
    f.t_after = rb.t + sums.t0();
    f.y_after = rb.y + sums.y0();
    const double dt = f.t_after - f.t_before;
    if (s.allow_slope && sxx > 0) f.slope = sxy / sxx;
    f.jump = (f.y_after - f.y_before) - f.slope * dt;
    f.variance = 1.0 / ra.n + 1.0 / rb.n + (s.allow_slope && sxx > 0 ? dt * dt / sxx : 0.0);
    f.long_sides = long_sides;
    if (long_sides) {
        const double ssr = ra.syy + rb.syy - (sxx > 0 ? sxy * sxy / sxx : 0.0);
        f.scatter = std::sqrt(std::max(0.0, ssr) / std::max(1.0, ra.n + rb.n - 3));
    }
    return f;
}

// A plateau's line: its own fit from min_points_for_own_slope points, else its level with the
// within-plateau slope of the plateaus around it (up to kSlopeReach points).
SegmentFit fit_segment(const std::vector<int>& t, const std::vector<double>& y, const Sums& sums, const Segments& segs,
                       int i, const StepSettings& s) {
    const auto [b, e] = segs[std::size_t(i)];
    if (!s.allow_slope) return steps::fit_fixed_slope(t, y, b, e, 0.0);
    if (e - b >= s.min_points_for_own_slope) return steps::fit_line(t, y, b, e);
    double sxx = 0, sxy = 0;
    const int lo = reach_back(segs, i, s.min_points_for_own_slope), hi = reach_forward(segs, i, s.min_points_for_own_slope);
    pool_slope(sums, segs, lo, hi, 0, int(t.size()), sxx, sxy);
    const double slope = sxx > 0 ? sxy / sxx : steps::local_median_slope(t, y, b, e, s.min_points_for_own_slope);
    return steps::fit_fixed_slope(t, y, b, e, slope);
}

// The plateaus' slope around boundary i: the median of slopes within plateaus, kSlopeReach points
// a side (robust to a step not found yet, local on a curved trend); `fallback` with fewer than 8 of
// them. Each plateau's slopes span half its length (points k and k + len/2): over a few tokens
// adjacent slopes scatter by σ·√2 per token, and their median's error, times the tokens between
// two plateaus' centres, amounted to several σ of jump on plateaus of 16 points.
double local_plateau_slope(const std::vector<int>& t, const std::vector<double>& y, const Segments& segs, int i,
                           double fallback, std::vector<double>& scratch) {
    const int at = segs[std::size_t(i)].second, lo = std::max(0, at - kSlopeReach), hi = std::min(int(t.size()), at + kSlopeReach);
    scratch.clear();
    std::size_t j = std::size_t(std::max(0, i - 1));
    while (j > 0 && segs[j].first > lo) --j;
    for (; j < segs.size() && segs[j].first < hi; ++j) {
        const int b = std::max(lo, segs[j].first), e = std::min(hi, segs[j].second), h = std::max(1, (e - b) / 2);
        for (int k = b; k + h < e; ++k)
            scratch.push_back((y[std::size_t(k + h)] - y[std::size_t(k)]) / double(t[std::size_t(k + h)] - t[std::size_t(k)]));
    }
    return scratch.size() >= 8 ? median(scratch) : fallback;
}

// Backward elimination: remove the weakest boundary while its jump is not significant. A merge
// only changes the boundaries whose fit reaches into the merged plateau, so only those are refitted.
// Without `borrow` every side's slope comes from its own points only (the conservative segmentation
// the residue pattern is looked for in: there a short plateau cannot lean on its neighbours).
Segments merge_insignificant(const std::vector<int>& t, const Sums& sums, Segments segs, double sigma,
                             const StepSettings& s, bool borrow, const std::vector<double>* plateau_values = nullptr,
                             const std::vector<double>* values = nullptr, const std::vector<char>* grid = nullptr) {
    // (plateau_values: a known staircase, each jump against the plateaus' slope around it.)
    // The plateaus' slope at each boundary, from the candidates (a merge leaves the remaining
    // boundaries where they are, and the median hardly moves when a step joins a plateau).
    std::vector<double> scratch, prior_at;
    if (plateau_values) {
        prior_at.assign(t.size() + 1, 0.0);
        for (std::size_t i = 0; i + 1 < segs.size(); ++i)
            prior_at[std::size_t(segs[i].second)] = local_plateau_slope(t, *plateau_values, segs, int(i), 0.0, scratch);
    }
    // The noise around each boundary where it is larger than the curve's σ: measurement noise grows
    // with the level (a ramp rising tenfold has ten times the noise at its top), and one σ for the
    // whole curve would make its noisy end a row of edges. MAD of the first differences within the
    // candidate plateaus, kSlopeReach points a side, where it is at least 1.25σ.
    std::vector<double> noise_at;
    if (values && segs.size() > 1) {
        // Only where the noise differs along the curve (its thirds' MADs apart by 1.25x or more).
        const std::size_t n = values->size(), third = n / 3;
        auto mad = [&](std::size_t lo, std::size_t hi) {
            std::vector<double> d;
            for (std::size_t k = lo + 1; k < hi; ++k) d.push_back((*values)[k] - (*values)[k - 1]);
            const double centre = median(d);
            for (double& x : d) x = std::abs(x - centre);
            return median(std::move(d));
        };
        if (third >= 16) {
            const double a = mad(0, third), b = mad(n - third, n);
            if (std::max(a, b) < 1.25 * std::min(a, b)) values = nullptr;
        }
    }
    if (values) {
        noise_at.assign(t.size() + 1, sigma);
        std::vector<double> d;
        for (std::size_t i = 0; i + 1 < segs.size(); ++i) {
            const int at = segs[i].second, lo = std::max(1, at - kSlopeReach), hi = std::min(int(t.size()), at + kSlopeReach);
            d.clear();
            std::size_t j = i;
            while (j > 0 && segs[j].first > lo) --j;
            for (; j < segs.size() && segs[j].first < hi; ++j)
                for (int k = std::max(lo, segs[j].first + 1); k < std::min(hi, segs[j].second); ++k)
                    d.push_back((*values)[std::size_t(k)] - (*values)[std::size_t(k) - 1]);
            if (d.size() < 16) continue;
            const double centre = median(d);
            for (double& x : d) x = std::abs(x - centre);
            // (Only clearly larger: a MAD of ~60 differences scatters by ~10% on white noise.)
            const double local = median(d) / (0.6745 * std::sqrt(2.0));
            if (local > 1.25 * sigma) noise_at[std::size_t(at)] = local;
        }
    }
    // Grid counts skip PELT, whose penalty is where the sensitivity acts: a stricter setting than the
    // default raises their lower floors as PELT's jump threshold grows, with √(sensitivity / 3), up
    // to the floors every other edge has (from sensitivity ~5.3 on they get no lower ones).
    const double grid_strictness = std::max(1.0, std::sqrt(s.sensitivity / StepSettings{}.sensitivity));
    auto ratio_of = [&](int i) {
        const double sigma_here = values ? noise_at[std::size_t(segs[std::size_t(i)].second)] : sigma;
        double prior = 0;
        if (plateau_values) prior = prior_at[std::size_t(segs[std::size_t(i)].second)];
        const BoundaryFit bf = fit_boundary(sums, segs, i, s, borrow, plateau_values ? &prior : nullptr);
        // The shared slope also bridges a gap in a sparse grid, so the slope over it is not a jump.
        const double level = bf.before_at(t[std::size_t(segs[std::size_t(i)].second - 1)]);
        const bool on_grid = grid && (*grid)[std::size_t(segs[std::size_t(i)].second)];
        const double jump_sigma = on_grid ? std::min(s.min_jump_sigma, kGridJumpSigma * grid_strictness) : s.min_jump_sigma;
        const double confidence = on_grid ? std::min(s.min_confidence, kGridConfidence * grid_strictness)
                                          : bf.long_sides && bf.jump > 0 ? std::min(s.min_confidence, kLongConfidence)
                                                                         : s.min_confidence;
        // (Between long plateaus the floor holds against the points' scatter around the two lines
        // where that is larger than the point-to-point σ: real curves wander slowly.)
        const double floor_sigma = bf.long_sides ? std::max(sigma_here, bf.scatter) : sigma_here;
        const double threshold = std::max({jump_sigma * sigma_here * std::sqrt(bf.variance),
                                           s.min_rel_height * std::abs(level), confidence * floor_sigma});
        return threshold > 0 ? std::abs(bf.jump) / threshold : 2.0;
    };
    std::vector<double> ratio(segs.empty() ? 0 : segs.size() - 1);
    for (std::size_t i = 0; i < ratio.size(); ++i) ratio[i] = ratio_of(int(i));
    const int reach = std::max(kSlopeReach, std::max(s.min_segment, s.edge_fit_points)) + 1;
    while (!ratio.empty()) {
        const auto weakest = std::size_t(std::min_element(ratio.begin(), ratio.end()) - ratio.begin());
        if (ratio[weakest] >= 1.0) break;
        segs[weakest].second = segs[weakest + 1].second;
        segs.erase(segs.begin() + std::ptrdiff_t(weakest) + 1);
        ratio.erase(ratio.begin() + std::ptrdiff_t(weakest));
        const int lo = segs[weakest].first - reach, hi = segs[weakest].second + reach;
        for (std::size_t j = weakest; j-- > 0 && segs[j].second >= lo;) ratio[j] = ratio_of(int(j));
        for (std::size_t j = weakest; j < ratio.size() && segs[j].second <= hi; ++j) ratio[j] = ratio_of(int(j));
    }
    return segs;
}

// One segmentation at a given detrending slope and noise: spikes and single-point dips replaced,
// PELT, then the insignificant boundaries merged away (with and, when asked, without slope borrowing).
Segments segment_once(const std::vector<int>& t, const std::vector<double>& y, double slope, double sigma,
                      const StepSettings& s, std::vector<double>& clean, Segments* conservative = nullptr,
                      Segments* candidates = nullptr, const std::vector<int>* forced = nullptr,
                      const std::vector<char>* grid = nullptr) {
    const int n = int(y.size());
    std::vector<double> detrended(y.size());
    for (std::size_t i = 0; i < y.size(); ++i) detrended[i] = y[i] - slope * t[i];
    detrended = steps::remove_short_outliers(detrended, std::max(1, s.min_segment - 1), s.spike_sigma * sigma);
    clean.resize(y.size());
    for (std::size_t i = 0; i < y.size(); ++i) clean[i] = detrended[i] + slope * t[i];

    const double penalty = s.sensitivity * sigma * sigma * std::log(std::max(2, n));
    std::vector<int> cps = steps::pelt_changepoints(detrended, penalty, s.min_segment);
    if (forced) {  // candidates of a staircase seen through a period, next to PELT's
        const int m = std::max(1, s.min_segment);
        std::vector<int> all = cps;
        for (int c : *forced) {
            bool clear = c >= m && n - c >= m;
            for (int d : cps) clear = clear && std::abs(c - d) >= m;
            if (clear) all.push_back(c);
        }
        std::sort(all.begin(), all.end());
        cps.clear();
        for (int c : all)
            if (cps.empty() || c - cps.back() >= m) cps.push_back(c);
    }
    Segments segs;
    int begin = 0;
    for (int c : cps) { segs.emplace_back(begin, c); begin = c; }
    if (n > 0) segs.emplace_back(begin, n);
    if (candidates) *candidates = segs;
    const Sums sums(t, clean);
    if (conservative) *conservative = merge_insignificant(t, sums, segs, sigma, s, false);
    if (!forced) return merge_insignificant(t, sums, std::move(segs), sigma, s, true, nullptr, &clean);
    return merge_insignificant(t, sums, std::move(segs), sigma, s, true, &clean, &clean, grid);
}

// Segments y: detrend by the common slope, noise from first differences, one segmentation. Where
// edges were found, the slope and the noise are measured again within the plateaus only (a dense
// staircase puts a step into every few differences, which inflates both), and when that changes
// them the curve is segmented again with the plateau slope and noise.
Segmentation segment(const std::vector<int>& t, const std::vector<double>& y, const StepSettings& given,
                     bool want_conservative, const std::vector<int>* forced = nullptr,
                     const std::vector<char>* grid = nullptr, bool relax = true) {
    StepSettings s = given;
    if (forced && relax) {  // a known staircase: its plateaus are the hypothesis, moderate steps need less
        s.min_confidence = std::min(s.min_confidence, kStaircaseConfidence);
        s.min_jump_sigma = std::min(s.min_jump_sigma, kStaircaseJumpSigma);
    }
    Segmentation out;
    std::vector<double> magnitudes(y.size());
    for (std::size_t i = 0; i < y.size(); ++i) magnitudes[i] = std::abs(y[i]);
    const double floor = std::max(1e-12, 1e-6 * median(magnitudes));
    auto sigma_of = [&](double slope, const Segments* within) {
        std::vector<double> d;
        d.reserve(y.size());
        if (!within) {
            for (std::size_t i = 1; i < y.size(); ++i) d.push_back((y[i] - slope * t[i]) - (y[i - 1] - slope * t[i - 1]));
        } else {
            for (const auto& [b, e] : *within)
                for (int i = b + 1; i < e; ++i)
                    d.push_back((y[std::size_t(i)] - slope * t[std::size_t(i)]) - (y[std::size_t(i) - 1] - slope * t[std::size_t(i) - 1]));
        }
        if (d.size() < 2) return floor;
        const double centre = median(d);
        for (double& x : d) x = std::abs(x - centre);
        return std::max(floor, median(std::move(d)) / (0.6745 * std::sqrt(2.0)));
    };
    // Within the plateaus, the step-robust σ of each plateau's differences (a step the last pass missed
    // sits in one of each two adjacent differences).
    auto sigma_within = [&](double slope, const Segments& segs) {
        std::vector<double> d, m;
        d.reserve(y.size());
        for (const auto& [b, e] : segs)
            for (int i = b + 1; i < e; ++i)
                d.push_back((y[std::size_t(i)] - slope * t[std::size_t(i)]) - (y[std::size_t(i) - 1] - slope * t[std::size_t(i) - 1]));
        if (d.size() < 3) return floor;
        const double centre = median(d);
        std::size_t k = 0;
        for (const auto& [b, e] : segs) {
            for (int i = b + 1; i + 1 < e; ++i, ++k) m.push_back(std::min(std::abs(d[k] - centre), std::abs(d[k + 1] - centre)));
            if (e - b > 1) ++k;
        }
        if (m.size() < 2) return floor;
        return std::max(floor, median(std::move(m)) / 0.5751 / (0.6745 * std::sqrt(2.0)));
    };
    out.common_slope = s.allow_slope ? steps::median_adjacent_slope(t, y) : 0.0;
    std::vector<double> detrended(y.size());
    for (std::size_t i = 0; i < y.size(); ++i) detrended[i] = y[i] - out.common_slope * t[i];
    // σ as methods.md defines it (MAD of all first differences) sees every step of a dense staircase
    // as noise; the step-robust estimate (the smaller of each two adjacent differences) does not. The
    // residue pattern is looked for in the plain first pass (the old detector), the edges with the robust σ.
    const double sigma_all = sigma_of(out.common_slope, nullptr);
    const double sigma_robust = std::max(floor, steps::noise_sigma_step_robust(detrended));
    // (Only when clearly lower: on few points the two scatter apart without any step.)
    out.sigma = sigma_robust < 0.75 * sigma_all ? sigma_robust : sigma_all;
    out.known_staircase = forced != nullptr;
    if (forced && !forced->empty()) {
        // A known staircase: its plateaus are given, measure slope and noise on them.
        Segments plateaus;
        int begin = 0;
        for (int c : *forced)
            if (c > begin && c < int(y.size())) { plateaus.emplace_back(begin, c); begin = c; }
        plateaus.emplace_back(begin, int(y.size()));
        if (s.allow_slope) {
            std::vector<double> slopes;
            for (const auto& [b, e] : plateaus)
                for (int i = b + 1; i < e; ++i)
                    slopes.push_back((y[std::size_t(i)] - y[std::size_t(i) - 1]) / double(t[std::size_t(i)] - t[std::size_t(i) - 1]));
            out.common_slope = median(std::move(slopes));
        }
        out.sigma = std::min(out.sigma, sigma_within(out.common_slope, plateaus));
    }
    Segments candidates;  // PELT's segments before the merge
    if (want_conservative && out.sigma != sigma_all) {
        std::vector<double> clean;
        segment_once(t, y, out.common_slope, sigma_all, s, clean, &out.conservative);
        out.segments = segment_once(t, y, out.common_slope, out.sigma, s, out.clean, nullptr, &candidates, forced, grid);
    } else {
        out.segments = segment_once(t, y, out.common_slope, out.sigma, s, out.clean,
                                    want_conservative ? &out.conservative : nullptr, &candidates, forced, grid);
    }
    // Each pass finds more of a dense staircase's steps, so its plateaus give a cleaner slope and
    // noise; a few passes converge.
    // (A known staircase had its slope and noise measured on its plateaus already.)
    for (int pass = 0; pass < 3 && out.segments.size() > 1 && !forced; ++pass) {
        double slope = 0;
        if (s.allow_slope) {
            std::vector<double> slopes;
            slopes.reserve(t.size());
            for (const auto& [b, e] : out.segments)
                for (int i = b + 1; i < e; ++i)
                    slopes.push_back((y[std::size_t(i)] - y[std::size_t(i) - 1]) / double(t[std::size_t(i)] - t[std::size_t(i) - 1]));
            slope = median(std::move(slopes));
        }
        const double sigma = sigma_within(slope, candidates);
        const double median_dt = double(t.back() - t.front()) / double(t.size() - 1);
        if (!(sigma < 0.95 * out.sigma || std::abs(slope - out.common_slope) * median_dt > 0.1 * sigma)) break;
        out.common_slope = slope;
        out.sigma = sigma;
        out.segments = segment_once(t, y, slope, sigma, s, out.clean, nullptr, &candidates, forced, grid);
    }
    // The thresholds hold the jumps against σ as methods.md defines it (MAD of first differences),
    // over the plateaus' differences: the step-robust estimate assumes independent noise and reads
    // bursty noise (a busy CPU) as quieter than it is.
    const Sums sums(t, out.clean);
    if (out.segments.size() > 1 || out.sigma != sigma_all) {
        const double sigma = sigma_of(out.common_slope, &candidates);
        if (sigma > out.sigma) {
            out.sigma = sigma;
            out.segments = merge_insignificant(t, sums, candidates, sigma, s, true, forced ? &out.clean : nullptr, &out.clean, grid);
        }
    }
    for (std::size_t i = 0; i < out.segments.size(); ++i)
        out.fits.push_back(fit_segment(t, out.clean, sums, out.segments, int(i), s));
    return out;
}

// A regular staircase: rising edges on a token grid k·tile + residue (tile multiples of M = B·n, a
// coarse sweep's tiles). An edge at boundary b lies on the grid when (t[b-1], t[b]] holds a grid
// count. The tile is the largest one on which at least kGridOn of the rising edges found lie and
// whose grid counts are filled by found edges at kGridFill or more (a multiple of the real tile
// leaves its edges off the grid; a divisor leaves grid counts empty); at least 5 edges on it, and
// a grid no finer than ~3 measured points a step. Returns false when there is none.
struct TileGrid {
    int tile = 0, residue = 0;
};
bool find_tile_grid(const std::vector<int>& t, const Segmentation& seg, TileGrid& out) {
    const std::size_t n = t.size();
    if (seg.segments.size() < 6 || n < 12) return false;
    std::vector<std::pair<int, int>> rising;  // (t[b-1], t[b]) of the rising edges
    for (std::size_t i = 1; i < seg.segments.size(); ++i) {
        const int b = seg.segments[i].first;
        const double tm = 0.5 * (t[std::size_t(b) - 1] + t[std::size_t(b)]);
        if (seg.fits[i].at(tm) > seg.fits[i - 1].at(tm)) rising.emplace_back(t[std::size_t(b) - 1], t[std::size_t(b)]);
    }
    const int m = int(rising.size());
    if (m < 5) return false;
    const int span = t.back() - t.front();
    const double step_tokens = double(span) / double(n - 1);
    // On the right tile most pairs of consecutive rising edges found are both on the grid, a multiple
    // of the tile apart: the tile is at most their median spacing.
    std::vector<double> spacing;
    for (std::size_t k = 1; k < rising.size(); ++k) spacing.push_back(rising[k].second - rising[k - 1].second);
    const int widest = std::min({512, span / 4, int(median(spacing) + step_tokens)});
    std::vector<int> hits;
    bool found = false;
    for (int tile = widest; tile >= 2; --tile) {
        if (tile < 3 * step_tokens) break;  // finer than ~3 points a step: chance alone would fill it
        hits.assign(std::size_t(tile), 0);
        for (const auto& [lo, hi] : rising) {  // residues r with a count ≡ r in (lo, hi]
            if (hi - lo >= tile) { for (int& h : hits) ++h; continue; }
            for (int c = lo + 1; c <= hi; ++c) ++hits[std::size_t(c % tile)];
        }
        const auto best = std::max_element(hits.begin(), hits.end());
        if (*best < 5 || *best < kGridOn * m) continue;
        const int residue = int(best - hits.begin());
        int cells = 0;  // grid counts inside the measured range, away from its ends
        for (int k = (t.front() - residue) / tile; k * tile + residue <= t.back(); ++k) {
            const int g = k * tile + residue;
            if (g > t.front() && g <= t.back()) ++cells;
        }
        if (cells > 0 && *best >= kGridFill * cells) { out.tile = tile; out.residue = residue; found = true; break; }
    }
    return found;
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
    Segmentation seg = segment(t, y, settings, settings.detect_period);
    std::vector<double> curve = y;  // the curve segmented (the residue pattern divided out when there is one)
    if (settings.detect_period) {
        const int window = 2 * settings.period_settings.max_period + 1;
        double trend_slope = 0;
        const std::vector<double> rel = steps::relative_residuals(t, y, seg.conservative, window, &trend_slope);
        out.period = steps::detect_period(t, rel, settings.period_settings);
        const int step_residue =
            out.period.found ? steps::staircase_not_pattern(t, rel, out.period, trend_slope, settings.period_settings) : -1;
        if (step_residue >= 0) {
            // Steps every period whose level persists: edges, not a residue pattern to divide out.
            // Every count at the step residue is a candidate edge (PELT may have missed moderate
            // steps a few points apart); the merge keeps the significant ones.
            const int period = out.period.period;
            out.staircase.seen_as_period = period;
            out.period = PeriodicFinding{};
            std::vector<int> cuts;
            for (std::size_t i = 1; i < t.size(); ++i)
                if (t[i] % period == step_residue) cuts.push_back(int(i));
            seg = segment(t, y, settings, false, &cuts);
        }
        // A coarse sweep (every `stride` tokens) whose steps come every few measured points, more than
        // max_period tokens apart: no token period shows them, a period in measured points does. Looked
        // for only as a staircase (a residue pattern stays a matter of token counts).
        const int stride = t.size() > 2 ? t[1] - t[0] : 0;
        bool uniform = stride > 1 && !out.period.found && step_residue < 0 && seg.segments.size() < 9;
        for (std::size_t i = 2; uniform && i < t.size(); ++i) uniform = t[i] - t[i - 1] == stride;
        if (uniform) {
            std::vector<int> index(t.size());
            for (std::size_t i = 0; i < t.size(); ++i) index[i] = int(i) + settings.period_settings.max_period;
            PeriodicFinding f = steps::detect_period(index, rel, settings.period_settings);
            int r = f.found ? steps::staircase_not_pattern(index, rel, f, trend_slope * stride, settings.period_settings) : -1;
            // (The period's multiples explain a sawtooth as well: a step every 4 points may come out
            // as period 8, two steps within it. Its divisors are tried, the largest first.)
            for (int d = f.period / 2; f.found && r < 0 && d >= 2; --d) {
                if (f.period % d != 0) continue;
                PeriodicFinding g = f;
                g.period = d;
                r = steps::staircase_not_pattern(index, rel, g, trend_slope * stride, settings.period_settings);
                if (r >= 0) f = g;
            }
            if (r >= 0) {
                out.staircase.seen_as_period = f.period * stride;
                std::vector<int> cuts;
                for (std::size_t i = 1; i < t.size(); ++i)
                    if (index[i] % f.period == r) cuts.push_back(int(i));
                seg = segment(t, y, settings, false, &cuts);
            }
        }
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
            seg = segment(t, corrected, settings, false);
            curve = std::move(corrected);
        }
    }
    // A dense staircase (many short plateaus) without a period: its edges so far are the candidate
    // plateaus of one more segmentation that judges each jump against the plateaus' median slope
    // around it, as for a staircase seen through a period.
    // (Twice at most: the second round starts from the steps the first one found.)
    for (int round = 0; round < 2 && seg.segments.size() >= 9 && (round > 0 || !seg.known_staircase); ++round) {
        std::vector<double> lengths;
        for (const auto& [b, e] : seg.segments) lengths.push_back(e - b);
        if (median(lengths) >= settings.min_points_for_own_slope + 4) break;
        std::vector<int> cuts;
        for (std::size_t i = 1; i < seg.segments.size(); ++i) cuts.push_back(seg.segments[i].first);
        Segmentation dense = segment(t, curve, settings, false, &cuts);
        if (dense.segments.size() <= seg.segments.size()) break;
        seg = std::move(dense);
    }

    // A regular staircase: every grid count is a candidate edge, judged with lower thresholds (the
    // grid says a step is expected there); the edges found elsewhere stay, at the usual ones.
    // Only where the plateaus are short (median under 17 points): each jump is taken against the
    // plateaus' median slope, whose error over the long plateaus of a sparse staircase would add up
    // to several σ (and those steps are found without a grid).
    std::vector<double> lengths;
    for (const auto& [b, e] : seg.segments) lengths.push_back(e - b);
    TileGrid grid;
    if (median(lengths) < settings.min_points_for_own_slope + 9 && find_tile_grid(t, seg, grid)) {
        std::vector<char> on_grid(t.size() + 1, 0);
        std::vector<int> cuts;
        for (std::size_t i = 1; i < seg.segments.size(); ++i) cuts.push_back(seg.segments[i].first);
        for (std::size_t b = 1; b < t.size(); ++b) {
            const int lo = t[b - 1], hi = t[b];
            const int k = (hi - grid.residue) / grid.tile - ((hi - grid.residue) % grid.tile < 0 ? 1 : 0);
            if (hi - lo >= grid.tile || k * grid.tile + grid.residue > lo) { on_grid[b] = 1; cuts.push_back(int(b)); }
        }
        std::sort(cuts.begin(), cuts.end());
        cuts.erase(std::unique(cuts.begin(), cuts.end()), cuts.end());
        // (Off the grid the thresholds stay what they were: a known staircase's only where it was one.)
        Segmentation g = segment(t, curve, settings, false, &cuts, &on_grid, seg.known_staircase);
        if (g.segments.size() >= seg.segments.size()) {
            seg = std::move(g);
            out.staircase.tile_tokens = grid.tile;
        }
    }

    out.noise_sigma_ms = seg.sigma;
    const Sums sums(t, seg.clean);
    std::vector<double> scratch;
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
        double prior = 0;
        if (seg.known_staircase) prior = local_plateau_slope(t, seg.clean, seg.segments, int(i) - 1, seg.common_slope, scratch);
        const BoundaryFit bf = fit_boundary(sums, seg.segments, int(i) - 1, settings, true, seg.known_staircase ? &prior : nullptr);
        Edge e;
        e.tokens = p.first_tokens;
        e.last_before = before.last_tokens;
        e.level_before_ms = bf.before_at(e.last_before);
        e.level_after_ms = bf.after_at(e.tokens);
        e.height_ms = e.level_after_ms - e.level_before_ms;
        e.height_pct = e.level_before_ms != 0 ? 100 * e.height_ms / e.level_before_ms : 0;
        e.confidence = std::abs(bf.jump) / seg.sigma;
        e.jump_ms = bf.jump;
        out.edges.push_back(e);
    }
    std::vector<double> spacing_tokens, spacing_points;
    const Edge* previous = nullptr;
    std::size_t previous_index = 0;
    for (std::size_t i = 0; i < out.edges.size(); ++i) {
        const Edge& e = out.edges[i];
        if (e.jump_ms < 0) { ++out.staircase.drops; continue; }
        ++out.staircase.rising_steps;
        const auto index = std::size_t(seg.segments[i + 1].first);
        if (previous) {
            spacing_tokens.push_back(e.tokens - previous->tokens);
            spacing_points.push_back(double(index - previous_index));
        }
        previous = &e;
        previous_index = index;
    }
    out.staircase.found = out.staircase.rising_steps > 0;
    out.staircase.median_spacing_tokens = median(spacing_tokens);
    out.staircase.median_spacing_points = median(spacing_points);
    return out;
}

StepAnalysis detect_steps(const Curve& curve, const StepSettings& settings) {
    return detect_steps(curve.token_counts(), curve.medians(), settings);
}

}  // namespace tp
