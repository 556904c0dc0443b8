#pragma once
// The "one more token" magnet: where a cut being moved should go on the steps of its curve.
#include <string>

#include "core/analysis/profile_analysis.h"

namespace tp {

// What the magnet offers for a cut.
struct MagnetOffer {
    bool valid = false;
    int tokens = 0;          // the token count it pulls to
    std::string curve;       // the curve it was found on, e.g. "deployed:3"
    std::string finding;     // e.g. "one more token: edge 129→128 saves 3.1%" or "periodic: n mod 4 = 0 runs 6.0% under the trend"
};

// The "one more token" point for a cut at `block` with `tokens` kept, on the cut's curve
// (cut_curves.h): the right edge of the plateau just below `tokens` (the largest count of the lower
// level), or the right edge of the plateau holding `tokens` (same latency, more tokens kept) when
// that one is nearer. Where the curve has no such edge but a periodic pattern, the nearest fast
// count at or below `tokens`.
MagnetOffer magnet_offer(const ProfileAnalysis& analysis, int block, int tokens);
// The next such point strictly below `tokens` (the right edge of the lower plateau, or the next
// fast count below), for keyboard jumps.
MagnetOffer magnet_offer_below(const ProfileAnalysis& analysis, int block, int tokens);

}  // namespace tp
