// tailprune store import FILE...: profiles (deduplicated) and schedules (each a new revision).
#include <iostream>

#include "app/cli/command_registry.h"
#include "app/cli/store/store_cli.h"
#include "core/model/profile_json.h"
#include "core/model/schedule_json.h"
#include "core/util/json_reader.h"

namespace tp::cli {
namespace {

// One transaction per file; a line is printed only after its commit, so every reported line is in
// the store. The first bad file stops the command with its error.
void import_one(store::Store& s, const std::string& file) {
    std::string text = read_text_file(file);
    nlohmann::json doc = parse_json_text(text, file);
    bool is_schedule = doc.is_object() && doc.value("format", "") == "tailprune-schedule";
    if (is_schedule) {
        Schedule schedule = parse_schedule(text, file);
        store::SavedRevision saved = s.save_schedule(schedule);
        std::cout << "saved " << file << ": schedule '" << schedule.name << "' id " << saved.schedule_id
                  << " revision " << saved.revision << std::endl;
        return;
    }
    Profile profile = parse_profile(text, file);
    store::ImportResult r = s.import_profile(profile);
    std::cout << "imported " << file << ": run " << r.run_id << (r.added ? " (new)" : " (already in the store)")
              << " hash " << r.content_hash;
    if (r.schedules_flagged_stale) std::cout << "; " << r.schedules_flagged_stale << " schedule(s) now stale";
    std::cout << std::endl;
}

const CommandRegistrar reg(62, [](CLI::App& app) {
    auto* cmd = store_group(app)->add_subcommand(
        "import", "Import profile files (same content is kept once) and schedule files (each adds a revision)");
    auto args = add_store_options(cmd);
    auto files = std::make_shared<std::vector<std::string>>();
    cmd->add_option("FILE", *files, "profile or schedule JSON files")->required()->check(CLI::ExistingFile);
    cmd->callback([args, files] {
        store::Store s = open_store(*args, store::Mode::Create);
        for (const auto& f : *files) import_one(s, f);
    });
});

}  // namespace
}  // namespace tp::cli
