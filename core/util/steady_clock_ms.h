#pragma once
#include <chrono>

namespace tp {

// Milliseconds on the monotonic clock: for deadlines and intervals, never for wall time.
inline long long steady_now_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

}  // namespace tp
