#include "core/agent/sweep_plan.h"

#include <algorithm>
#include <cmath>
#include <random>
#include <set>

#include "core/agent/statistics.h"

namespace tp::agent {

std::vector<Visit> plan_sweep(const std::vector<std::vector<int>>& tokens_per_curve, const SweepOrder& order) {
    std::vector<Visit> points;
    for (std::size_t c = 0; c < tokens_per_curve.size(); ++c)
        for (int n : tokens_per_curve[c]) points.push_back({static_cast<int>(c), n, 0});
    std::mt19937_64 rng(order.seed);
    if (order.shuffle) std::shuffle(points.begin(), points.end(), rng);
    const int rounds = std::max(order.rounds, 1);
    const std::size_t chunk = order.chunk > 0 ? static_cast<std::size_t>(order.chunk) : std::max<std::size_t>(points.size(), 1);
    std::vector<Visit> visits;
    visits.reserve(points.size() * static_cast<std::size_t>(rounds));
    for (std::size_t begin = 0; begin < points.size(); begin += chunk) {
        std::vector<Visit> part(points.begin() + static_cast<std::ptrdiff_t>(begin),
                                points.begin() + static_cast<std::ptrdiff_t>(std::min(points.size(), begin + chunk)));
        for (int r = 0; r < rounds; ++r) {
            if (order.shuffle && r > 0) std::shuffle(part.begin(), part.end(), rng);
            for (Visit v : part) {
                v.round = r;
                visits.push_back(v);
            }
        }
    }
    return visits;
}

std::vector<int> tokens_still_needed(const std::vector<int>& wanted, const Curve* done) {
    std::vector<int> out;
    for (int n : wanted)
        if (!done || !done->find(n)) out.push_back(n);
    return out;
}

std::vector<int> dense_tokens_near_edges(const Curve& coarse, double k, double min_rel_jump) {
    const auto& p = coarse.points;
    if (p.size() < 2) return {};
    std::vector<double> changes;
    for (std::size_t i = 0; i + 1 < p.size(); ++i) changes.push_back(p[i + 1].median_ms - p[i].median_ms);
    const double typical = median(changes);
    const double spread = 1.4826 * median_absolute_deviation(changes);
    std::set<int> out;
    for (std::size_t i = 0; i + 1 < p.size(); ++i) {
        const double noise = p[i].rel_noise * p[i].median_ms + p[i + 1].rel_noise * p[i + 1].median_ms;
        const double threshold = std::max({k * spread, noise, min_rel_jump * std::abs(p[i].median_ms)});
        if (std::abs(changes[i] - typical) <= threshold) continue;
        for (int n = p[i].tokens + 1; n < p[i + 1].tokens; ++n) out.insert(n);
    }
    return {out.begin(), out.end()};
}

}  // namespace tp::agent
