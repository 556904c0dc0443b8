#pragma once
// One analysis of a loaded profile, done once and shared by everything that reads it: the curve
// view, the schedule editor (magnet, block edges, prediction), `tailprune predict`, `tailprune
// steps` and the search. A change of settings means a new analysis, never a second detection beside
// the first, so the edges a user sees are the edges the prediction respects.
//
//   ProfileAnalysis a(profile, "profiles/gpu.json", settings);  // steps of every curve, calibration, predictor
//   const StepAnalysis* s = a.steps("block:3");                  // edges, plateaus, periodic pattern
//   LatencyPrediction p = a.predict(schedule);                   // value, band, terms, unpruned value
//
// Immutable once built (read it from any thread). Building costs about a millisecond per curve.
#include <exception>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/analysis/calibration_use.h"
#include "core/model/latency_prediction.h"
#include "core/model/profile.h"
#include "core/model/schedule.h"
#include "core/predict/latency_predictor.h"
#include "core/steps/step_detector.h"

namespace tp {

struct AnalysisSettings {
    StepSettings steps;              // the user's step-detection settings (sensitivity, ...)
    double band_coverage = 0.9;      // share of measured schedules the latency band is to hold
    std::string calibration_path;    // a latency calibration record other than the profile file's own
    // The machine predictions are for (this machine, or a device reached over SSH): its re-level
    // record beside the profile is used, and a profile from elsewhere is said so. None: the
    // profile's own machine.
    std::optional<MachineIdentity> target_machine;
};

class ProfileAnalysis {
public:
    // `profile_path`: the file the profile was read from ("" for a profile from the store or an
    // agent). Its latency calibration record is `<stem>.calibration.json` next to it
    // (latency_calibration_path), unless settings.calibration_path names another.
    ProfileAnalysis(std::shared_ptr<const Profile> profile, std::string profile_path, AnalysisSettings settings = {});

    const Profile& profile() const { return *profile_; }
    const std::shared_ptr<const Profile>& shared_profile() const { return profile_; }
    const std::string& profile_path() const { return profile_path_; }
    const AnalysisSettings& settings() const { return settings_; }

    // Steps, plateaus and periodic pattern of a curve of the profile; nullptr when it has no such curve.
    const StepAnalysis* steps(const std::string& curve_name) const;
    const StepAnalysis* steps(const Curve& curve) const { return steps(curve.name); }

    // The latency predictor built on these steps, calibrated by the profile's record; nullptr when
    // the profile cannot predict (predictor_failure() holds the FormatError that says why).
    const LatencyPredictor* predictor() const { return predictor_.get(); }
    std::exception_ptr predictor_failure() const { return predictor_failure_; }
    const CalibrationUse& calibration() const { return calibration_; }

    // LatencyPredictor::predict (checks the schedule against the profile: FormatError naming the
    // field); rethrows predictor_failure() when there is no predictor.
    LatencyPrediction predict(const Schedule& schedule) const;
    // Each block's term on the unpruned schedule (empty without a predictor).
    const std::vector<double>& unpruned_block_ms() const { return unpruned_block_ms_; }
    // What a prediction rests on, for a user: "3 of 14 terms measured, the rest inferred; band ...".
    std::string basis(const LatencyPrediction& prediction) const;

private:
    std::shared_ptr<const Profile> profile_;
    std::string profile_path_;
    AnalysisSettings settings_;
    std::map<std::string, StepAnalysis> steps_;  // by curve name
    std::unique_ptr<LatencyPredictor> predictor_;
    std::exception_ptr predictor_failure_;
    CalibrationUse calibration_;
    std::vector<double> unpruned_block_ms_;
};

}  // namespace tp
