#pragma once
#include <string>

#include <nlohmann/json.hpp>

#include "core/model/schedule.h"

namespace tp {

// Versioned JSON format of a schedule (resources/schemas/schedule.schema.json,
// docs/schedule-format.md). The same document is the export format for deployment.
nlohmann::json to_json(const Schedule& schedule);
Schedule schedule_from_json(const nlohmann::json& doc);  // strict; throws FormatError naming the field

Schedule load_schedule(const std::string& path);
Schedule parse_schedule(const std::string& text, const std::string& source);
void save_schedule(const Schedule& schedule, const std::string& path);

}  // namespace tp
