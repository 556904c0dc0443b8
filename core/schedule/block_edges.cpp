#include "core/schedule/block_edges.h"

#include <cstdio>

#include "core/schedule/cut_curves.h"

namespace tp {

std::string BlockEdgePosition::describe() const {
    char buf[160];
    if (curve.empty()) return "no curve for this block";
    if (plateau_last == 0) {
        std::snprintf(buf, sizeof buf, "%d tokens: outside the measured range of %s", tokens, curve.c_str());
        return buf;
    }
    if (on_edge())
        std::snprintf(buf, sizeof buf, "on the edge: plateau %d–%d ends here, %d steps up", plateau_first, plateau_last,
                      edge_above);
    else
        std::snprintf(buf, sizeof buf, "plateau %d–%d", plateau_first, plateau_last);
    std::string text = buf;
    if (one_more_below > 0) {
        std::snprintf(buf, sizeof buf, "; %d token(s) more reach %d (−%.1f%%)", tokens - one_more_below, one_more_below,
                      saving_pct);
        text += buf;
    }
    return text;
}

std::vector<BlockEdgePosition> block_edge_positions(const ProfileAnalysis& analysis, const Schedule& schedule) {
    std::vector<BlockEdgePosition> out;
    out.reserve(static_cast<std::size_t>(schedule.depth()));
    for (int b = 0; b < schedule.depth(); ++b) {
        BlockEdgePosition e;
        e.block = b;
        e.tokens = schedule.tokens_after_block[static_cast<std::size_t>(b)];
        const Curve* c = block_curve(analysis.profile(), b);
        if (c) e.curve = c->name;
        if (const StepAnalysis* a = curve_steps(analysis, c)) {
            if (const Plateau* p = a->plateau_at(e.tokens)) {
                e.plateau_first = p->first_tokens;
                e.plateau_last = p->last_tokens;
                for (const Plateau& q : a->plateaus)
                    if (q.first_tokens > p->last_tokens) { e.edge_above = q.first_tokens; break; }
                e.one_more_below = a->one_more_token_below(e.tokens + 1);
                if (e.one_more_below == e.tokens) e.one_more_below = a->one_more_token_below(e.tokens);
                if (e.one_more_below > 0) {
                    const double here = p->level_at(e.tokens);
                    const Plateau* low = a->plateau_at(e.one_more_below);
                    if (low && here > 0) e.saving_pct = 100.0 * (here - low->level_at(e.one_more_below)) / here;
                }
            }
        }
        out.push_back(e);
    }
    return out;
}

}  // namespace tp
