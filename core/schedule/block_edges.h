#pragma once
// Where each block's token count sits on the staircase of its curve (cut_curves.h: block:B, else
// the model curve): on an edge or inside a plateau, and how many tokens fewer reach the next lower
// level.
#include <string>
#include <vector>

#include "core/analysis/profile_analysis.h"
#include "core/model/schedule.h"

namespace tp {

struct BlockEdgePosition {
    int block = 0;
    int tokens = 0;
    std::string curve;        // curve used, empty when the profile has none for this block
    int plateau_first = 0, plateau_last = 0;  // plateau holding `tokens` (0: outside the measured range)
    int edge_above = 0;       // first count of the next higher level (0: none)
    int one_more_below = 0;   // the count that reaches the next lower level (0: none)
    double saving_pct = 0;    // latency of this block saved by going to one_more_below
    bool on_edge() const { return plateau_last > 0 && tokens == plateau_last && edge_above > 0; }
    // e.g. "on the edge: plateau 97–128 ends here, 129 steps up; 1 token(s) more reach 96 (−3.1%)"
    std::string describe() const;
};

std::vector<BlockEdgePosition> block_edge_positions(const ProfileAnalysis& analysis, const Schedule& schedule);

}  // namespace tp
