#pragma once
// The latency calibration record of one profile file, applied to that profile's predictor, and
// what it did, in words a user reads next to the prediction. Written once for the editor and
// `tailprune predict` (the record format is latency_calibration.h).
#include <exception>
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
};

// Reads the record at `path` (none there: nothing to apply), checks that it belongs to `profile`
// and applies it to `predictor` (latency_calibration.h: host level, method corrections, band at
// `coverage`). A record that fails to read or fit is not applied: the default band stays, and
// `failure` and `summary` say why.
CalibrationUse use_calibration_record(LatencyPredictor& predictor, const Profile& profile, const std::string& path,
                                      double coverage = 0.9);

}  // namespace tp
