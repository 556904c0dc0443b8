#pragma once
#include <QString>

#include "ui/editor/step_cache.h"

namespace tp::ui {

// What the magnet offers for a cut while the user drags it.
struct MagnetOffer {
    bool valid = false;
    int tokens = 0;          // the token count it pulls to
    QString curve;           // the curve it was found on, e.g. "deployed:3"
    QString finding;         // e.g. "one more token: edge 129→128 saves 3.1%" or "n % 4 = 0 runs 6% faster"
};

// The "one more token" point for a cut at `block` with `tokens` kept, on the deployed curve of that
// cut (else the model curve): the right edge of the plateau just below `tokens` (the largest count
// of the lower level), or the right edge of the plateau holding `tokens` (same latency, more tokens
// kept) when that one is nearer. Where the curve has no such edge but a periodic pattern, the
// nearest fast count at or below `tokens`.
MagnetOffer magnet_offer(const StepCache& steps, int block, int tokens);
// The next such point strictly below `tokens` (the right edge of the lower plateau, or the next
// fast count below), for keyboard jumps.
MagnetOffer magnet_offer_below(const StepCache& steps, int block, int tokens);

}  // namespace tp::ui
