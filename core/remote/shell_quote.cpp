#include "core/remote/shell_quote.h"

namespace tp::remote {

std::string shell_quote(const std::string& argument) {
    std::string out = "'";
    for (char c : argument) {
        if (c == '\'') out += "'\\''";
        else out += c;
    }
    return out + "'";
}

std::string shell_command_line(const std::vector<std::string>& words) {
    std::string line;
    for (const auto& w : words) {
        if (!line.empty()) line += ' ';
        line += shell_quote(w);
    }
    return line;
}

}  // namespace tp::remote
