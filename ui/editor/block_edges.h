#pragma once
#include <QString>
#include <vector>

#include "core/model/schedule.h"
#include "ui/editor/step_cache.h"

namespace tp::ui {

// Where one block's token count sits on its staircase (block:B curve, else the model curve).
struct BlockEdgePosition {
    int block = 0;
    int tokens = 0;
    QString curve;            // curve used, empty when the profile has none for this block
    int plateau_first = 0, plateau_last = 0;  // plateau holding `tokens` (0: outside the measured range)
    int edge_above = 0;       // first count of the next higher level (0: none)
    int one_more_below = 0;   // the count that reaches the next lower level (0: none)
    double saving_pct = 0;    // latency of this block saved by going to one_more_below
    bool on_edge() const { return plateau_last > 0 && tokens == plateau_last && edge_above > 0; }
    QString describe() const;
};

std::vector<BlockEdgePosition> block_edge_positions(const StepCache& steps, const Schedule& schedule);

}  // namespace tp::ui
