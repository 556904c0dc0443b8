#include "ui/editor/core_accuracy_source.h"

#include <exception>

namespace tp::ui {

CoreAccuracySource::CoreAccuracySource(AccuracyCalibration calibration, std::vector<AccuracyAnchor> card_anchors)
    : calibration_(std::move(calibration)), card_anchors_(std::move(card_anchors)) {}

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

PredictedAccuracy CoreAccuracySource::predict(const Schedule& schedule, const QString& split) const {
    PredictedAccuracy out;
    out.split = split;
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
    f.model->anchor_to(resolve_anchor(split.toStdString(), calibration_.anchors, card_anchors_));
    const AccuracyPrediction p = f.model->predict(schedule.tokens_after_block);
    const ResolvedAnchor& anchor = f.model->anchor();
    out.calibrated = true;
    out.top1 = p.top1.value;
    out.low = p.top1.low;
    out.high = p.top1.high;
    out.unpruned_top1 = p.top1.anchor;
    out.drop = p.top1.drop;
    out.anchor = QString::fromStdString(anchor.describe());
    out.anchor_fallback = anchor.fallback;
    out.caveat = QString::fromStdString(band_caveat(f.model->report()));
    out.source = QString("drops from %1 evaluations of %2 on %3")
                     .arg(f.model->report().evaluations)
                     .arg(QString::fromStdString(schedule.method), QString::fromStdString(calibration_.subset.label()));
    return out;
}

}  // namespace tp::ui
