#include "core/analysis/calibration_use.h"

#include <filesystem>
#include <fstream>

namespace tp {
namespace {

std::string file_name(const std::string& path) { return std::filesystem::path(path).filename().string(); }

bool file_exists(const std::string& path) { return !path.empty() && std::ifstream(path).good(); }

std::string band_summary(const LatencyPredictor& predictor, const CalibrationUse& use) {
    if (!use.found) return "band: default (no calibration record)";
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
        apply_latency_calibration(predictor, use.record.entries, coverage);
        use.summary = band_summary(predictor, use);
    } catch (const std::exception& e) {
        // A broken record must not cost the prediction: the default band stays, and the reason shows.
        use.failure = std::current_exception();
        use.record = {};
        apply_latency_calibration(predictor, {}, coverage);
        use.summary = std::string("calibration record not used: ") + e.what();
    }
    return use;
}

}  // namespace tp
