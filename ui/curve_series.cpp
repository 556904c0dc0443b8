#include "ui/curve_series.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace tp::ui {

double CurveSeries::medianAt(int tokenCount) const {
    auto it = std::lower_bound(tokens.cbegin(), tokens.cend(), double(tokenCount));
    if (it == tokens.cend() || *it != double(tokenCount)) return std::numeric_limits<double>::quiet_NaN();
    return median[int(it - tokens.cbegin())];
}

CurveSeries CurveSeries::fromCurve(const Curve& curve, const QString& label) {
    CurveSeries s;
    s.label = label;
    const int n = int(curve.points.size());
    s.tokens.reserve(n);
    s.median.reserve(n);
    s.p10.reserve(n);
    s.p90.reserve(n);
    for (const CurvePoint& p : curve.points) {
        s.tokens << p.tokens;
        s.median << p.median_ms;
        // Imported curves may lack percentiles (0): the band collapses onto the median there.
        const bool band = p.p90_ms > 0 && p.p10_ms > 0 && p.p10_ms <= p.p90_ms;
        s.p10 << (band ? p.p10_ms : p.median_ms);
        s.p90 << (band ? p.p90_ms : p.median_ms);
        if (band && p.p10_ms < p.p90_ms) s.hasBand = true;
    }
    s.updateRanges();
    return s;
}

CurveSeries CurveSeries::scaled(double divisor, const QString& newLabel) const {
    CurveSeries s = *this;
    s.label = newLabel;
    if (divisor > 0) {
        for (double& v : s.median) v /= divisor;
        for (double& v : s.p10) v /= divisor;
        for (double& v : s.p90) v /= divisor;
    }
    s.updateRanges();
    return s;
}

CurveSeries CurveSeries::ratio(const CurveSeries& num, const CurveSeries& den, const QString& label) {
    CurveSeries s;
    s.label = label;
    for (int i = 0; i < num.size(); ++i) {
        const double d = den.medianAt(int(num.tokens[i]));
        if (!(d > 0)) continue;
        const double r = num.median[i] / d;
        s.tokens << num.tokens[i];
        s.median << r;
        s.p10 << r;
        s.p90 << r;
    }
    s.updateRanges();
    return s;
}

void CurveSeries::updateRanges() {
    if (tokens.isEmpty()) {
        xMin = xMax = yMin = yMax = yMinPositive = 0;
        return;
    }
    xMin = tokens.front();
    xMax = tokens.back();
    yMin = *std::min_element(p10.cbegin(), p10.cend());
    yMax = *std::max_element(p90.cbegin(), p90.cend());
    yMinPositive = std::numeric_limits<double>::max();
    for (double v : p10)
        if (v > 0) yMinPositive = std::min(yMinPositive, v);
    if (yMinPositive == std::numeric_limits<double>::max()) yMinPositive = 0;
}

}  // namespace tp::ui
