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
    constexpr double inf = std::numeric_limits<double>::infinity();
    std::vector<double> best(std::size_t(n) + 1, inf);
    std::vector<int> last(std::size_t(n) + 1, 0);
    // open[τ]: best[τ] while τ is a candidate start, +inf once pruned or not admissible, so the inner
    // loop runs over one contiguous range without branches (it is the whole cost of the detector).
    std::vector<double> open(std::size_t(n) + 1, inf), value(std::size_t(n) + 1, inf), inv_len(std::size_t(n) + 1, 0);
    for (int len = 1; len <= n; ++len) inv_len[std::size_t(len)] = 1.0 / len;
    std::vector<char> pruned(std::size_t(n) + 1, 0);
    // PELT's rule, delayed by the minimum segment length so that pruning stays exact under the
    // length constraint: τ is dropped at j + m when best[τ] + cost(τ, j) > best[j].
    std::vector<std::pair<int, int>> to_close;  // (index from which τ is closed, τ), in time order
    std::size_t closed = 0;
    best[0] = -penalty;
    int first_open = 0;
    for (int j = m; j <= n; ++j) {
        const int fresh = j - m;  // becomes admissible now
        if (fresh == 0 || fresh >= m) open[std::size_t(fresh)] = best[std::size_t(fresh)];
        for (; closed < to_close.size() && to_close[closed].first <= j; ++closed)
            open[std::size_t(to_close[closed].second)] = inf;
        while (first_open < fresh && open[std::size_t(first_open)] == inf) ++first_open;
        const double s1j = s1[std::size_t(j)], s2j = s2[std::size_t(j)];
        double f = inf;
        int arg = 0;
        for (int tau = first_open; tau <= fresh; ++tau) {
            const double d = s1j - s1[std::size_t(tau)];
            value[std::size_t(tau)] = open[std::size_t(tau)] + (s2j - s2[std::size_t(tau)]) - d * d * inv_len[std::size_t(j - tau)];
        }
        for (int tau = first_open; tau <= fresh; ++tau)
            if (value[std::size_t(tau)] < f) { f = value[std::size_t(tau)]; arg = tau; }
        f += penalty;
        best[std::size_t(j)] = f;
        last[std::size_t(j)] = arg;
        for (int tau = first_open; tau <= fresh; ++tau)
            if (value[std::size_t(tau)] > f && value[std::size_t(tau)] != inf && !pruned[std::size_t(tau)]) {
                pruned[std::size_t(tau)] = 1;
                to_close.emplace_back(j + m, tau);
            }
    }
    std::vector<int> cps;
    for (int j = n; last[std::size_t(j)] > 0; j = last[std::size_t(j)]) cps.push_back(last[std::size_t(j)]);
    std::reverse(cps.begin(), cps.end());
    return cps;
}

}  // namespace tp::steps
