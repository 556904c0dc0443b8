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
    // Keeps at most `limit` entries, dropping first one beaten on (`proxy`(costs), last cost) and
    // then the most crowded in the last cost (the damage), never its two extremes. True when it dropped any.
    template <typename Proxy>
    bool truncate(std::size_t limit, Proxy proxy);
    void erase(std::size_t i);

private:
    int dims_;
    std::vector<double> costs_;
    std::vector<std::size_t> payload_;
};

template <typename Proxy>
bool ParetoSet::truncate(std::size_t limit, Proxy proxy) {
    bool dropped = false;
    const std::size_t last = static_cast<std::size_t>(dims_) - 1;
    while (size() > limit) {
        dropped = true;
        std::size_t victim = size();
        for (std::size_t i = 0; i < size() && victim == size(); ++i)
            for (std::size_t j = 0; j < size(); ++j)
                if (j != i && proxy(costs(j)) <= proxy(costs(i)) && costs(j)[last] <= costs(i)[last]) {
                    victim = i;
                    break;
                }
        if (victim == size()) {
            // The entry whose neighbours in damage are closest together, extremes kept.
            std::vector<std::size_t> order(size());
            for (std::size_t i = 0; i < size(); ++i) order[i] = i;
            std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return costs(a)[last] < costs(b)[last]; });
            double best_gap = 0;
            for (std::size_t k = 1; k + 1 < order.size(); ++k) {
                const double gap = costs(order[k + 1])[last] - costs(order[k - 1])[last];
                if (victim == size() || gap < best_gap) victim = order[k], best_gap = gap;
            }
            if (victim == size()) victim = order.back();
        }
        erase(victim);
    }
    return dropped;
}

}  // namespace tp
