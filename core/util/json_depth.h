#pragma once
#include <cstddef>
#include <string_view>

#include "core/util/input_limits.h"

namespace tp {

// How deeply `text` nests JSON arrays and objects (brackets inside strings do not count), found
// with one linear scan and no recursion; the scan stops as soon as the depth passes `stop_after`.
// Copying or destroying a parsed document recurses once per level, so input from others (protocol
// lines, files) is checked with this before it is parsed: a 2 MB line of '[' must not end the process.
std::size_t json_nesting_depth(std::string_view text, std::size_t stop_after);

// Deepest nesting any TailPrune document or protocol line needs is well below this.
inline constexpr std::size_t kMaxJsonDepth = limits::kJsonDepth;

}  // namespace tp
