#include "app/cli/cli_util.h"

#include <iostream>

#include <unistd.h>

namespace tp::cli {

void print_json(const nlohmann::json& doc) {
    std::cout << (isatty(STDOUT_FILENO) ? doc.dump(2) : doc.dump()) << std::endl;
}

bool ends_with(const std::string& text, const std::string& suffix) {
    return text.size() >= suffix.size() && text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

}  // namespace tp::cli
