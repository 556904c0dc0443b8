#include "core/schedule/magnet.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "core/schedule/cut_curves.h"

namespace tp {
namespace {

// printf into a std::string (findings are short).
template <typename... Args>
std::string format(const char* pattern, Args... args) {
    char buf[128];
    std::snprintf(buf, sizeof buf, pattern, args...);
    return buf;
}

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

MagnetOffer edge_offer(const StepAnalysis& a, const std::string& curve, int tokens, bool allow_up) {
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
        o.finding = format("one more token: edge %d→%d saves %.1f%%", high->first_tokens, target, saved);
    } else {
        o.finding = format("one more token: right edge of the plateau at %d", target);
    }
    return o;
}

MagnetOffer periodic_offer(const PeriodicFinding& f, const std::string& curve, int tokens) {
    MagnetOffer o;
    if (!f.found || f.period <= 0 || f.fast_residues.empty()) return o;
    for (int n = tokens; n >= std::max(1, tokens - f.period); --n) {
        const int r = n % f.period;
        if (std::find(f.fast_residues.begin(), f.fast_residues.end(), r) == f.fast_residues.end()) continue;
        o.valid = true;
        o.tokens = n;
        o.curve = curve;
        o.finding = format("periodic: n mod %d = %d runs %.1f%% under the trend", f.period, r, std::abs(f.fast_pct));
        return o;
    }
    return o;
}

MagnetOffer offer_on_cut_curve(const ProfileAnalysis& analysis, int block, int tokens, bool below_only) {
    const Curve* curve = cut_curve(analysis.profile(), block);
    const StepAnalysis* a = curve_steps(analysis, curve);
    if (!a) return {};
    if (!a->edges.empty()) {
        MagnetOffer o = edge_offer(*a, curve->name, tokens, !below_only);
        if (o.valid) return o;
    }
    return periodic_offer(a->period, curve->name, below_only ? tokens - 1 : tokens);
}

}  // namespace

MagnetOffer magnet_offer(const ProfileAnalysis& analysis, int block, int tokens) {
    return offer_on_cut_curve(analysis, block, tokens, false);
}

MagnetOffer magnet_offer_below(const ProfileAnalysis& analysis, int block, int tokens) {
    return offer_on_cut_curve(analysis, block, tokens, true);
}

}  // namespace tp
