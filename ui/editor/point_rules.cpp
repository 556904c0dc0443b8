#include "ui/editor/point_rules.h"

#include <algorithm>

#include "core/model/method_rules.h"

namespace tp::ui {
namespace {

// The largest length entering a block from which `method` can still reach `tokens_out`.
int max_tokens_in_for(const std::string& method, int tokens_out, int upper) {
    int t = upper;
    while (t > tokens_out && min_tokens_after_pruning(method, t) > tokens_out) --t;
    return t;
}

}  // namespace

PointBounds bounds_for_point(const std::vector<PruningPoint>& points, int index, int depth, int input_tokens,
                             const std::string& method) {
    const auto i = static_cast<std::size_t>(index);
    const bool has_next = i + 1 < points.size();
    const int tokens_in = index > 0 ? points[i - 1].tokens : input_tokens;
    PointBounds b;
    b.min_block = index > 0 ? points[i - 1].block + 1 : 0;
    b.max_block = has_next ? points[i + 1].block - 1 : depth - 1;
    b.max_tokens = tokens_in - 1;
    if (has_next) b.max_tokens = max_tokens_in_for(method, points[i + 1].tokens, b.max_tokens);
    b.min_tokens = std::max(has_next ? points[i + 1].tokens + 1 : 1, min_tokens_after_pruning(method, tokens_in));
    return b;
}

PruningPoint clamp_point(const std::vector<PruningPoint>& points, int index, PruningPoint proposed, int depth,
                         int input_tokens, const std::string& method) {
    const PointBounds b = bounds_for_point(points, index, depth, input_tokens, method);
    PruningPoint p;
    p.block = std::clamp(proposed.block, b.min_block, std::max(b.min_block, b.max_block));
    p.tokens = std::clamp(proposed.tokens, b.min_tokens, std::max(b.min_tokens, b.max_tokens));
    return p;
}

std::vector<int> tokens_with_point(const Schedule& schedule, int index, PruningPoint moved) {
    auto points = schedule.pruning_points();
    points.at(static_cast<std::size_t>(index)) = moved;
    return tokens_from_points(schedule.depth(), schedule.input_tokens(), points);
}

std::optional<PruningPoint> suggest_new_point(const Schedule& schedule) {
    const auto points = schedule.pruning_points();
    const int depth = schedule.depth();
    const std::string& method = schedule.method;
    // After the last point: halfway to the last block, keeping a little over half of its length.
    const int last_block = points.empty() ? -1 : points.back().block;
    const int last_tokens = points.empty() ? schedule.input_tokens() : points.back().tokens;
    const int floor_after_last = min_tokens_after_pruning(method, last_tokens);
    if (last_block + 1 < depth && floor_after_last < last_tokens) {
        const int block = points.empty() ? std::min(3, depth - 1) : (last_block + depth) / 2;
        const int tokens = std::clamp((last_tokens + 1) / 2 + 1, floor_after_last, last_tokens - 1);
        return PruningPoint{std::clamp(block, last_block + 1, depth - 1), tokens};
    }
    // Otherwise in front of the first point, if a block and a token count are free there.
    if (!points.empty() && points.front().block > 0) {
        const PruningPoint first = points.front();
        const int upper = max_tokens_in_for(method, first.tokens, schedule.input_tokens() - 1);
        const int lower = std::max(first.tokens + 1, min_tokens_after_pruning(method, schedule.input_tokens()));
        if (lower <= upper) return PruningPoint{first.block / 2, (lower + upper + 1) / 2};
    }
    return std::nullopt;
}

std::vector<int> tokens_without_point(const Schedule& schedule, int index) {
    auto points = schedule.pruning_points();
    points.erase(points.begin() + index);
    return tokens_from_points(schedule.depth(), schedule.input_tokens(), points);
}

}  // namespace tp::ui
