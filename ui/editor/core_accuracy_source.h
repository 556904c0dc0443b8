#pragma once
#include <map>
#include <memory>
#include <string>

#include "core/accuracy/accuracy_data.h"
#include "core/accuracy/accuracy_model.h"
#include "ui/editor/prediction_sources.h"

namespace tp::ui {

// The core accuracy model (core/accuracy) behind the editor's interface: one calibration (a model
// and a dataset subset), fitted once per method on first use (~0.1 s), then < 1 µs per schedule;
// predictions anchored to the split asked for (the calibration record's anchors, else the card's).
class CoreAccuracySource : public AccuracySource {
public:
    explicit CoreAccuracySource(AccuracyCalibration calibration, std::vector<AccuracyAnchor> card_anchors = {});
    PredictedAccuracy predict(const Schedule& schedule, const QString& split) const override;
    const AccuracyCalibration& calibration() const { return calibration_; }

private:
    struct Fit {
        std::unique_ptr<AccuracyModel> model;
        QString error;
    };
    const Fit& fit(const std::string& method) const;
    AccuracyCalibration calibration_;
    std::vector<AccuracyAnchor> card_anchors_;
    mutable std::map<std::string, Fit> fits_;
};

}  // namespace tp::ui
