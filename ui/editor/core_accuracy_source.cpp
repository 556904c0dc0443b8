#include "ui/editor/core_accuracy_source.h"

#include <exception>

namespace tp::ui {

CoreAccuracySource::CoreAccuracySource(AccuracyCalibration calibration) : calibration_(std::move(calibration)) {}

const CoreAccuracySource::Fit& CoreAccuracySource::fit(const std::string& method) const {
    auto it = fits_.find(method);
    if (it != fits_.end()) return it->second;
    Fit f;
    try {
        f.model = std::make_unique<AccuracyModel>(AccuracyModel::fit(calibration_, method));
    } catch (const std::exception& e) {
        f.error = QString::fromUtf8(e.what());
    }
    return fits_.emplace(method, std::move(f)).first->second;
}

PredictedAccuracy CoreAccuracySource::predict(const Schedule& schedule) const {
    PredictedAccuracy out;
    const ModelInfo& m = calibration_.model;
    if (m.name != schedule.model.name || m.depth != schedule.model.depth || m.tokens != schedule.model.tokens) {
        out.reason = QString("the loaded calibration is for %1, not %2")
                         .arg(QString::fromStdString(m.name), QString::fromStdString(schedule.model.name));
        return out;
    }
    const Fit& f = fit(schedule.method);
    if (!f.model) {
        out.reason = f.error;
        return out;
    }
    const AccuracyPrediction p = f.model->predict(schedule.tokens_after_block);
    out.calibrated = true;
    out.top1 = p.top1.value;
    out.low = p.top1.low;
    out.high = p.top1.high;
    out.unpruned_top1 = f.model->report().baseline_top1;
    out.source = QString("%1 evaluations of %2 on %3")
                     .arg(f.model->report().evaluations)
                     .arg(QString::fromStdString(schedule.method), QString::fromStdString(calibration_.subset.label()));
    return out;
}

}  // namespace tp::ui
