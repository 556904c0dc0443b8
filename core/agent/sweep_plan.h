#pragma once
#include <cstdint>
#include <vector>

#include "core/model/curve.h"

namespace tp::agent {

// One measurement visit: point `tokens` of curve `curve` (an index into the sweep's curves), in
// round `round` (0-based).
struct Visit {
    int curve = 0;
    int tokens = 0;
    int round = 0;
    bool operator==(const Visit& o) const { return curve == o.curve && tokens == o.tokens && round == o.round; }
};

// Order of a sweep. The (curve, tokens) points are shuffled and cut into chunks of `chunk`
// points; each chunk is visited `rounds` times, in a fresh random order each round, before the
// next chunk starts. Drift between rounds then shows up in each point's interval, drift over the
// sweep does not line up with the token count, and a cancelled sweep loses at most one chunk's
// unfinished rounds. chunk <= 0 puts every point in one chunk (all points per round).
// shuffle = false visits points in ascending order (for debugging; drift then follows n).
struct SweepOrder {
    int rounds = 3;
    int chunk = 16;
    std::uint64_t seed = 1;
    bool shuffle = true;
};

std::vector<Visit> plan_sweep(const std::vector<std::vector<int>>& tokens_per_curve, const SweepOrder& order);

// The token counts of `wanted` that `done` has no point for yet (resume from a partial profile;
// points present in a curve are complete).
std::vector<int> tokens_still_needed(const std::vector<int>& wanted, const Curve* done);

// Coarse-then-dense: token counts strictly between neighbouring coarse points whose rise departs
// from the curve's typical rise (an edge may lie there). An interval is flagged when its change
// exceeds the median change by more than max(k * 1.4826 * MAD of the changes, the two points'
// combined interval half-widths, min_rel_jump * level). Returns sorted counts not yet measured.
std::vector<int> dense_tokens_near_edges(const Curve& coarse, double k = 3.0, double min_rel_jump = 0.01);

}  // namespace tp::agent
