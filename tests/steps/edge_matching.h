#pragma once
// Scores detected edges against the truth of a synthetic curve.
#include <cmath>
#include <vector>

#include "core/steps/step_detector.h"
#include "synthetic_curves.h"

namespace tp::test {

struct EdgeScore {
    int eligible = 0;         // true edges the detector must find (jump ≥ 5 σ and ≥ the relative floor)
    int found_eligible = 0;   // of those, found within ±1 token (or at the first grid point past it)
    int true_positive = 0;    // detected edges matching any true edge
    int false_positive = 0;   // detected edges matching none
    std::vector<int> missed;  // eligible true edges not found
};

inline bool edge_matches(const Edge& d, const TrueEdge& truth, const std::vector<int>& grid) {
    if (std::abs(d.tokens - truth.tokens) <= 1) return true;
    for (int t : grid)  // sparse grid: the edge shows at the first measured count at or past it
        if (t >= truth.tokens) return d.tokens == t && d.height_ms * truth.height > 0;
    return false;
}

inline EdgeScore score_edges(const StepAnalysis& a, const CurveSpec& spec, const SyntheticCurve& c,
                             double min_rel_height) {
    EdgeScore s;
    double level = spec.base_ms;  // level just below each edge, for the relative floor
    for (const auto& e : spec.edges) {
        const double before = level + spec.base_ms * spec.slope * (e.tokens - spec.first);
        level += e.height * spec.base_ms;
        const bool big = std::abs(e.height) >= 5 * spec.noise && std::abs(e.height) * spec.base_ms >= 1.25 * min_rel_height * before;
        if (!big) continue;
        ++s.eligible;
        bool hit = false;
        for (const auto& d : a.edges) hit = hit || edge_matches(d, e, c.tokens);
        if (hit) ++s.found_eligible; else s.missed.push_back(e.tokens);
    }
    for (const auto& d : a.edges) {
        bool hit = false;
        for (const auto& e : spec.edges) hit = hit || edge_matches(d, e, c.tokens);
        (hit ? s.true_positive : s.false_positive) += 1;
    }
    return s;
}

}  // namespace tp::test
