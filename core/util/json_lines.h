#pragma once
#include <string>

namespace tp {

// Line (1-based) where the value at `pointer` (RFC 6901, e.g. "/curves/2/points/0/median_ms")
// starts in syntactically valid JSON `text`; 0 when not found. Used only to make error messages
// name a line, so it runs only when there is an error to report.
int json_pointer_line(const std::string& text, const std::string& pointer);

}  // namespace tp
