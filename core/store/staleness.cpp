#include "core/store/staleness.h"

#include <algorithm>

namespace tp::store {
namespace {

bool same_edge(const Edge& a, const Edge& b) { return a.last_before < b.tokens && b.last_before < a.tokens; }

std::string where(const Edge& e) {
    return e.last_before + 1 == e.tokens ? std::to_string(e.tokens)
                                         : std::to_string(e.last_before + 1) + ".." + std::to_string(e.tokens);
}

}  // namespace

std::vector<std::string> moved_edges(const std::vector<Edge>& tuned, const std::vector<Edge>& newer, int lo_tokens,
                                     int hi_tokens) {
    auto inside = [&](const Edge& e) { return e.last_before >= lo_tokens && e.tokens <= hi_tokens; };
    std::vector<std::string> lines;
    for (const Edge& old_edge : tuned) {
        if (!inside(old_edge)) continue;
        bool kept = std::any_of(newer.begin(), newer.end(), [&](const Edge& e) { return same_edge(old_edge, e); });
        if (!kept) lines.push_back("edge at " + where(old_edge) + " tokens is gone");
    }
    for (const Edge& new_edge : newer) {
        if (!inside(new_edge)) continue;
        bool known = std::any_of(tuned.begin(), tuned.end(), [&](const Edge& e) { return same_edge(new_edge, e); });
        if (!known) lines.push_back("new edge at " + where(new_edge) + " tokens");
    }
    return lines;
}

std::vector<std::string> moved_edges(const std::vector<Curve>& tuned, const std::vector<Curve>& newer,
                                     const EdgeFinder& find_edges) {
    std::vector<std::string> lines;
    if (!find_edges) return lines;
    for (const Curve& old_curve : tuned) {
        auto match = std::find_if(newer.begin(), newer.end(), [&](const Curve& c) { return c.name == old_curve.name; });
        if (match == newer.end() || old_curve.points.empty() || match->points.empty()) continue;
        int lo = std::max(old_curve.points.front().tokens, match->points.front().tokens);
        int hi = std::min(old_curve.points.back().tokens, match->points.back().tokens);
        if (lo >= hi) continue;
        for (const auto& line : moved_edges(find_edges(old_curve), find_edges(*match), lo, hi))
            lines.push_back(old_curve.name + ": " + line);
    }
    return lines;
}

}  // namespace tp::store
