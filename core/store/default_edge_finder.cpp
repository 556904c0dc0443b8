#include "core/store/staleness.h"

namespace tp::store {

EdgeFinder default_edge_finder() {
    return [](const Curve& curve) { return detect_steps(curve).edges; };
}

}  // namespace tp::store
