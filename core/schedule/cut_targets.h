#pragma once
// Every token count worth cutting to at one block, on the cut's curve (cut_curves.h): the counts
// the "one more token" magnet can pull a cut to, all of them at once. The search (core/search)
// builds its candidate schedules from these.
#include <string>
#include <vector>

#include "core/analysis/profile_analysis.h"

namespace tp {

struct CutTarget {
    int tokens = 0;
    std::string curve;     // e.g. "deployed:3"
    // e.g. "one more token: edge 129→128 saves 3.1%", "periodic: n mod 4 = 0 runs 6.0% under the trend"
    std::string finding;
};

// For a cut at `block`, ordered by tokens (descending), each count once:
// - "one more token" points: the last count of every plateau followed by a higher level;
// - fast residues: every measured count whose residue modulo the curve's period runs fast.
// Empty when the cut's curve is missing or has neither edges nor a periodic pattern.
std::vector<CutTarget> cut_targets(const ProfileAnalysis& analysis, int block);

}  // namespace tp
