// tailprune predict --profile P --schedule S [--json]: predicted end-to-end latency of a schedule on
// the profile's device, with its band and per-term breakdown (docs/latency-model.md).
// --record-measured MS appends the schedule's measured latency to the profile's calibration record,
// which calibrates the band of later predictions.
// The prediction is for this machine (a profile measured on "local"), or --on NAME: the re-level
// record of that machine is used when there is one (tailprune calibrate-latency), and a profile
// from another machine or state is said so, naming what differs (issue 27).
#include <cstdio>
#include <iomanip>
#include <iostream>

#include "app/cli/cli_util.h"
#include "app/cli/command_registry.h"
#include "app/cli/remote_options.h"
#include "core/model/machine_identity.h"
#include "core/analysis/profile_analysis.h"
#include "core/model/profile_json.h"
#include "core/model/schedule_json.h"
#include "core/predict/latency_calibration.h"
#include "core/util/json_reader.h"

namespace tp::cli {
namespace {

struct Options {
    std::string profile, schedule, calibration, method, on, machine = "auto";
    double record_measured = 0, record_unpruned = 0;
    int round = 0;
    double coverage = 0.9;
    bool json = false;
};

nlohmann::json to_json(const LatencyPrediction& p, const LatencyBand& band, const LatencyBand& relative_band,
                       const CalibrationUse& use) {
    nlohmann::json terms = nlohmann::json::array();
    for (const auto& t : p.terms)
        terms.push_back({{"kind", t.kind}, {"block", t.block}, {"tokens_in", t.tokens_in}, {"tokens_out", t.tokens_out},
                         {"ms", t.ms}, {"measured", t.measured}, {"source", t.source}});
    return {{"latency_ms", p.latency_ms},
            {"low_ms", p.low_ms},
            {"high_ms", p.high_ms},
            {"band", {{"low_rel", band.low_rel}, {"high_rel", band.high_rel}, {"coverage", band.coverage},
                      {"samples", band.samples}, {"source", band.source}}},
            {"block_ms", p.block_ms},
            {"terms", terms},
            {"warnings", p.warnings},
            {"unpruned_ms", p.unpruned_ms},
            {"relative", {{"value", p.relative}, {"low", p.relative_low}, {"high", p.relative_high},
                          {"band", {{"low_rel", relative_band.low_rel}, {"high_rel", relative_band.high_rel},
                                    {"samples", relative_band.samples}, {"source", relative_band.source}}}}},
            {"machine", {{"for", use.target ? machine_label(*use.target) : std::string("the profile's machine")},
                         {"relevelled", use.relevelled},
                         {"other_machine", use.other_machine},
                         {"record", use.found ? use.path : std::string()},
                         {"note", use.machine_note}}}};
}

void print_text(const Schedule& s, const LatencyPrediction& p, const LatencyBand& band, const CalibrationUse& use) {
    std::cout << std::fixed << std::setprecision(4) << "schedule '" << s.name << "' (" << s.method << "): "
              << p.latency_ms << " ms [" << p.low_ms << ", " << p.high_ms << "]  " << std::setprecision(1)
              << std::showpos << 100.0 * p.relative << "% vs unpruned [" << 100.0 * p.relative_low << "%, "
              << 100.0 * p.relative_high << "%]" << std::noshowpos << "\n";
    if (!use.machine_note.empty()) std::cout << (use.other_machine ? "warning: " : "machine: ") << use.machine_note << "\n";
    std::cout
              << "band: " << band.source << " (" << 100 * band.low_rel << "% .. +" << 100 * band.high_rel << "%, "
              << band.samples << " measured schedules)\n";
    for (const auto& t : p.terms) {
        std::cout << "  " << std::left << std::setw(8) << t.kind << std::right;
        if (t.block >= 0) std::cout << "block " << std::setw(2) << t.block << "  "; else std::cout << "          ";
        if (t.tokens_in) std::cout << std::setw(4) << t.tokens_in << (t.tokens_out != t.tokens_in ? "→" + std::to_string(t.tokens_out) : std::string("   "));
        else std::cout << "       ";
        std::cout << std::setprecision(4) << std::setw(10) << t.ms << " ms  " << (t.measured ? "measured " : "inferred ")
                  << t.source << "\n";
    }
    for (const auto& w : p.warnings) std::cerr << "warning: " << w << "\n";
    std::cout << std::defaultfloat;
}

// The machine the prediction is for: --on NAME (its agent's hello), this machine, or the profile's.
std::optional<MachineIdentity> target_machine(const Options& o, const Profile& profile) {
    if (!o.on.empty()) {
        auto connection = connect_or_fail(connect_options(o.on));
        return identity_from_hello(connection->hello().dump(), profile.device.kind);
    }
    const bool local_profile = profile.device.host.empty() || profile.device.host == "local";
    if (o.machine == "here" || (o.machine == "auto" && local_profile)) return this_machine(profile.device.kind);
    return std::nullopt;
}

const CommandRegistrar reg(60, [](CLI::App& app) {
    auto o = std::make_shared<Options>();
    auto* cmd = app.add_subcommand("predict", "Predict a schedule's end-to-end latency from a profile");
    cmd->add_option("--profile", o->profile, "profile JSON of the device")->required()->check(CLI::ExistingFile);
    cmd->add_option("--schedule", o->schedule, "schedule JSON")->required()->check(CLI::ExistingFile);
    cmd->add_option("--method", o->method, "method (default: the schedule's)");
    cmd->add_option("--calibration", o->calibration,
                    "latency calibration record (default: <profile stem>.calibration.json when it exists)");
    cmd->add_option("--coverage", o->coverage, "share of measurements the band should hold")->check(CLI::Range(0.5, 0.999));
    cmd->add_option("--record-measured", o->record_measured,
                    "append this measured end-to-end latency (ms) of the schedule to the calibration record")
        ->check(CLI::PositiveNumber);
    cmd->add_option("--round", o->round, "measurement round of --record-measured")->check(CLI::NonNegativeNumber);
    cmd->add_option("--record-unpruned", o->record_unpruned,
                    "the unpruned model's latency measured in the same run as --record-measured (ms)")
        ->check(CLI::PositiveNumber);
    cmd->add_option("--machine", o->machine,
                    "machine predicted for: auto (this machine for a profile measured locally), here, profile")
        ->check(CLI::IsMember({"auto", "here", "profile"}));
    cmd->add_option("--on", o->on, "predict for this device (tailprune device list): asks its agent who it is");
    cmd->add_flag("--json", o->json, "print {\"latency_ms\",\"low_ms\",\"high_ms\",...} as JSON");
    cmd->callback([o] {
        auto profile = std::make_shared<const Profile>(load_profile(o->profile));
        Schedule schedule = load_schedule(o->schedule);
        if (!o->method.empty()) schedule.method = o->method;
        // The profile's analysis: its steps, its calibration record (--calibration, else the one
        // next to the profile file) and the predictor built on them, as the studio's editor has it.
        AnalysisSettings settings;
        settings.band_coverage = o->coverage;
        settings.calibration_path = o->calibration;
        settings.target_machine = target_machine(*o, *profile);
        const ProfileAnalysis analysis(profile, o->profile, settings);
        if (!analysis.predictor()) std::rethrow_exception(analysis.predictor_failure());
        const CalibrationUse& use = analysis.calibration();
        if (!use.found && !o->calibration.empty() && o->record_measured <= 0)
            throw CommandError("calibration record '" + o->calibration + "' does not exist");
        if (use.failure) std::rethrow_exception(use.failure);
        const LatencyPredictor& predictor = *analysis.predictor();
        LatencyCalibration calibration = use.record;

        LatencyPrediction p = analysis.predict(schedule);  // checks the schedule against the profile
        if (o->record_measured > 0) {
            std::string cal_path = use.path;
            if (o->calibration.empty() && use.other_machine && use.target) {
                // Measured here, not on the profile's machine: into this machine's record, never the profile's.
                cal_path = machine_calibration_path(o->profile, *use.target);
                calibration = {};
                calibration.machine = *use.target;
            }
            calibration.device = profile->device.identity();
            calibration.model = profile->model.name;
            calibration.entries.push_back(
                {schedule.method, schedule.tokens_after_block, o->record_measured, o->round, "", o->record_unpruned});
            save_latency_calibration(calibration, cal_path);
            std::cerr << "recorded " << o->record_measured << " ms in " << cal_path << " ("
                      << calibration.entries.size() << " entries)\n";
        }
        if (o->json) return print_json(to_json(p, predictor.band(), predictor.relative_band(), use));
        print_text(schedule, p, predictor.band(), use);
    });
});

}  // namespace
}  // namespace tp::cli
