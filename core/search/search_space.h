#pragma once
// The token counts a search may cut to at each block: the "one more token" points and fast
// residues of every device's cut curve (core/schedule/cut_targets.h), merged.
#include <string>
#include <vector>

#include "core/analysis/profile_analysis.h"

namespace tp {

struct CutCandidate {
    int tokens = 0;
    std::vector<std::string> findings;  // "DEVICE: FINDING (CURVE)", one per device that offered it
};

struct SearchSpace {
    int depth = 0;
    int input_tokens = 0;
    std::vector<std::vector<CutCandidate>> per_block;  // by block, tokens descending, all < input_tokens
    const CutCandidate* find(int block, int tokens) const;
};

// A device's name for a user: the profile's device name, made unique by its position when two
// profiles share one.
std::vector<std::string> device_names(const std::vector<const ProfileAnalysis*>& devices);

// Targets of every device at every block. A block where no device has an edge or a residue (a flat
// curve) gets a grid of every input/16 tokens instead, labelled as such, so that it can still be cut.
SearchSpace build_search_space(const std::vector<const ProfileAnalysis*>& devices);

// Schedules of 1..max_points cuts on candidates that `method` can realise (method_rules.h).
long long count_schedules(const SearchSpace& space, const std::string& method, int max_points);

}  // namespace tp
