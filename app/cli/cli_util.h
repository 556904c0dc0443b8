#pragma once
#include <string>

#include <nlohmann/json.hpp>

namespace tp::cli {

// Prints JSON to stdout (one document, pretty when a terminal is attached).
void print_json(const nlohmann::json& doc);
bool ends_with(const std::string& text, const std::string& suffix);

}  // namespace tp::cli
