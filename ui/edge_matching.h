#pragma once
#include <string>
#include <vector>

#include "core/steps/step_detector.h"

namespace tp::ui {

// Edges of several curves lined up side by side: one row per group of edges that are the same
// edge on different curves (token counts within `tolerance` of the group's first edge).
struct EdgeMatch {
    enum class Status { Shared, Moved, Partial };
    std::vector<const Edge*> edges;  // one slot per curve; nullptr where that curve has no such edge
    Status status = Status::Shared;
    int tokens() const;              // smallest token count in the row (for sorting)
};

// tolerance: largest token distance still counted as "the same edge, moved".
std::vector<EdgeMatch> match_edges(const std::vector<std::vector<Edge>>& perCurve, int tolerance);
// Default tolerance for curves of a model with `tokens` tokens: max(2, 3% of tokens).
int default_edge_tolerance(int tokens);

}  // namespace tp::ui
