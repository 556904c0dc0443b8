#include "core/steps/curve_source.h"

#include <cctype>

#include "core/model/csv_import.h"
#include "core/util/format_error.h"
#include "core/model/profile_json.h"
#include "core/util/json_reader.h"

namespace tp {
namespace {

bool looks_like_json(const std::string& text) {
    for (char c : text)
        if (!std::isspace(static_cast<unsigned char>(c))) return c == '{' || c == '[';
    return false;
}

std::string stem(const std::string& path) {
    const auto slash = path.find_last_of('/');
    std::string name = slash == std::string::npos ? path : path.substr(slash + 1);
    const auto dot = name.find_last_of('.');
    return dot == std::string::npos || dot == 0 ? name : name.substr(0, dot);
}

}  // namespace

CurveSource load_curve_source(const std::string& path, const std::string& curve_name) {
    const std::string text = read_text_file(path);
    CurveSource out;
    if (!looks_like_json(text)) {
        out.curve = parse_curve_csv(text, path, parse_scope("model"));
        out.curve.name = stem(path);
        if (!curve_name.empty() && curve_name != out.curve.name)
            throw FormatError(path, "a CSV holds one curve ('" + out.curve.name + "'); --curve '" + curve_name + "' does not apply");
        out.curve_names = {out.curve.name};
        return out;
    }
    Profile p = parse_profile(text, path);
    if (p.curves.empty()) throw FormatError(path, "the profile has no curves");
    for (const auto& c : p.curves) out.curve_names.push_back(c.name);
    const Curve* chosen = nullptr;
    if (curve_name.empty()) {
        chosen = p.find_curve("model");
        if (!chosen) chosen = &p.curves.front();
    } else {
        chosen = p.find_curve(curve_name);
        if (!chosen) {
            std::string names;
            for (const auto& n : out.curve_names) names += (names.empty() ? "" : ", ") + n;
            throw FormatError(path, "no curve named '" + curve_name + "' (curves: " + names + ")");
        }
    }
    out.curve = *chosen;
    out.profile = std::move(p);
    return out;
}

}  // namespace tp
