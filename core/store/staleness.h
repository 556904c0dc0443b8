#pragma once
#include <functional>
#include <string>
#include <vector>

#include "core/model/curve.h"
#include "core/steps/step_detector.h"

namespace tp::store {

// Where the edges of one curve moved between the profile a schedule was tuned on and a newer one.
// An edge lies somewhere in (last_before, tokens]; an old and a new edge are the same edge when
// those intervals overlap. Only edges inside [lo_tokens, hi_tokens] (the range both curves
// measured) count. Returns one readable line per vanished or new edge; empty when nothing moved.
std::vector<std::string> moved_edges(const std::vector<Edge>& tuned, const std::vector<Edge>& newer, int lo_tokens,
                                     int hi_tokens);

// Finds the edges of a curve; the store uses tp::detect_steps unless a caller supplies another.
using EdgeFinder = std::function<std::vector<Edge>(const Curve&)>;
EdgeFinder default_edge_finder();

// Compares every curve the two profiles share by name; one line per moved edge, prefixed with
// the curve name.
std::vector<std::string> moved_edges(const std::vector<Curve>& tuned, const std::vector<Curve>& newer,
                                     const EdgeFinder& find_edges);

}  // namespace tp::store
