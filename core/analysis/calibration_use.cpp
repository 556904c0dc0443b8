#include "core/analysis/calibration_use.h"

#include <filesystem>
#include <fstream>

namespace tp {
namespace {

std::string file_name(const std::string& path) { return std::filesystem::path(path).filename().string(); }

bool file_exists(const std::string& path) { return !path.empty() && std::ifstream(path).good(); }

std::string band_summary(const LatencyPredictor& predictor, const CalibrationUse& use) {
    if (!use.found) return "band: default (no calibration record)";
    if (use.record.relevel && predictor.band().source != "calibrated")
        return "band: default (" + std::to_string(use.record.entries.size()) + " of " +
               std::to_string(kMinCalibrationSamples) + " schedules measured on this machine)";
    const LatencyBand& band = predictor.band();
    if (band.source != "calibrated")
        return "band: default (" + file_name(use.path) + " has " + std::to_string(use.record.entries.size()) +
               " measured schedules, " + std::to_string(kMinCalibrationSamples) + " needed)";
    return "band calibrated on " + std::to_string(band.samples) + " measured schedules (" + file_name(use.path) + ")";
}

}  // namespace

CalibrationUse use_calibration_record(LatencyPredictor& predictor, const Profile& profile, const std::string& path,
                                      double coverage) {
    CalibrationUse use;
    use.path = path;
    use.found = file_exists(path);
    try {
        if (use.found) {
            use.record = load_latency_calibration(path);
            check_calibration_fits(use.record, profile, path);
        }
        predictor.set_relevel(use.record.relevel ? use.record.relevel->fit : HostRelevel{});
        use.relevelled = use.record.relevel.has_value();
        apply_latency_calibration(predictor, use.record.entries, coverage);
        use.summary = band_summary(predictor, use);
    } catch (const std::exception& e) {
        // A broken record must not cost the prediction: the default band stays, and the reason shows.
        use.failure = std::current_exception();
        use.record = {};
        use.relevelled = false;
        predictor.set_relevel({});
        apply_latency_calibration(predictor, {}, coverage);
        use.summary = std::string("calibration record not used: ") + e.what();
    }
    return use;
}

CalibrationUse use_calibration_for_machine(LatencyPredictor& predictor, const Profile& profile,
                                           const std::string& profile_path, const std::optional<MachineIdentity>& target,
                                           double coverage) {
    const std::string own = profile_path.empty() ? std::string() : latency_calibration_path(profile_path);
    if (!target) return use_calibration_record(predictor, profile, own, coverage);
    // The newest re-level of the target machine among the machine records beside the profile.
    std::string best;
    std::string best_date;
    std::string unreadable;
    if (!profile_path.empty())
        for (const std::string& path : machine_calibration_paths(profile_path)) {
            try {
                const LatencyCalibration record = load_latency_calibration(path);
                if (!record.machine || !same_machine(*record.machine, *target)) continue;
                const std::string date = record.relevel ? record.relevel->date : std::string();
                if (best.empty() || date > best_date) best = path, best_date = date;
            } catch (const std::exception& e) {
                unreadable = file_name(path) + ": " + e.what();
            }
        }
    const IdentityComparison comparison = compare_identities(identity_of(profile.device, profile.settings), *target);
    CalibrationUse use = use_calibration_record(predictor, profile, best.empty() ? own : best, coverage);
    use.target = target;
    if (!best.empty() && !use.failure) {
        use.machine_note = std::string(use.relevelled ? "re-levelled for " : "calibrated by schedules measured on ") +
                           machine_label(*target) + " (" + file_name(best) +
                           (best_date.empty() ? "" : ", " + best_date.substr(0, 10)) + ")";
        if (!comparison.differences.empty() || !comparison.same_machine)
            use.machine_note += "; the profile's machine differs: " + describe_differences(comparison);
        return use;
    }
    use.other_machine = !comparison.same_machine || !comparison.differences.empty();
    if (use.other_machine) {
        use.machine_note = "profile from another machine or state than " + machine_label(*target) + ": " +
                           describe_differences(comparison) +
                           "; re-level it here: tailprune calibrate-latency --profile " + profile_path;
        if (!unreadable.empty()) use.machine_note += " (a machine record was not readable: " + unreadable + ")";
    }
    return use;
}

}  // namespace tp
