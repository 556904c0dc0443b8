#pragma once
#include <string>

namespace tp {

// Now as ISO 8601 UTC ("2026-12-06T17:10:15Z"), thread-safe (gmtime_r).
std::string iso8601_utc_now();

}  // namespace tp
