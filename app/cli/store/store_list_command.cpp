// tailprune store list devices|models|runs|schedules [--json]
#include <iostream>

#include "app/cli/cli_util.h"
#include "app/cli/command_registry.h"
#include "app/cli/store/store_cli.h"

namespace tp::cli {
namespace {

using nlohmann::json;

void list_devices(const store::Store& s, bool as_json) {
    auto rows = s.list_devices();
    if (as_json) {
        json out = json::array();
        for (const auto& d : rows)
            out.push_back({{"id", d.id}, {"identity", d.identity}, {"name", d.name}, {"kind", d.kind},
                           {"host", d.host}, {"runs", d.runs}});
        return print_json(out);
    }
    std::vector<std::vector<std::string>> table;
    for (const auto& d : rows) table.push_back({std::to_string(d.id), d.name, d.kind, d.host, std::to_string(d.runs)});
    print_table({"ID", "DEVICE", "KIND", "HOST", "RUNS"}, table);
}

void list_models(const store::Store& s, bool as_json) {
    auto rows = s.list_models();
    if (as_json) {
        json out = json::array();
        for (const auto& m : rows)
            out.push_back({{"id", m.id}, {"name", m.name}, {"architecture", m.architecture}, {"depth", m.depth},
                           {"embed_dim", m.embed_dim}, {"heads", m.heads}, {"tokens", m.tokens},
                           {"image_size", m.image_size}, {"weights_hash", m.weights_hash}, {"runs", m.runs}});
        return print_json(out);
    }
    std::vector<std::vector<std::string>> table;
    for (const auto& m : rows)
        table.push_back({std::to_string(m.id), m.name, std::to_string(m.depth), std::to_string(m.embed_dim),
                         std::to_string(m.tokens), m.weights_hash.empty() ? "-" : m.weights_hash.substr(0, 12),
                         std::to_string(m.runs)});
    print_table({"ID", "MODEL", "DEPTH", "DIM", "TOKENS", "WEIGHTS", "RUNS"}, table);
}

void list_runs(const store::Store& s, bool as_json) {
    auto rows = s.list_runs();
    if (as_json) {
        json out = json::array();
        for (const auto& r : rows)
            out.push_back({{"id", r.id}, {"label", r.label}, {"device", r.device}, {"model", r.model},
                           {"batch", r.batch}, {"dtype", r.dtype}, {"mode", r.mode}, {"date", r.date},
                           {"who", r.who}, {"torch_version", r.torch_version}, {"curves", r.curves},
                           {"content_hash", r.content_hash}, {"imported_at", r.imported_at}});
        return print_json(out);
    }
    std::vector<std::vector<std::string>> table;
    for (const auto& r : rows)
        table.push_back({std::to_string(r.id), r.label, r.device, r.model, std::to_string(r.batch), r.dtype,
                         std::to_string(r.curves), r.date, r.content_hash.substr(0, 12)});
    print_table({"ID", "LABEL", "DEVICE", "MODEL", "BATCH", "DTYPE", "CURVES", "DATE", "HASH"}, table);
}

void list_schedules(const store::Store& s, bool as_json) {
    auto rows = s.list_schedules();
    if (as_json) {
        json out = json::array();
        for (const auto& r : rows)
            out.push_back({{"id", r.id}, {"name", r.name}, {"revision", r.revision}, {"status", r.status},
                           {"method", r.method}, {"model", r.model}, {"device", r.device}, {"batch", r.batch},
                           {"dtype", r.dtype}, {"author", r.author}, {"created", r.created}, {"updated", r.updated},
                           {"stale", !r.stale_reasons.empty()}, {"stale_reasons", r.stale_reasons}});
        return print_json(out);
    }
    std::vector<std::vector<std::string>> table;
    for (const auto& r : rows)
        table.push_back({std::to_string(r.id), r.name, std::to_string(r.revision), r.status, r.method, r.model,
                         r.device.empty() ? "-" : r.device, r.updated, r.stale_reasons.empty() ? "" : "STALE"});
    print_table({"ID", "NAME", "REV", "STATUS", "METHOD", "MODEL", "DEVICE", "UPDATED", ""}, table);
}

const CommandRegistrar reg(61, [](CLI::App& app) {
    auto* cmd = store_group(app)->add_subcommand("list", "List devices, models, runs (profiles) or schedules");
    auto args = add_store_options(cmd, true);
    auto what = std::make_shared<std::string>();
    auto as_json = std::make_shared<bool>(false);
    cmd->add_option("WHAT", *what, "devices, models, runs or schedules")
        ->required()
        ->check(CLI::IsMember({"devices", "models", "runs", "schedules"}));
    cmd->add_flag("--json", *as_json, "print a JSON array");
    cmd->callback([args, what, as_json] {
        store::Store s = open_store(*args, store::Mode::ReadOnly);
        if (*what == "devices") list_devices(s, *as_json);
        else if (*what == "models") list_models(s, *as_json);
        else if (*what == "runs") list_runs(s, *as_json);
        else list_schedules(s, *as_json);
    });
});

}  // namespace
}  // namespace tp::cli
