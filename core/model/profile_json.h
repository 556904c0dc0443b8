#pragma once
#include <string>

#include <nlohmann/json.hpp>

#include "core/model/profile.h"

namespace tp {

// Versioned JSON format of a profile (resources/schemas/profile.schema.json).
nlohmann::json to_json(const Profile& profile);
nlohmann::json to_json(const DeviceInfo& device);
nlohmann::json to_json(const ModelInfo& model);
nlohmann::json to_json(const Curve& curve);

// Strict readers: throw FormatError naming the field (JSON pointer); never a partial result.
Profile profile_from_json(const nlohmann::json& doc);
DeviceInfo device_from_json(const nlohmann::json& node, const std::string& path);
ModelInfo model_from_json(const nlohmann::json& node, const std::string& path);
MeasurementSettings settings_from_json(const nlohmann::json& node, const std::string& path);
Curve curve_from_json(const nlohmann::json& node, const std::string& path);

// Files: errors name the file, the line and the field.
Profile load_profile(const std::string& path);
Profile parse_profile(const std::string& text, const std::string& source);
void save_profile(const Profile& profile, const std::string& path);  // atomic replace

}  // namespace tp
