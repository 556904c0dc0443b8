#include "core/agent/session_profile.h"

#include <algorithm>

#include "core/util/file_io.h"

namespace tp::agent {

using nlohmann::json;

namespace {

int tokens_of(const json& point) {
    const auto it = point.find("tokens");
    return it != point.end() && it->is_number_integer() ? it->get<int>() : -1;
}

}  // namespace

int add_journaled_points(json& profile, const std::vector<json>& records) {
    if (!profile.is_object() || !profile.contains("curves") || !profile["curves"].is_array()) return 0;
    int added = 0;
    for (const json& record : records) {
        if (record.value("event", std::string()) != "point" || !record.contains("point") || !record["point"].is_object())
            continue;
        const std::string curve_name = record.value("curve", std::string());
        const int n = tokens_of(record["point"]);
        if (n < 0) continue;
        for (json& curve : profile["curves"]) {
            if (!curve.is_object() || curve.value("name", std::string()) != curve_name) continue;
            json& points = curve["points"];
            if (!points.is_array()) points = json::array();
            const bool present = std::any_of(points.begin(), points.end(), [n](const json& p) { return tokens_of(p) == n; });
            if (present) break;
            const auto at = std::find_if(points.begin(), points.end(), [n](const json& p) { return tokens_of(p) > n; });
            points.insert(at, record["point"]);
            ++added;
            break;
        }
    }
    return added;
}

std::optional<json> session_partial_profile(const std::string& checkpoint_path, const std::vector<json>& records) {
    json profile;
    try {
        profile = json::parse(read_text_file(checkpoint_path));
    } catch (const std::exception&) {
        return std::nullopt;
    }
    if (!profile.is_object()) return std::nullopt;
    add_journaled_points(profile, records);
    return profile;
}

}  // namespace tp::agent
