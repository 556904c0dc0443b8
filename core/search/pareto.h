#pragma once
// Pareto fronts: the 2-D front of complete schedules (latency down, accuracy up) and the
// many-dimensional set of partial schedules a search keeps at one state.
#include <algorithm>
#include <cstddef>
#include <vector>

namespace tp {

struct FrontPoint {
    double latency = 0;  // lower is better
    double top1 = 0;     // higher is better
    std::size_t index = 0;
};

// Indices of the points no other point beats (lower or equal latency with higher top-1, or lower
// latency with equal top-1), ordered by latency; of equal points the first. Points `reference`
// beats are left out too (the reference itself is not returned): the unpruned model.
std::vector<std::size_t> pareto_front(std::vector<FrontPoint> points, const FrontPoint* reference = nullptr);

// Partial schedules at one search state, each a vector of costs (lower is better in every one):
// one is kept unless another is at most as costly everywhere.
class ParetoSet {
public:
    explicit ParetoSet(int dims = 0) : dims_(dims) {}
    int dims() const { return dims_; }
    std::size_t size() const { return payload_.size(); }
    const double* costs(std::size_t i) const { return &costs_[i * static_cast<std::size_t>(dims_)]; }
    std::size_t payload(std::size_t i) const { return payload_[i]; }
    // Adds `costs` unless dominated (returns false); removes what it dominates.
    bool insert(const double* costs, std::size_t payload);
    // Keeps at most `limit` entries: first drops those another beats on (proxy[i], damage) — the
    // damage is the last cost —, then keeps `limit` spread evenly over the damage, both extremes
    // included. True when it dropped any. O(n log n).
    bool truncate(std::size_t limit, const std::vector<double>& proxy);
    void erase(std::size_t i);

private:
    int dims_;
    std::vector<double> costs_;
    std::vector<std::size_t> payload_;
};

}  // namespace tp
