#include "core/steps/changepoint.h"

#include <algorithm>
#include <limits>

namespace tp::steps {

std::vector<int> pelt_changepoints(const std::vector<double>& y, double penalty, int min_segment) {
    const int n = int(y.size());
    const int m = std::max(1, min_segment);
    if (n < 2 * m) return {};
    // Prefix sums around the mean keep the cost numerically stable for large absolute levels.
    double mean = 0;
    for (double v : y) mean += v;
    mean /= n;
    std::vector<double> s1(std::size_t(n) + 1, 0), s2(std::size_t(n) + 1, 0);
    for (int i = 0; i < n; ++i) {
        const double v = y[std::size_t(i)] - mean;
        s1[std::size_t(i) + 1] = s1[std::size_t(i)] + v;
        s2[std::size_t(i) + 1] = s2[std::size_t(i)] + v * v;
    }
    auto cost = [&](int a, int b) {  // squared deviation from the mean of y[a, b)
        const double s = s1[std::size_t(b)] - s1[std::size_t(a)];
        return std::max(0.0, (s2[std::size_t(b)] - s2[std::size_t(a)]) - s * s / (b - a));
    };
    constexpr double inf = std::numeric_limits<double>::infinity();
    std::vector<double> best(std::size_t(n) + 1, inf);
    std::vector<int> last(std::size_t(n) + 1, 0);
    // prune_from[τ]: τ may be dropped for every end ≥ this index (PELT's rule, delayed by the
    // minimum segment length so that pruning stays exact under the length constraint).
    std::vector<int> prune_from(std::size_t(n) + 1, std::numeric_limits<int>::max());
    best[0] = -penalty;
    std::vector<int> candidates;
    for (int j = m; j <= n; ++j) {
        const int fresh = j - m;  // becomes admissible now
        if (fresh == 0 || fresh >= m) candidates.push_back(fresh);
        double f = inf;
        int arg = 0;
        for (int tau : candidates) {
            const double v = best[std::size_t(tau)] + cost(tau, j) + penalty;
            if (v < f) { f = v; arg = tau; }
        }
        best[std::size_t(j)] = f;
        last[std::size_t(j)] = arg;
        std::size_t keep = 0;
        for (int tau : candidates) {
            if (prune_from[std::size_t(tau)] <= j) continue;
            if (best[std::size_t(tau)] + cost(tau, j) > f && prune_from[std::size_t(tau)] > j + m)
                prune_from[std::size_t(tau)] = j + m;
            candidates[keep++] = tau;
        }
        candidates.resize(keep);
    }
    std::vector<int> cps;
    for (int j = n; last[std::size_t(j)] > 0; j = last[std::size_t(j)]) cps.push_back(last[std::size_t(j)]);
    std::reverse(cps.begin(), cps.end());
    return cps;
}

}  // namespace tp::steps
