// tailprune merge A.json B.json ... -o OUT.json: one profile from separate sweeps of one setup.
#include <filesystem>
#include <iostream>

#include "app/cli/cli_util.h"
#include "app/cli/command_registry.h"
#include "core/model/profile_json.h"
#include "core/model/profile_merge.h"

namespace tp::cli {
namespace {

struct MergeOptions {
    std::vector<std::string> inputs;
    std::string output;
    std::string id;
};

const CommandRegistrar reg(22, [](CLI::App& app) {
    auto o = std::make_shared<MergeOptions>();
    auto* cmd = app.add_subcommand("merge", "Merge profiles of one device, model and timing setup (different curves) into one");
    cmd->add_option("PROFILE", o->inputs, "profiles to merge, the first one's settings kept")->required()->expected(2, -1)
        ->check(CLI::ExistingFile);
    cmd->add_option("-o,--output", o->output, "merged profile JSON to write")->required();
    cmd->add_option("--id", o->id, "label of the merged profile (default: the output file's stem)");
    cmd->callback([o] {
        std::vector<std::pair<std::string, Profile>> parts;
        for (const auto& path : o->inputs) parts.emplace_back(path, load_profile(path));
        Profile merged = merge_profiles(parts);
        merged.id = o->id.empty() ? std::filesystem::path(o->output).stem().string() : o->id;
        save_profile(merged, o->output);
        std::cout << "wrote " << o->output << ": " << merged.curves.size() << " curve(s) from " << parts.size()
                  << " profiles\n";
    });
});

}  // namespace
}  // namespace tp::cli
