#pragma once
#include <vector>

namespace tp::steps {

// Least-squares line over points [begin, end) of a curve: y ≈ intercept + slope·t. With a fixed
// slope only the intercept is fitted (short plateaus borrow the curve's common slope).
struct SegmentFit {
    int begin = 0, end = 0;
    double intercept = 0, slope = 0;
    double t_mean = 0, sxx = 0;  // for the variance of a prediction
    bool own_slope = false;
    double at(double t) const { return intercept + slope * t; }
    // Var(prediction at t) / sigma².
    double prediction_variance(double t) const {
        const double n = end - begin;
        return 1.0 / n + (own_slope && sxx > 0 ? (t - t_mean) * (t - t_mean) / sxx : 0.0);
    }
};

SegmentFit fit_line(const std::vector<int>& t, const std::vector<double>& y, int begin, int end);
SegmentFit fit_fixed_slope(const std::vector<int>& t, const std::vector<double>& y, int begin, int end, double slope);

}  // namespace tp::steps
