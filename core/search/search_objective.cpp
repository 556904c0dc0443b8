#include "core/search/search_objective.h"

#include <cstdio>

#include "core/search/search_entry.h"

namespace tp {
namespace {

std::string fixed(double v, int digits) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*f", digits, v);
    return buf;
}

std::string where(const SearchResult& r) {
    if (r.device_names.size() == 1) return "on " + r.device_names.front();
    return "on the worst of " + std::to_string(r.device_names.size()) + " devices";
}

}  // namespace

std::string SearchObjective::describe() const {
    switch (kind) {
        case Kind::MinLatency: return "fastest with a predicted top-1 drop ≤ " + fixed(max_drop_pp, 2) + " pp";
        case Kind::MaxAccuracy:
            return max_latency_ms > 0 ? "most accurate at ≤ " + fixed(max_latency_ms, 4) + " ms"
                                      : "most accurate at ≤ " + fixed(max_latency_pct, 1) + "% of unpruned";
        case Kind::Front: return "the whole front";
    }
    return {};
}

ObjectiveChoice apply_objective(const SearchResult& r, const SearchObjective& o) {
    ObjectiveChoice c;
    if (r.front.empty()) {
        c.empty_reason = "no pruned schedule is predicted both faster than the unpruned model (" +
                         (r.latency_in_ms ? fixed(r.unpruned.predicted_ms, 4) + " ms" : std::string("100%")) +
                         ") and as accurate as a faster one " + where(r) + ": the front is empty before any constraint";
        return c;
    }
    for (std::size_t i = 0; i < r.front.size(); ++i) {
        const SearchEntry& e = r.front[i];
        bool ok = true;
        if (o.kind == SearchObjective::Kind::MinLatency) ok = e.predicted_drop_pp <= o.max_drop_pp;
        if (o.kind == SearchObjective::Kind::MaxAccuracy)
            ok = o.max_latency_ms > 0 ? e.predicted_ms <= o.max_latency_ms : e.predicted_pct <= o.max_latency_pct;
        if (ok) c.feasible.push_back(i);
    }
    if (c.feasible.empty()) {
        // The front is ordered by latency: its last entry has the smallest drop, its first the lowest latency.
        const SearchEntry& least_drop = r.front.back();
        const SearchEntry& fastest = r.front.front();
        if (o.kind == SearchObjective::Kind::MinLatency)
            c.empty_reason = "the constraint --max-drop " + fixed(o.max_drop_pp, 2) +
                             " pp emptied the front: the smallest predicted drop of a pruned schedule that is faster "
                             "than unpruned is " + fixed(least_drop.predicted_drop_pp, 2) + " pp (" +
                             least_drop.schedule.name + ", " + fixed(least_drop.predicted_pct, 1) + "% " + where(r) + ")";
        else if (o.max_latency_ms > 0)
            c.empty_reason = "the constraint --max-latency " + fixed(o.max_latency_ms, 4) +
                             " ms emptied the front: the fastest predicted schedule takes " +
                             fixed(fastest.predicted_ms, 4) + " ms (" + fastest.schedule.name + ", " + where(r) + ")";
        else
            c.empty_reason = "the constraint --max-latency-pct " + fixed(o.max_latency_pct, 1) +
                             " emptied the front: the fastest predicted schedule takes " +
                             fixed(fastest.predicted_pct, 1) + "% of unpruned (" + fastest.schedule.name + ", " +
                             where(r) + ")";
        return c;
    }
    if (o.kind == SearchObjective::Kind::MinLatency) c.best = static_cast<int>(c.feasible.front());
    if (o.kind == SearchObjective::Kind::MaxAccuracy) c.best = static_cast<int>(c.feasible.back());
    return c;
}

}  // namespace tp
