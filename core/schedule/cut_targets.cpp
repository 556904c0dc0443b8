#include "core/schedule/cut_targets.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "core/schedule/cut_curves.h"

namespace tp {
namespace {

std::string edge_finding(int first_above, int target, double saved_pct) {
    char buf[128];
    std::snprintf(buf, sizeof buf, "one more token: edge %d→%d saves %.1f%%", first_above, target, saved_pct);
    return buf;
}

std::string residue_finding(const PeriodicFinding& f, int residue) {
    char buf[128];
    std::snprintf(buf, sizeof buf, "periodic: n mod %d = %d runs %.1f%% under the trend", f.period, residue,
                  std::abs(f.fast_pct));
    return buf;
}

}  // namespace

std::vector<CutTarget> cut_targets(const ProfileAnalysis& analysis, int block) {
    const Curve* curve = cut_curve(analysis.profile(), block);
    const StepAnalysis* a = curve_steps(analysis, curve);
    std::vector<CutTarget> out;
    if (!a) return out;
    // Plateaus are ordered by tokens: each one followed by a higher level ends at a target.
    for (std::size_t i = 0; i + 1 < a->plateaus.size(); ++i) {
        const Plateau& low = a->plateaus[i];
        const Plateau& high = a->plateaus[i + 1];
        const double before = high.level_at(high.first_tokens);
        const double after = low.level_at(low.last_tokens);
        if (before <= after) continue;
        const double saved = before > 0 ? 100.0 * (before - after) / before : 0.0;
        out.push_back({low.last_tokens, curve->name, edge_finding(high.first_tokens, low.last_tokens, saved)});
    }
    const PeriodicFinding& f = a->period;
    if (f.found && f.period > 0 && !curve->points.empty()) {
        const int first = curve->points.front().tokens, last = curve->points.back().tokens;
        for (int n = first; n <= last; ++n) {
            const int r = n % f.period;
            if (std::find(f.fast_residues.begin(), f.fast_residues.end(), r) == f.fast_residues.end()) continue;
            const bool taken = std::any_of(out.begin(), out.end(), [n](const CutTarget& t) { return t.tokens == n; });
            if (!taken) out.push_back({n, curve->name, residue_finding(f, r)});
        }
    }
    std::sort(out.begin(), out.end(), [](const CutTarget& x, const CutTarget& y) { return x.tokens > y.tokens; });
    return out;
}

}  // namespace tp
