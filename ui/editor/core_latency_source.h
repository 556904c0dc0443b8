#pragma once
#include <functional>
#include <map>
#include <memory>

#include "core/predict/latency_predictor.h"
#include "ui/editor/prediction_sources.h"

namespace tp::ui {

// The core latency predictor (core/predict) behind the editor's interface. Builds one predictor per
// profile on first use (step analysis and tables, done once) and then only reads its arrays.
// Where a profile has a latency calibration record (`<profile stem>.calibration.json`, written by
// `tailprune predict --record-measured` or bench_latency_prediction --save-calibration), the
// predictor applies it as `tailprune predict` does: host level, method corrections, measured band.
class CoreLatencySource : public LatencySource {
public:
    // The record file of a profile, or "" when it has none (e.g. a profile from the store).
    using CalibrationPath = std::function<QString(const Profile&)>;
    explicit CoreLatencySource(CalibrationPath calibration_path = {}) : calibration_path_(std::move(calibration_path)) {}

    PredictedLatency predict(const Profile& device, const Schedule& schedule) const override;

private:
    struct Entry {
        std::unique_ptr<LatencyPredictor> predictor;
        std::vector<double> unpruned_block_ms;
        QString error;
        QString calibration;  // what the band rests on, or why a record was not used
    };
    const Entry& entry(const Profile& device) const;
    QString apply_calibration(const Profile& device, LatencyPredictor& predictor) const;
    CalibrationPath calibration_path_;
    mutable std::map<const Profile*, Entry> predictors_;
};

}  // namespace tp::ui
