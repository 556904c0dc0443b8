#include "core/util/csv_cell.h"

#include <nlohmann/json.hpp>

namespace tp {

std::string csv_text_cell(const std::string& text) {
    std::string cell = text;
    if (!cell.empty() && std::string("=+-@\t\r").find(cell.front()) != std::string::npos) cell.insert(0, 1, '\'');
    if (cell.find_first_of(",\"\n\r") == std::string::npos) return cell;
    std::string out = "\"";
    for (char c : cell) out += c == '"' ? std::string("\"\"") : std::string(1, c);
    return out + "\"";
}

std::string csv_number_cell(double value) { return nlohmann::json(value).dump(); }

std::string csv_number_cell(long long value) { return std::to_string(value); }

}  // namespace tp
