// tailprune validate FILE...: strict validation of profile, schedule and latency calibration files.
#include <iostream>

#include "app/cli/cli_util.h"
#include "app/cli/command_registry.h"
#include "core/model/profile_json.h"
#include "core/model/schedule_json.h"
#include "core/predict/latency_calibration.h"
#include "core/remote/device_list.h"
#include "core/util/json_reader.h"

namespace tp::cli {
namespace {

struct ValidateOptions {
    std::vector<std::string> files;
    bool json = false;
};

std::string validate_one(const std::string& path) {
    std::string text = read_text_file(path);
    nlohmann::json doc = parse_json_text(text, path);
    std::string format = doc.is_object() && doc.contains("format") && doc["format"].is_string()
                             ? doc["format"].get<std::string>() : "";
    if (format == "tailprune-schedule") {
        Schedule s = parse_schedule(text, path);
        return "schedule '" + s.name + "' for " + s.model.name + ", " + std::to_string(s.pruning_points().size()) +
               " pruning point(s), method " + s.method;
    }
    if (format == "tailprune-profile") {
        Profile p = parse_profile(text, path);
        return "profile of " + p.model.name + " on " + p.device.name + ", " + std::to_string(p.curves.size()) +
               " curve(s)" + (p.partial() ? " (partial)" : "");
    }
    if (format == "tailprune-latency-calibration") {
        LatencyCalibration c = parse_latency_calibration(text, path);
        return "latency calibration record of " + c.model + " on " + c.device + ", " + std::to_string(c.entries.size()) +
               " measured schedule(s)";
    }
    if (format == "tailprune-devices") {
        remote::DeviceList d = remote::load_device_list(path);
        return "device list, " + std::to_string(d.devices.size()) + " device(s) besides local";
    }
    throw FormatError(path + " (field /format)", "not a TailPrune file: expected format 'tailprune-profile', "
                                                 "'tailprune-schedule', 'tailprune-latency-calibration' or "
                                                 "'tailprune-devices'");
}

const CommandRegistrar reg(10, [](CLI::App& app) {
    auto opts = std::make_shared<ValidateOptions>();
    auto* cmd = app.add_subcommand("validate", "Check profile, schedule or latency calibration files strictly; exit 2 on the first bad one");
    cmd->add_option("FILE", opts->files, "profile, schedule or latency calibration JSON files")->required()->check(CLI::ExistingFile);
    cmd->add_flag("--json", opts->json, "print results as JSON");
    cmd->callback([opts] {
        nlohmann::json results = nlohmann::json::array();
        for (const auto& f : opts->files) {
            std::string summary = validate_one(f);  // throws FormatError -> exit 2
            if (opts->json) results.push_back({{"file", f}, {"valid", true}, {"summary", summary}});
            else std::cout << f << ": ok — " << summary << "\n";
        }
        if (opts->json) print_json(results);
    });
});

}  // namespace
}  // namespace tp::cli
