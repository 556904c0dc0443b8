// tailprune export --schedule ID|NAME [--revision N] --format json|csv [-o FILE]
#include <iostream>
#include <sstream>

#include "app/cli/command_registry.h"
#include "app/cli/store/store_cli.h"
#include "core/model/schedule_json.h"
#include "core/store/schedule_csv.h"
#include "core/util/json_reader.h"

namespace tp::cli {
namespace {

struct ExportOptions {
    std::string schedule;
    int revision = 0;
    std::string format = "json";
    std::string output;
};

const CommandRegistrar reg(65, [](CLI::App& app) {
    auto opts = std::make_shared<ExportOptions>();
    auto* cmd = app.add_subcommand("export", "Export a schedule from the store for deployment (docs/schedule-format.md)");
    auto args = add_store_options(cmd, true);
    cmd->add_option("--schedule", opts->schedule, "schedule id or name")->required();
    cmd->add_option("--revision", opts->revision, "revision (default: the latest)")->check(CLI::PositiveNumber);
    cmd->add_option("--format", opts->format, "json or csv")->check(CLI::IsMember({"json", "csv"}));
    cmd->add_option("-o,--output", opts->output, "file to write (default: stdout); replaced atomically");
    cmd->callback([opts, args] {
        store::Store s = open_store(*args, store::Mode::ReadOnly);
        Schedule schedule = s.load_schedule(s.find_schedule(opts->schedule), opts->revision);
        std::string text = opts->format == "csv" ? store::schedule_to_csv(schedule) : to_json(schedule).dump(2) + "\n";
        if (opts->output.empty()) std::cout << text;
        else write_text_file_atomically(opts->output, text);
    });
});

}  // namespace
}  // namespace tp::cli
