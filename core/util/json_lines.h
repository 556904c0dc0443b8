#pragma once
#include <string>

namespace tp {

// Line (1-based) where the value at `pointer` (RFC 6901, e.g. "/curves/2/points/0/median_ms")
// starts in syntactically valid JSON `text`; where the pointer names something missing, the line of
// the deepest value on its path (a missing field points at its object). 0 for empty text. Used to
// make error messages name a line; one linear pass without recursion, safe on crafted files.
int json_pointer_line(const std::string& text, const std::string& pointer);

}  // namespace tp
