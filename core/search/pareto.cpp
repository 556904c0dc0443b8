#include "core/search/pareto.h"

#include <algorithm>

namespace tp {

std::vector<std::size_t> pareto_front(std::vector<FrontPoint> points, const FrontPoint* reference) {
    std::stable_sort(points.begin(), points.end(), [](const FrontPoint& a, const FrontPoint& b) {
        if (a.latency != b.latency) return a.latency < b.latency;
        return a.top1 > b.top1;
    });
    std::vector<std::size_t> out;
    bool have_best = false;
    double best_top1 = 0;
    std::size_t r = 0;  // the reference competes in latency order; nothing at or after it with no more top-1 survives
    for (const FrontPoint& p : points) {
        if (reference && r == 0 && reference->latency <= p.latency) {
            if (!have_best || reference->top1 > best_top1) best_top1 = reference->top1, have_best = true;
            r = 1;
        }
        if (have_best && p.top1 <= best_top1) continue;
        best_top1 = p.top1;
        have_best = true;
        out.push_back(p.index);
    }
    return out;
}

bool ParetoSet::insert(const double* c, std::size_t payload) {
    const std::size_t n = static_cast<std::size_t>(dims_);
    for (std::size_t i = 0; i < size(); ++i) {
        const double* e = costs(i);
        std::size_t k = 0;
        while (k < n && e[k] <= c[k]) ++k;
        if (k == n) return false;  // as good everywhere
    }
    for (std::size_t i = size(); i-- > 0;) {
        const double* e = costs(i);
        std::size_t k = 0;
        while (k < n && c[k] <= e[k]) ++k;
        if (k == n) erase(i);
    }
    costs_.insert(costs_.end(), c, c + n);
    payload_.push_back(payload);
    return true;
}

bool ParetoSet::truncate(std::size_t limit, const std::vector<double>& proxy) {
    const std::size_t n = size();
    if (n <= limit) return false;
    const std::size_t last = static_cast<std::size_t>(dims_) - 1;
    std::vector<std::size_t> order(n);
    for (std::size_t i = 0; i < n; ++i) order[i] = i;
    std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
        if (proxy[a] != proxy[b]) return proxy[a] < proxy[b];
        return costs(a)[last] < costs(b)[last];
    });
    std::vector<std::size_t> kept;
    double least_damage = 0;
    for (std::size_t i : order)
        if (kept.empty() || costs(i)[last] < least_damage) kept.push_back(i), least_damage = costs(i)[last];
    std::sort(kept.begin(), kept.end(), [&](std::size_t a, std::size_t b) { return costs(a)[last] < costs(b)[last]; });
    if (kept.size() > limit) {
        std::vector<std::size_t> spread;
        for (std::size_t k = 0; k < limit; ++k) {
            const std::size_t at = limit == 1 ? 0 : (k * (kept.size() - 1) + (limit - 1) / 2) / (limit - 1);
            if (spread.empty() || spread.back() != kept[at]) spread.push_back(kept[at]);
        }
        kept = std::move(spread);
    }
    const std::size_t d = static_cast<std::size_t>(dims_);
    std::vector<double> costs_kept;
    std::vector<std::size_t> payload_kept;
    costs_kept.reserve(kept.size() * d);
    for (std::size_t i : kept) {
        costs_kept.insert(costs_kept.end(), costs(i), costs(i) + d);
        payload_kept.push_back(payload_[i]);
    }
    costs_ = std::move(costs_kept);
    payload_ = std::move(payload_kept);
    return true;
}

void ParetoSet::erase(std::size_t i) {
    const std::size_t n = static_cast<std::size_t>(dims_);
    const std::size_t last = size() - 1;
    if (i != last) {
        std::copy(costs_.begin() + static_cast<long>(last * n), costs_.begin() + static_cast<long>((last + 1) * n),
                  costs_.begin() + static_cast<long>(i * n));
        payload_[i] = payload_[last];
    }
    costs_.resize(last * n);
    payload_.pop_back();
}

}  // namespace tp
