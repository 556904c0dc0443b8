#include "ui/editor/block_edges.h"

namespace tp::ui {

QString BlockEdgePosition::describe() const {
    if (curve.isEmpty()) return "no curve for this block";
    if (plateau_last == 0) return QString("%1 tokens: outside the measured range of %2").arg(tokens).arg(curve);
    QString text;
    if (on_edge())
        text = QString("on the edge: plateau %1–%2 ends here, %3 steps up").arg(plateau_first).arg(plateau_last).arg(edge_above);
    else
        text = QString("plateau %1–%2").arg(plateau_first).arg(plateau_last);
    if (one_more_below > 0)
        text += QString("; %1 token(s) more reach %2 (−%3%)")
                    .arg(tokens - one_more_below)
                    .arg(one_more_below)
                    .arg(saving_pct, 0, 'f', 1);
    return text;
}

std::vector<BlockEdgePosition> block_edge_positions(const StepCache& steps, const Schedule& schedule) {
    std::vector<BlockEdgePosition> out;
    out.reserve(static_cast<std::size_t>(schedule.depth()));
    for (int b = 0; b < schedule.depth(); ++b) {
        BlockEdgePosition e;
        e.block = b;
        e.tokens = schedule.tokens_after_block[static_cast<std::size_t>(b)];
        if (const Curve* c = steps.blockCurve(b)) {
            e.curve = QString::fromStdString(c->name);
            if (const StepAnalysis* a = steps.analysis(*c)) {
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
        }
        out.push_back(e);
    }
    return out;
}

}  // namespace tp::ui
