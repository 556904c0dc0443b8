#include "core/util/median.h"

#include <algorithm>

namespace tp {

double median(std::vector<double> values) {
    if (values.empty()) return 0;
    const auto mid = values.begin() + static_cast<long>(values.size() / 2);
    std::nth_element(values.begin(), mid, values.end());
    double m = *mid;
    if (values.size() % 2 == 0) m = 0.5 * (m + *std::max_element(values.begin(), mid));
    return m;
}

}  // namespace tp
