#pragma once
#include <vector>

#include "core/model/schedule.h"

namespace tp::ui {

// The rules a pruning point obeys while the user edits it: block and tokens are integers, points
// sit on distinct blocks, token counts fall strictly from one point to the next (each point is a
// drop), nothing exceeds the model's input length, and each drop is one the method can realise
// (core/model/method_rules.h: CLS kept, POMT's merged token, ToMe merging at most half).
struct PointBounds {
    int min_block = 0, max_block = 0;
    int min_tokens = 1, max_tokens = 1;
};

// Where point `index` of `points` (sorted by block) may go without crossing its neighbours.
PointBounds bounds_for_point(const std::vector<PruningPoint>& points, int index, int depth, int input_tokens,
                             const std::string& method);

// Clamps a proposed position of point `index` into its bounds.
PruningPoint clamp_point(const std::vector<PruningPoint>& points, int index, PruningPoint proposed, int depth,
                         int input_tokens, const std::string& method);

// The schedule's tokens_after_block with point `index` replaced by `moved` (already clamped).
std::vector<int> tokens_with_point(const Schedule& schedule, int index, PruningPoint moved);

// A new point in the widest gap: at the first block without a point after the last point (or in
// front of the first), keeping halfway between its neighbours' token counts. nullopt when no free
// block can take a drop.
std::optional<PruningPoint> suggest_new_point(const Schedule& schedule);

// tokens_after_block with point `index` removed (its drop merges into the next one).
std::vector<int> tokens_without_point(const Schedule& schedule, int index);

}  // namespace tp::ui
