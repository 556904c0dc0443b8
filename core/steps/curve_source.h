#pragma once
#include <optional>
#include <string>
#include <vector>

#include "core/model/profile.h"

namespace tp {

// The curve a step command works on: from a profile JSON (choose by name) or a CSV
// `tokens,median_ms,...` (one curve; its name is the file stem).
struct CurveSource {
    std::optional<Profile> profile;  // set when the file was a profile
    Curve curve;
    std::vector<std::string> curve_names;  // all curves in the file
};

// Throws FormatError: unreadable or malformed file (file, line, field), an unknown curve name
// (listing the names there are), or a profile without curves.
CurveSource load_curve_source(const std::string& path, const std::string& curve_name = {});

}  // namespace tp
