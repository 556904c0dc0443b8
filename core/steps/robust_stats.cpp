#include "core/steps/robust_stats.h"

#include <algorithm>
#include <cmath>

namespace tp::steps {

double noise_sigma_from_differences(const std::vector<double>& y) {
    if (y.size() < 3) return 0;
    std::vector<double> d(y.size() - 1);
    for (std::size_t i = 1; i < y.size(); ++i) d[i - 1] = y[i] - y[i - 1];
    const double centre = median(d);
    for (double& x : d) x = std::abs(x - centre);
    return median(std::move(d)) / (0.6745 * std::sqrt(2.0));
}

double noise_sigma_step_robust(const std::vector<double>& y) {
    if (y.size() < 4) return noise_sigma_from_differences(y);
    std::vector<double> d(y.size() - 1);
    for (std::size_t i = 1; i < y.size(); ++i) d[i - 1] = y[i] - y[i - 1];
    const double centre = median(d);
    std::vector<double> m(d.size() - 1);
    for (std::size_t i = 0; i + 1 < d.size(); ++i) m[i] = std::min(std::abs(d[i] - centre), std::abs(d[i + 1] - centre));
    return median(std::move(m)) / 0.5751 / (0.6745 * std::sqrt(2.0));
}

double median_adjacent_slope(const std::vector<int>& t, const std::vector<double>& y) {
    std::vector<double> s;
    s.reserve(t.size());
    for (std::size_t i = 1; i < t.size(); ++i)
        if (t[i] > t[i - 1]) s.push_back((y[i] - y[i - 1]) / double(t[i] - t[i - 1]));
    return median(std::move(s));
}

std::vector<double> remove_short_outliers(const std::vector<double>& y, int max_run, double threshold) {
    // Reference: a running median a little wider than the longest run, so that two spikes close
    // together cannot hold each other up (and a normal point between them is not pulled off).
    const int n = int(y.size());
    std::vector<double> ref(y.size());
    running_median(y, 0, n, 2 * max_run + 3, ref);
    std::vector<double> out = y;
    for (int i = 0; i < n;) {
        const double d = y[std::size_t(i)] - ref[std::size_t(i)];
        if (std::abs(d) <= threshold) { ++i; continue; }
        int j = i + 1;  // run of points off the same side
        while (j < n && std::abs(y[std::size_t(j)] - ref[std::size_t(j)]) > threshold &&
               (y[std::size_t(j)] - ref[std::size_t(j)] > 0) == (d > 0))
            ++j;
        if (j - i <= max_run)
            for (int k = i; k < j; ++k) out[std::size_t(k)] = ref[std::size_t(k)];
        i = j;
    }
    return out;
}

double local_median_slope(const std::vector<int>& t, const std::vector<double>& y, int begin, int end, int reach) {
    std::vector<double> s;
    const int lo = std::max(1, begin - reach), hi = std::min(int(t.size()), end + reach);
    for (int i = lo; i < hi; ++i)
        if (t[std::size_t(i)] > t[std::size_t(i) - 1])
            s.push_back((y[std::size_t(i)] - y[std::size_t(i) - 1]) / double(t[std::size_t(i)] - t[std::size_t(i) - 1]));
    return median(std::move(s));
}

void running_median(const std::vector<double>& y, int begin, int end, int window, std::vector<double>& out) {
    const int half = window / 2;
    std::vector<double> buf;
    buf.reserve(std::size_t(window));
    for (int i = begin; i < end; ++i) {
        const int lo = std::max(begin, i - half), hi = std::min(end, i + half + 1);
        buf.assign(y.begin() + lo, y.begin() + hi);
        out[std::size_t(i)] = median(buf);
    }
}

}  // namespace tp::steps
