#pragma once
// Seeded synthetic latency curves with known truth, shared by the step suites and the bench.
#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

namespace tp::test {

struct TrueEdge {
    int tokens = 0;        // first token count at the new level
    double height = 0;     // fraction of the base level (negative: a drop)
};

struct CurveSpec {
    unsigned seed = 1;
    int first = 2, last = 197;
    int stride = 1;                  // grid spacing (sparse grids: > 1)
    bool irregular_grid = false;     // random spacing 1..2·stride
    double base_ms = 1.0;
    double slope = 0;                // per token, fraction of base
    double curvature = 0;            // per token², fraction of base (attention grows with n²)
    std::vector<TrueEdge> edges;
    double noise = 0.005;            // sigma, fraction of base
    int spikes = 0;                  // single-point outliers, ≥ 3 tokens from true edges (±(4..10)·noise or 3%, whichever is larger)
    int period = 0;                  // periodic residue pattern: period and effect per residue
    std::vector<double> residue_effect;  // fraction of the level, size == period
    double drift = 0;                // slow sinusoidal drift amplitude, fraction of base
};

struct SyntheticCurve {
    std::vector<int> tokens;
    std::vector<double> ms;
};

inline SyntheticCurve make_curve(const CurveSpec& s) {
    std::mt19937 rng(s.seed);
    std::normal_distribution<double> noise(0.0, s.noise * s.base_ms);
    std::uniform_int_distribution<int> gap(1, std::max(1, 2 * s.stride - 1));
    SyntheticCurve c;
    for (int t = s.first; t <= s.last; t += s.irregular_grid ? gap(rng) : s.stride) c.tokens.push_back(t);
    for (int t : c.tokens) {
        double level = s.base_ms * (1 + s.slope * (t - s.first) + s.curvature * (t - s.first) * (t - s.first));
        for (const auto& e : s.edges)
            if (t >= e.tokens) level += e.height * s.base_ms;
        if (s.period > 0) level *= 1 + s.residue_effect[std::size_t(t % s.period)];
        level += s.drift * s.base_ms * std::sin(6.2831853 * (t - s.first) / double(s.last - s.first + 1) * 0.7);
        c.ms.push_back(level + noise(rng));
    }
    std::uniform_int_distribution<std::size_t> where(1, c.ms.size() - 2);
    std::uniform_real_distribution<double> size(4, 10);
    // Spikes keep 3 tokens away from the true edges: two spikes straddling an edge can make its
    // position ambiguous by two tokens, which the ±1 criterion does not allow for.
    for (int i = 0, tries = 0; i < s.spikes && tries < 1000; ++tries) {
        const std::size_t at = where(rng);
        bool near_edge = false;
        for (const auto& e : s.edges) near_edge = near_edge || std::abs(c.tokens[at] - e.tokens) < 3;
        if (near_edge) continue;
        const double mag = std::max(size(rng) * s.noise, 0.03) * s.base_ms;
        c.ms[at] += (i % 2 ? -mag : mag);
        ++i;
    }
    return c;
}

// A random staircase: `count` edges at random positions at least `min_gap` tokens apart, heights
// uniformly in [min_height, max_height] of the base, a random sign share of drops.
inline std::vector<TrueEdge> random_edges(unsigned seed, int first, int last, int count, int min_gap,
                                          double min_height, double max_height, double drop_share = 0.2) {
    std::mt19937 rng(seed * 7919u + 13u);
    std::uniform_int_distribution<int> pos(first + min_gap, last - min_gap);
    std::uniform_real_distribution<double> h(min_height, max_height), u(0, 1);
    std::vector<TrueEdge> out;
    for (int tries = 0; int(out.size()) < count && tries < 1000; ++tries) {
        const int p = pos(rng);
        bool ok = true;
        for (const auto& e : out) ok = ok && std::abs(e.tokens - p) >= min_gap;
        if (ok) out.push_back({p, (u(rng) < drop_share ? -1 : 1) * h(rng)});
    }
    std::sort(out.begin(), out.end(), [](const TrueEdge& a, const TrueEdge& b) { return a.tokens < b.tokens; });
    return out;
}

}  // namespace tp::test
