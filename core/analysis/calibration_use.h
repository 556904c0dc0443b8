#pragma once
// The latency calibration record of one profile file, applied to that profile's predictor, and
// what it did, in words a user reads next to the prediction. Written once for the editor and
// `tailprune predict` (the record format is latency_calibration.h).
#include <exception>
#include <optional>
#include <string>

#include "core/model/profile.h"
#include "core/predict/latency_calibration.h"
#include "core/predict/latency_predictor.h"

namespace tp {

struct CalibrationUse {
    std::string path;             // where the record was looked for ("": the profile has no file)
    bool found = false;           // a record file is there
    LatencyCalibration record;    // as read (empty when none, or when it could not be read)
    std::exception_ptr failure;   // why a found record was not used (unreadable, another device or model)
    std::string summary;          // what the band rests on, e.g. "band calibrated on 12 measured schedules (x.calibration.json)"
    // Which machine the prediction is for, and whether the profile is from another one (issue 27).
    std::optional<MachineIdentity> target;  // the machine predicted for; none: the profile's own
    bool relevelled = false;      // a re-level record for the target was applied
    bool other_machine = false;   // the target is not (or cannot be confirmed as) the profile's machine or state
    std::string machine_note;     // in words: "re-levelled for X (file, date)" or "profile from another machine: ..."
};

// Reads the record at `path` (none there: nothing to apply), checks that it belongs to `profile`
// and applies it to `predictor` (latency_calibration.h: host level, method corrections, band at
// `coverage`). A record that fails to read or fit is not applied: the default band stays, and
// `failure` and `summary` say why.
// A record with a re-level (calibrate-latency) is applied as one: the re-level first, then its own
// measured schedules.
CalibrationUse use_calibration_record(LatencyPredictor& predictor, const Profile& profile, const std::string& path,
                                      double coverage = 0.9);

// The record for the machine a prediction is for: among the profile file's machine records
// (`<stem>.calibration.<machine>.json`), the newest re-level of `target`; without one, the profile's
// own record — and when `target` differs from the profile's machine or state, `other_machine` and
// `machine_note` say what differs and how to re-level. Without a target: the profile's own record.
CalibrationUse use_calibration_for_machine(LatencyPredictor& predictor, const Profile& profile,
                                           const std::string& profile_path, const std::optional<MachineIdentity>& target,
                                           double coverage = 0.9);

}  // namespace tp
