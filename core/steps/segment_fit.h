#pragma once
#include <vector>

namespace tp::steps {

// Least-squares line over points [begin, end) of a curve: y ≈ intercept + slope·t. With a fixed
// slope only the intercept is fitted (short plateaus borrow the slope around them).
struct SegmentFit {
    int begin = 0, end = 0;
    double intercept = 0, slope = 0;
    double at(double t) const { return intercept + slope * t; }
};

SegmentFit fit_line(const std::vector<int>& t, const std::vector<double>& y, int begin, int end);
SegmentFit fit_fixed_slope(const std::vector<int>& t, const std::vector<double>& y, int begin, int end, double slope);

}  // namespace tp::steps
