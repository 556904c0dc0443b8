#include "ui/editor/magnet.h"

#include <algorithm>
#include <cmath>

namespace tp::ui {
namespace {

// The plateau right after `p` in token order, or nullptr.
const Plateau* next_plateau(const StepAnalysis& a, const Plateau& p) {
    for (const Plateau& q : a.plateaus)
        if (q.first_tokens > p.last_tokens) return &q;
    return nullptr;
}

// A "one more token" point: the right edge of a plateau followed by a higher level.
bool is_one_more_token_point(const StepAnalysis& a, int tokens) {
    const Plateau* p = a.plateau_at(tokens);
    if (!p || p->last_tokens != tokens) return false;
    const Plateau* next = next_plateau(a, *p);
    return next && next->level_at(next->first_tokens) > p->level_at(p->last_tokens);
}

MagnetOffer edge_offer(const StepAnalysis& a, const QString& curve, int tokens, bool allow_up) {
    // Candidates: the right edge of the plateau holding `tokens` (same latency, more tokens kept)
    // and the right edge of the lower plateau just below; the nearer one wins.
    int up = 0;
    if (const Plateau* here = allow_up ? a.plateau_at(tokens) : nullptr)
        if (is_one_more_token_point(a, here->last_tokens)) up = here->last_tokens;
    const int down = a.one_more_token_below(tokens);
    int target = 0;
    if (up > 0 && (down <= 0 || up - tokens <= tokens - down)) target = up;
    else if (down > 0) target = down;
    MagnetOffer o;
    if (target <= 0) return o;
    o.valid = true;
    o.tokens = target;
    o.curve = curve;
    const Plateau* low = a.plateau_at(target);
    const Plateau* high = low ? next_plateau(a, *low) : nullptr;
    if (low && high) {
        const double before = high->level_at(high->first_tokens);
        const double after = low->level_at(target);
        const double saved = before > 0 ? 100.0 * (before - after) / before : 0;
        o.finding = QString("one more token: edge %1→%2 saves %3%")
                        .arg(high->first_tokens)
                        .arg(target)
                        .arg(saved, 0, 'f', 1);
    } else {
        o.finding = QString("one more token: right edge of the plateau at %1").arg(target);
    }
    return o;
}

MagnetOffer periodic_offer(const PeriodicFinding& f, const QString& curve, int tokens) {
    MagnetOffer o;
    if (!f.found || f.period <= 0 || f.fast_residues.empty()) return o;
    for (int n = tokens; n >= std::max(1, tokens - f.period); --n) {
        const int r = n % f.period;
        if (std::find(f.fast_residues.begin(), f.fast_residues.end(), r) == f.fast_residues.end()) continue;
        o.valid = true;
        o.tokens = n;
        o.curve = curve;
        o.finding = QString("periodic: n mod %1 = %2 runs %3% under the trend")
                        .arg(f.period)
                        .arg(r)
                        .arg(std::abs(f.fast_pct), 0, 'f', 1);
        return o;
    }
    return o;
}

MagnetOffer offer_on_cut_curve(const StepCache& steps, int block, int tokens, bool below_only) {
    const Curve* curve = steps.cutCurve(block);
    if (!curve) return {};
    const StepAnalysis* a = steps.analysis(*curve);
    if (!a) return {};
    const QString name = QString::fromStdString(curve->name);
    if (!a->edges.empty()) {
        MagnetOffer o = edge_offer(*a, name, tokens, !below_only);
        if (o.valid) return o;
    }
    return periodic_offer(a->period, name, below_only ? tokens - 1 : tokens);
}

}  // namespace

MagnetOffer magnet_offer(const StepCache& steps, int block, int tokens) {
    return offer_on_cut_curve(steps, block, tokens, false);
}

MagnetOffer magnet_offer_below(const StepCache& steps, int block, int tokens) {
    return offer_on_cut_curve(steps, block, tokens, true);
}

}  // namespace tp::ui
