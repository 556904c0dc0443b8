#include "core/model/curve.h"

#include <algorithm>
#include <cmath>

#include "core/util/format_error.h"

namespace tp {

const CurvePoint* Curve::find(int tokens) const {
    auto it = std::lower_bound(points.begin(), points.end(), tokens,
                               [](const CurvePoint& p, int t) { return p.tokens < t; });
    return it != points.end() && it->tokens == tokens ? &*it : nullptr;
}

std::vector<int> Curve::token_counts() const {
    std::vector<int> out;
    out.reserve(points.size());
    for (const auto& p : points) out.push_back(p.tokens);
    return out;
}

std::vector<double> Curve::medians() const {
    std::vector<double> out;
    out.reserve(points.size());
    for (const auto& p : points) out.push_back(p.median_ms);
    return out;
}

void normalise_and_check(Curve& curve) {
    const std::string where = "curve '" + curve.name + "'";
    std::stable_sort(curve.points.begin(), curve.points.end(),
                     [](const CurvePoint& a, const CurvePoint& b) { return a.tokens < b.tokens; });
    for (std::size_t i = 0; i < curve.points.size(); ++i) {
        const CurvePoint& p = curve.points[i];
        const std::string at = where + " at " + std::to_string(p.tokens) + " tokens";
        if (p.tokens <= 0) throw FormatError(where, "token count must be positive, found " + std::to_string(p.tokens));
        if (i > 0 && curve.points[i - 1].tokens == p.tokens) throw FormatError(at, "duplicate token count");
        for (double v : {p.median_ms, p.mean_ms, p.p10_ms, p.p90_ms, p.min_ms})
            if (!std::isfinite(v) || v < 0) throw FormatError(at, "latency must be a finite, non-negative number");
        if (p.median_ms <= 0) throw FormatError(at, "median latency must be positive");
        const double slack = 1e-9 * std::max(1.0, p.median_ms);
        if (p.p10_ms > p.median_ms + slack || p.median_ms > p.p90_ms + slack)
            throw FormatError(at, "percentiles out of order (need p10 <= median <= p90)");
        if (p.samples < 0) throw FormatError(at, "sample count must not be negative");
        if (p.raw_ms.size() > CurvePoint::kMaxRawSamples)
            throw FormatError(at, "at most " + std::to_string(CurvePoint::kMaxRawSamples) + " raw samples are kept");
    }
}

}  // namespace tp
