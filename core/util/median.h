#pragma once
#include <vector>

namespace tp {

// The median of `values` (the mean of the two middle ones for an even count); 0 for none. Takes
// its argument by value and partially sorts that copy (O(n)).
double median(std::vector<double> values);

}  // namespace tp
