#include "ui/editor/core_latency_source.h"

#include <exception>

#include <QFileInfo>

#include "core/predict/latency_calibration.h"
#include "core/steps/step_detector.h"

namespace tp::ui {

const CoreLatencySource::Entry& CoreLatencySource::entry(const Profile& device) const {
    auto it = predictors_.find(&device);
    if (it != predictors_.end()) return it->second;
    Entry e;
    try {
        e.predictor = std::make_unique<LatencyPredictor>(device, [](const Curve& c) { return detect_steps(c); });
        e.calibration = apply_calibration(device, *e.predictor);
        Schedule unpruned = unpruned_schedule(device.model);
        e.unpruned_block_ms = e.predictor->breakdown(unpruned.tokens_after_block, "none").block_ms;
    } catch (const std::exception& ex) {
        e.predictor.reset();
        e.error = QString::fromUtf8(ex.what());
    }
    return predictors_.emplace(&device, std::move(e)).first->second;
}

QString CoreLatencySource::apply_calibration(const Profile& device, LatencyPredictor& predictor) const {
    const QString path = calibration_path_ ? calibration_path_(device) : QString();
    if (path.isEmpty() || !QFileInfo::exists(path)) return "band: default (no calibration record)";
    try {
        LatencyCalibration record = load_latency_calibration(path.toStdString());
        check_calibration_fits(record, device, path.toStdString());
        apply_latency_calibration(predictor, record.entries);
        const LatencyBand& band = predictor.band();
        if (band.source != "calibrated")
            return QString("band: default (%1 has %2 measured schedules, %3 needed)")
                .arg(QFileInfo(path).fileName())
                .arg(record.entries.size())
                .arg(kMinCalibrationSamples);
        return QString("band calibrated on %1 measured schedules (%2)").arg(band.samples).arg(QFileInfo(path).fileName());
    } catch (const std::exception& ex) {
        // A broken record must not cost the prediction: the default band stays, and the reason shows.
        apply_latency_calibration(predictor, {});
        return "calibration record not used: " + QString::fromUtf8(ex.what());
    }
}

PredictedLatency CoreLatencySource::predict(const Profile& device, const Schedule& schedule) const {
    PredictedLatency out;
    const Entry& e = entry(device);
    if (!e.predictor) {
        out.reason = "cannot predict on this profile: " + e.error;
        return out;
    }
    try {
        const LatencyPrediction p = e.predictor->predict(schedule);
        out.available = true;
        out.ms = p.latency_ms;
        out.low_ms = p.low_ms;
        out.high_ms = p.high_ms;
        out.unpruned_ms = e.predictor->unpruned_ms();
        out.block_ms = p.block_ms;
        out.unpruned_block_ms = e.unpruned_block_ms;
        int measured = 0;
        for (const LatencyTerm& t : p.terms) measured += t.measured ? 1 : 0;
        out.terms = QString("%1 of %2 terms measured, the rest inferred; %3").arg(measured).arg(p.terms.size()).arg(e.calibration);
    } catch (const std::exception& ex) {
        out.reason = QString::fromUtf8(ex.what());
    }
    return out;
}

}  // namespace tp::ui
