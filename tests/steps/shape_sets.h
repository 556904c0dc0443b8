#pragma once
// Seeded staircases of the shapes that small GPUs and coarse first-pass sweeps give (issue #25), with
// known truth, shared by tst_steps_shapes and bench_steps:
//  - dense: every token measured, many moderate steps 4-16 points apart (regular tiles or irregular);
//  - strided: a coarse sweep measuring every 2-16 tokens, a step every 3-8 measured points;
//  - sloped: a few isolated moderate steps on a steep trend (1-8 σ per measured point);
//  - coexisting: a staircase with a residue pattern on top (fp16 dips at n%8 == 0, CPU n%4);
//  - no steps: ramps, curvature, drift and residue patterns without any edge.
// All with a slope, normal or heavy-tailed (Student t, 3 dof) noise, single-point outliers up and
// down, and persistent drops (kernel switches: edges of negative height, never rising steps).
// Heights are in σ, the point-to-point noise (the robust scale of the noise the curve was made with,
// what MAD of first differences / (0.6745·√2) estimates).
#include <algorithm>
#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "core/steps/step_detector.h"

namespace tp::test {

enum class Shape { Dense, Strided, Sloped, Coexisting, NoSteps };

inline const char* shape_name(Shape s) {
    switch (s) {
    case Shape::Dense: return "dense";
    case Shape::Strided: return "strided";
    case Shape::Sloped: return "sloped";
    case Shape::Coexisting: return "coexisting";
    case Shape::NoSteps: return "no steps";
    }
    return "?";
}

struct ShapeEdge {
    int index = 0;         // first grid index at the new level
    int tokens = 0;        // true edge position in tokens (the level changes between tokens-1 and tokens)
    double height_sigma = 0;  // signed: negative for a drop
    int plateau_points = 0;   // points on the shorter plateau beside it
};

struct ShapeCurve {
    Shape shape = Shape::Dense;
    unsigned seed = 0;
    std::vector<int> tokens;
    std::vector<double> ms;
    std::vector<ShapeEdge> edges;
    double sigma_ms = 0;
    int stride = 1;
    int pattern_period = 0;            // residue pattern put on top (0: none)
    std::vector<int> pattern_fast;     // residues made fast by it
    bool heavy_tails = false;
    double slope_ms_per_token = 0;  // the trend under the staircase
};

inline ShapeCurve make_shape(Shape shape, unsigned seed) {
    std::mt19937 rng(seed * 2654435761u + unsigned(shape) * 97u + 1u);
    auto uni = [&](double lo, double hi) { return std::uniform_real_distribution<double>(lo, hi)(rng); };
    auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
    ShapeCurve c;
    c.shape = shape;
    c.seed = seed;
    const double base = 1.0;
    c.sigma_ms = base * std::exp(uni(std::log(0.002), std::log(0.02)));
    c.heavy_tails = uni(0, 1) < 0.4;

    // Grid.
    int points = pick(150, 600);
    c.stride = 1;
    int first = pick(1, 4);
    if (shape == Shape::Strided) {
        const int strides[] = {2, 3, 4, 8, 16};
        c.stride = strides[pick(0, 4)];
        points = pick(60, 300);
        first = c.stride * pick(1, 2) - (uni(0, 1) < 0.5 ? 0 : pick(0, c.stride - 1));
        first = std::max(1, first);
    }
    for (int i = 0; i < points; ++i) c.tokens.push_back(first + i * c.stride);

    // Edge positions as grid indices (first point at the new level) and their true token positions.
    std::vector<int> idx;
    if (shape == Shape::Dense) {
        if (uni(0, 1) < 0.6) {  // regular tiles every T tokens
            const int tile = pick(4, 16);
            for (int i = 1; i < points; ++i)
                if (c.tokens[std::size_t(i)] % tile == 0 && i >= 4 && points - i >= 4) idx.push_back(i);
        } else {                // two interleaved tile sizes: irregular spacing 4..16
            for (int i = pick(4, 16); i <= points - 4; i += pick(4, 16)) idx.push_back(i);
        }
    } else if (shape == Shape::Strided) {
        const int every = pick(3, 8);  // measured points per plateau
        const int tile = every * c.stride;
        // Steps at multiples of the tile in tokens: the first measured count at or past each.
        for (int m = tile; m <= c.tokens.back(); m += tile) {
            const auto it = std::lower_bound(c.tokens.begin(), c.tokens.end(), m);
            const int i = int(it - c.tokens.begin());
            if (i >= 3 && points - i >= 3 && (idx.empty() || i - idx.back() >= 3)) idx.push_back(i);
        }
    } else if (shape == Shape::Sloped || shape == Shape::Coexisting) {
        const int count = pick(2, 6);
        for (int tries = 0; int(idx.size()) < count && tries < 1000; ++tries) {
            const int i = pick(20, points - 20);
            bool ok = true;
            for (int j : idx) ok = ok && std::abs(i - j) >= 20;
            if (ok) idx.push_back(i);
        }
        std::sort(idx.begin(), idx.end());
    }
    for (std::size_t k = 0; k < idx.size(); ++k) {
        ShapeEdge e;
        e.index = idx[k];
        // The level changes somewhere in (tokens[i-1], tokens[i]]; on a strided grid at a tile multiple.
        e.tokens = c.tokens[std::size_t(e.index)];
        const bool drop = uni(0, 1) < 0.15;
        e.height_sigma = (drop ? -1 : 1) * uni(2, 12);
        const int before = e.index - (k > 0 ? idx[k - 1] : 0);
        const int after = (k + 1 < idx.size() ? idx[k + 1] : points) - e.index;
        e.plateau_points = std::min(before, after);
        c.edges.push_back(e);
    }

    // Trend per measured point in σ.
    double slope_sigma = uni(0, 1);
    if (shape == Shape::Sloped) slope_sigma = uni(1, 8);
    if (shape == Shape::NoSteps) slope_sigma = uni(0, 4);
    const double slope = slope_sigma * c.sigma_ms / c.stride;  // ms per token
    c.slope_ms_per_token = slope;
    // Attention's n² on some: up to 20 σ over the whole curve.
    const double curvature = uni(0, 1) < 0.3 ? uni(0, 20) * c.sigma_ms / (double(points) * c.stride * points * c.stride) : 0.0;
    const double drift = shape == Shape::NoSteps && uni(0, 1) < 0.3 ? uni(1, 3) * c.sigma_ms : 0.0;

    // Residue pattern on top.
    std::vector<double> effect;
    const double pattern_kind = uni(0, 1);
    if (shape == Shape::Coexisting || (shape == Shape::NoSteps && pattern_kind < 0.4)) {
        if (pattern_kind < 0.2 || (shape == Shape::Coexisting && pattern_kind < 0.5)) {  // fp16: dips at n%8 == 0
            c.pattern_period = 8;
            effect.assign(8, 0.0);
            effect[0] = -uni(4, 10) * c.sigma_ms;
            c.pattern_fast = {0};
        } else {                                                  // CPU: n%4 == 0 fast, n%4 == 3 slow
            c.pattern_period = 4;
            effect = {-uni(4, 10) * c.sigma_ms, 0, 0, uni(4, 10) * c.sigma_ms};
            c.pattern_fast = {0};
        }
    }

    // Noise: normal or Student t (3 dof) scaled to the same robust σ (MAD of t3 = 0.7649).
    std::normal_distribution<double> normal(0, 1);
    std::chi_squared_distribution<double> chi3(3);
    auto draw = [&] {
        if (!c.heavy_tails) return normal(rng) * c.sigma_ms;
        return normal(rng) / std::sqrt(chi3(rng) / 3) * c.sigma_ms * 0.6745 / 0.7649;
    };
    const int t0 = c.tokens.front();
    double level = base;
    std::size_t next = 0;
    for (std::size_t i = 0; i < c.tokens.size(); ++i) {
        while (next < c.edges.size() && c.edges[next].index == int(i)) level += c.edges[next++].height_sigma * c.sigma_ms;
        const double dt = c.tokens[i] - t0;
        double y = level + slope * dt + curvature * dt * dt;
        if (drift > 0) y += drift * std::sin(6.2831853 * dt / (c.tokens.back() - t0 + 1) * 0.7);
        // Relative to the level, as the detector models it (an additive pattern on a ramp that
        // grows several-fold is not one period's pattern: see core/steps/README.md).
        if (!effect.empty()) y *= 1 + effect[std::size_t(c.tokens[i] % c.pattern_period)] / base;
        c.ms.push_back(y + draw());
    }
    // Single-point outliers (5-15 σ, up and down), never on the two points beside an edge.
    if (uni(0, 1) < 0.5) {
        const int count = std::max(1, points / 50);
        for (int k = 0, tries = 0; k < count && tries < 1000; ++tries) {
            const int i = pick(1, points - 2);
            bool near = false;
            for (const auto& e : c.edges) near = near || i == e.index || i == e.index - 1;
            if (near) continue;
            c.ms[std::size_t(i)] += (k % 2 ? -1 : 1) * uni(5, 15) * c.sigma_ms;
            ++k;
        }
    }
    return c;
}

// One-to-one matching of detected edges to true ones: same sign of the level shift (jump_ms: a drop
// on a steep trend may still have a positive height_ms), within ±1 measured point.
struct ShapeMatch {
    std::vector<bool> true_found;     // per true edge
    std::vector<bool> detected_true;  // per detected edge
};

inline ShapeMatch match_shape_edges(const ShapeCurve& c, const StepAnalysis& a) {
    ShapeMatch m;
    m.true_found.assign(c.edges.size(), false);
    m.detected_true.assign(a.edges.size(), false);
    auto index_of = [&](int tokens) { return int(std::lower_bound(c.tokens.begin(), c.tokens.end(), tokens) - c.tokens.begin()); };
    // Exact position first, then ±1, so that a neighbour's detection cannot take an edge's match.
    for (int reach = 0; reach <= 1; ++reach)
        for (std::size_t d = 0; d < a.edges.size(); ++d) {
            if (m.detected_true[d]) continue;
            const int j = index_of(a.edges[d].tokens);
            for (std::size_t k = 0; k < c.edges.size(); ++k) {
                if (m.true_found[k] || std::abs(j - c.edges[k].index) != reach) continue;
                if ((a.edges[d].jump_ms > 0) != (c.edges[k].height_sigma > 0)) continue;
                m.true_found[k] = m.detected_true[d] = true;
                break;
            }
        }
    return m;
}

// Recall by height band (|height| in σ) and precision over a set of curves.
struct ShapeScore {
    static constexpr int kBands = 4;  // [2,3), [3,5), [5,8), [8,∞) σ
    int rising[kBands] = {}, rising_found[kBands] = {};
    int drops[kBands] = {}, drops_found[kBands] = {};
    int detected = 0, detected_true = 0;
    int curves = 0;
    int pattern_curves = 0, pattern_found = 0;  // curves with a residue pattern put on: found with its period
    int pattern_false = 0;                      // curves without one where a period was reported
    static int band(double sigma) { return sigma < 3 ? 0 : sigma < 5 ? 1 : sigma < 8 ? 2 : 3; }
    static const char* band_name(int b) { return b == 0 ? "2-3 sigma" : b == 1 ? "3-5 sigma" : b == 2 ? "5-8 sigma" : ">= 8 sigma"; }
    void add(const ShapeCurve& c, const StepAnalysis& a) {
        ++curves;
        const ShapeMatch m = match_shape_edges(c, a);
        for (std::size_t k = 0; k < c.edges.size(); ++k) {
            const double h = c.edges[k].height_sigma;
            const int b = band(std::abs(h));
            if (h > 0) { ++rising[b]; rising_found[b] += m.true_found[k]; }
            else { ++drops[b]; drops_found[b] += m.true_found[k]; }
        }
        detected += int(a.edges.size());
        for (bool t : m.detected_true) detected_true += t;
        if (c.pattern_period > 0) {
            ++pattern_curves;
            pattern_found += a.period.found && a.period.period % c.pattern_period == 0;
        } else {
            pattern_false += a.period.found;
        }
    }
    void add(const ShapeScore& o) {
        for (int b = 0; b < kBands; ++b) {
            rising[b] += o.rising[b]; rising_found[b] += o.rising_found[b];
            drops[b] += o.drops[b]; drops_found[b] += o.drops_found[b];
        }
        detected += o.detected; detected_true += o.detected_true; curves += o.curves;
        pattern_curves += o.pattern_curves; pattern_found += o.pattern_found; pattern_false += o.pattern_false;
    }
    double recall(int b) const { return rising[b] ? double(rising_found[b]) / rising[b] : 1.0; }
    // Rising steps of 5σ and more (bands 2 and 3 together).
    int rising5() const { return rising[2] + rising[3]; }
    int rising_found5() const { return rising_found[2] + rising_found[3]; }
    double recall5() const { return rising5() ? double(rising_found5()) / rising5() : 1.0; }
    int false_edges() const { return detected - detected_true; }
    double drop_recall(int b) const { return drops[b] ? double(drops_found[b]) / drops[b] : 1.0; }
    double precision() const { return detected ? double(detected_true) / detected : 1.0; }
};

}  // namespace tp::test
