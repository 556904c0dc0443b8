// tailprune show FILE: a readable summary of a profile or schedule.
#include <iomanip>
#include <iostream>

#include "app/cli/cli_util.h"
#include "app/cli/command_registry.h"
#include "core/model/clock_flags.h"
#include "core/model/profile_json.h"
#include "core/model/schedule_json.h"
#include "core/util/json_reader.h"

namespace tp::cli {
namespace {

void show_profile(const Profile& p) {
    std::cout << "Profile " << (p.id.empty() ? "" : "'" + p.id + "' ") << "(format v" << p.format_version << ")"
              << (p.partial() ? "  [PARTIAL]" : "") << "\n"
              << "  device   " << p.device.name << " (" << p.device.kind << ", host " << p.device.host;
    if (p.device.sm_count) std::cout << ", " << p.device.sm_count << (p.device.kind == "cuda" ? " SMs" : " cores");
    if (!p.device.torch_version.empty()) std::cout << ", torch " << p.device.torch_version;
    std::cout << ")\n"
              << "  model    " << p.model.name << ": depth " << p.model.depth << ", dim " << p.model.embed_dim << ", "
              << p.model.heads << " heads, " << p.model.tokens << " tokens, " << p.model.dtype << ", batch "
              << p.model.batch << "\n"
              << "  settings mode " << p.settings.mode << ", L2 " << p.settings.l2 << ", " << p.settings.rounds
              << " round(s), threads torch "
              << (p.settings.torch_threads ? std::to_string(p.settings.torch_threads) : std::string("?")) << " / BLAS "
              << (p.settings.blas_threads ? std::to_string(p.settings.blas_threads) : std::string("?"))
              << (p.settings.date.empty() ? "" : ", " + p.settings.date) << "\n"
              ;
    // A Jetson's board state (issue 22), then what makes the latencies less comparable.
    const auto env = [&](const char* key) {
        const auto it = p.settings.environment.find(key);
        return it == p.settings.environment.end() ? std::string() : it->second;
    };
    if (!env(clock_env::kDevfreq).empty())
        std::cout << "  board    GPU " << env(clock_env::kDevfreq) << ", power mode " << env(clock_env::kPowerMode)
                  << ", clocks " << env(clock_env::kClocks)
                  << (env(clock_env::kGovernor).empty() ? "" : ", governor " + env(clock_env::kGovernor))
                  << (env(clock_env::kTemperatureZone).empty() ? "" : ", temperature from " + env(clock_env::kTemperatureZone))
                  << "\n";
    for (const auto& f : p.clock_flags) std::cout << "  WARNING  " << f.kind << ": " << f.message << "\n";
    std::cout << "  curves   " << p.curves.size() << "\n";
    for (const auto& c : p.curves) {
        std::cout << "    " << std::left << std::setw(24) << c.name << std::right << std::setw(5) << c.points.size()
                  << " points";
        if (!c.points.empty())
            std::cout << "  tokens " << c.points.front().tokens << ".." << c.points.back().tokens << "  "
                      << std::fixed << std::setprecision(4) << c.points.front().median_ms << " .. "
                      << c.points.back().median_ms << " ms" << std::defaultfloat;
        if (c.partial) std::cout << "  (partial)";
        std::cout << "\n";
    }
}

void show_schedule(const Schedule& s) {
    std::cout << "Schedule '" << s.name << "' rev " << s.revision << " [" << s.status << "]\n"
              << "  model   " << s.model.name << " (" << s.model.depth << " blocks, " << s.model.tokens
              << " tokens, " << s.model.dtype << ", batch " << s.model.batch << ")\n"
              << "  device  " << (s.device.name.empty() ? "(any)" : s.device.name) << "\n"
              << "  method  " << s.method << "\n  tokens  ";
    for (int t : s.tokens_after_block) std::cout << t << " ";
    std::cout << "\n  cuts    ";
    for (const auto& p : s.pruning_points()) std::cout << "block " << p.block << "→" << p.tokens << "  ";
    std::cout << "\n";
    if (s.predicted_latency)
        std::cout << "  predicted " << s.predicted_latency->latency_ms << " ms [" << s.predicted_latency->low_ms << ", "
                  << s.predicted_latency->high_ms << "]\n";
    for (const auto& m : s.measurements)
        std::cout << "  measured " << m.kind << " " << m.value << " on " << m.device << " " << m.dataset << "\n";
}

const CommandRegistrar reg(30, [](CLI::App& app) {
    auto file = std::make_shared<std::string>();
    auto json = std::make_shared<bool>(false);
    auto* cmd = app.add_subcommand("show", "Print a readable summary of a profile or schedule");
    cmd->add_option("FILE", *file, "profile or schedule JSON")->required()->check(CLI::ExistingFile);
    cmd->add_flag("--json", *json, "print the normalised document as JSON");
    cmd->callback([file, json] {
        std::string text = read_text_file(*file);
        nlohmann::json doc = parse_json_text(text, *file);
        bool is_schedule = doc.is_object() && doc.value("format", "") == "tailprune-schedule";
        if (is_schedule) {
            Schedule s = parse_schedule(text, *file);
            if (*json) print_json(to_json(s)); else show_schedule(s);
        } else {
            Profile p = parse_profile(text, *file);
            if (*json) print_json(to_json(p)); else show_profile(p);
        }
    });
});

}  // namespace
}  // namespace tp::cli
