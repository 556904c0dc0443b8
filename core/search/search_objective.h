#pragma once
// What a user asks of the search's front: the fastest schedule within a top-1 drop, the most
// accurate within a latency budget, or the whole front.
#include <string>
#include <vector>

#include "core/search/search_types.h"

namespace tp {

struct SearchObjective {
    enum class Kind { MinLatency, MaxAccuracy, Front };
    Kind kind = Kind::MinLatency;
    double max_drop_pp = 1.0;      // MinLatency: predicted top-1 drop at most this (percentage points)
    double max_latency_ms = 0;     // MaxAccuracy: latency at most this many ms (needs SearchSettings::latency_in_ms) ...
    double max_latency_pct = 0;    // ... or at most this % of unpruned
    std::string describe() const;  // e.g. "fastest with a predicted top-1 drop ≤ 1 pp"
};

struct ObjectiveChoice {
    std::vector<std::size_t> feasible;  // front entries meeting the constraint, in front order
    int best = -1;                      // index into the front: the objective's pick (-1: none, or Front)
    std::string empty_reason;           // set when nothing meets the constraint: which one, and how near the front came
};

ObjectiveChoice apply_objective(const SearchResult& result, const SearchObjective& objective);

}  // namespace tp
