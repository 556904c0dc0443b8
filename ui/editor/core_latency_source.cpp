#include "ui/editor/core_latency_source.h"

#include <exception>

#include "core/steps/step_detector.h"

namespace tp::ui {

const CoreLatencySource::Entry& CoreLatencySource::entry(const Profile& device) const {
    auto it = predictors_.find(&device);
    if (it != predictors_.end()) return it->second;
    Entry e;
    try {
        e.predictor = std::make_unique<LatencyPredictor>(device, [](const Curve& c) { return detect_steps(c); });
        Schedule unpruned = unpruned_schedule(device.model);
        e.unpruned_block_ms = e.predictor->breakdown(unpruned.tokens_after_block, "none").block_ms;
    } catch (const std::exception& ex) {
        e.predictor.reset();
        e.error = QString::fromUtf8(ex.what());
    }
    return predictors_.emplace(&device, std::move(e)).first->second;
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
        out.terms = QString("%1 of %2 terms measured, the rest inferred; band from %3")
                        .arg(measured)
                        .arg(p.terms.size())
                        .arg(QString::fromStdString(e.predictor->band().source));
    } catch (const std::exception& ex) {
        out.reason = QString::fromUtf8(ex.what());
    }
    return out;
}

}  // namespace tp::ui
