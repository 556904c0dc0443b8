#pragma once
#include <functional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

namespace tp::cli {

// Each command file registers itself with a static CommandRegistrar, so adding a command
// never touches main or another command's file. `order` sorts the --help listing.
using CommandSetup = std::function<void(CLI::App& app)>;

struct CommandRegistrar {
    CommandRegistrar(int order, CommandSetup setup);
};

void setup_all_commands(CLI::App& app);

// Every command reports failure by throwing CommandError (or tp::FormatError): main prints
// one "error: ..." line and exits with `exit_code`.
struct CommandError : std::runtime_error {
    explicit CommandError(const std::string& what, int exit_code = 1)
        : std::runtime_error(what), exit_code(exit_code) {}
    int exit_code;
};

}  // namespace tp::cli
