#pragma once
#include <vector>

namespace tp::steps {

// Exact L2 changepoint segmentation of a piecewise-constant signal (PELT: optimal partitioning with
// pruning, prefix sums for O(1) segment cost). Minimises Σ cost(segment) + penalty·(#segments − 1)
// with every segment at least `min_segment` points. Returns the start index of every segment after
// the first, ascending.
std::vector<int> pelt_changepoints(const std::vector<double>& y, double penalty, int min_segment);

}  // namespace tp::steps
