#pragma once
#include <string>

#include "core/model/curve.h"

namespace tp {

// One curve from CSV measured elsewhere: header `tokens,median_ms[,p10_ms,p90_ms,samples]`
// (columns in any order, extra columns rejected), one row per token count. Errors name the line.
Curve parse_curve_csv(const std::string& text, const std::string& source, const Scope& scope);
Curve load_curve_csv(const std::string& path, const Scope& scope);

}  // namespace tp
