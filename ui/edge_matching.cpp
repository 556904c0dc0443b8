#include "ui/edge_matching.h"

#include <algorithm>
#include <cstdlib>

namespace tp::ui {

int EdgeMatch::tokens() const {
    int t = 0;
    for (const Edge* e : edges)
        if (e && (t == 0 || e->tokens < t)) t = e->tokens;
    return t;
}

int default_edge_tolerance(int tokens) { return std::max(2, (tokens * 3 + 50) / 100); }

std::vector<EdgeMatch> match_edges(const std::vector<std::vector<Edge>>& perCurve, int tolerance) {
    const std::size_t n = perCurve.size();
    std::vector<EdgeMatch> rows;
    // Curve by curve, each edge joins the nearest free row (same direction, within tolerance of
    // the row's first edge); pairs are taken closest first, so a nearer edge wins a contested row.
    // Edges are sparse (tens per curve), so the quadratic pairing is cheap.
    for (std::size_t c = 0; c < n; ++c) {
        struct Pair { int distance; std::size_t edge; std::size_t row; };
        std::vector<Pair> pairs;
        for (std::size_t e = 0; e < perCurve[c].size(); ++e) {
            const Edge& edge = perCurve[c][e];
            for (std::size_t r = 0; r < rows.size(); ++r) {
                const Edge* anchor = nullptr;
                for (const Edge* x : rows[r].edges)
                    if (x) { anchor = x; break; }
                if (!anchor || (anchor->height_ms >= 0) != (edge.height_ms >= 0)) continue;
                const int d = std::abs(anchor->tokens - edge.tokens);
                if (d <= tolerance) pairs.push_back({d, e, r});
            }
        }
        std::stable_sort(pairs.begin(), pairs.end(), [](const Pair& a, const Pair& b) { return a.distance < b.distance; });
        std::vector<bool> placed(perCurve[c].size(), false);
        for (const Pair& p : pairs) {
            if (placed[p.edge] || rows[p.row].edges[c]) continue;
            rows[p.row].edges[c] = &perCurve[c][p.edge];
            placed[p.edge] = true;
        }
        for (std::size_t e = 0; e < perCurve[c].size(); ++e) {
            if (placed[e]) continue;
            rows.push_back(EdgeMatch{std::vector<const Edge*>(n, nullptr), EdgeMatch::Status::Shared});
            rows.back().edges[c] = &perCurve[c][e];
        }
    }
    for (EdgeMatch& r : rows) {
        int present = 0, lo = 0, hi = 0;
        for (const Edge* e : r.edges) {
            if (!e) continue;
            lo = present == 0 ? e->tokens : std::min(lo, e->tokens);
            hi = present == 0 ? e->tokens : std::max(hi, e->tokens);
            ++present;
        }
        r.status = present < int(n) ? EdgeMatch::Status::Partial
                   : lo == hi       ? EdgeMatch::Status::Shared
                                    : EdgeMatch::Status::Moved;
    }
    std::stable_sort(rows.begin(), rows.end(), [](const EdgeMatch& a, const EdgeMatch& b) { return a.tokens() < b.tokens(); });
    return rows;
}

}  // namespace tp::ui
