#include "core/steps/segment_fit.h"

namespace tp::steps {

SegmentFit fit_line(const std::vector<int>& t, const std::vector<double>& y, int begin, int end) {
    SegmentFit f;
    f.begin = begin;
    f.end = end;
    const double n = end - begin;
    double tm = 0, ym = 0;
    for (int i = begin; i < end; ++i) { tm += t[std::size_t(i)]; ym += y[std::size_t(i)]; }
    tm /= n;
    ym /= n;
    double sxx = 0, sxy = 0;
    for (int i = begin; i < end; ++i) {
        const double dt = t[std::size_t(i)] - tm;
        sxx += dt * dt;
        sxy += dt * (y[std::size_t(i)] - ym);
    }
    f.slope = sxx > 0 ? sxy / sxx : 0.0;
    f.intercept = ym - f.slope * tm;
    return f;
}

SegmentFit fit_fixed_slope(const std::vector<int>& t, const std::vector<double>& y, int begin, int end, double slope) {
    SegmentFit f;
    f.begin = begin;
    f.end = end;
    double r = 0;
    for (int i = begin; i < end; ++i) r += y[std::size_t(i)] - slope * t[std::size_t(i)];
    f.slope = slope;
    f.intercept = r / (end - begin);
    return f;
}

}  // namespace tp::steps
