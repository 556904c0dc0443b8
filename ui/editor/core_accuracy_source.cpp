#include "ui/editor/core_accuracy_source.h"

#include <QtConcurrent/QtConcurrentRun>
#include <exception>

namespace tp::ui {

CoreAccuracySource::CoreAccuracySource(AccuracyCalibration calibration, std::vector<AccuracyAnchor> card_anchors)
    : calibration_(std::make_shared<const AccuracyCalibration>(std::move(calibration))),
      card_anchors_(std::move(card_anchors)) {}

QFuture<std::shared_ptr<CoreAccuracySource::Fit>> CoreAccuracySource::startFit(const std::string& method) {
    auto it = fits_.find(method);
    if (it != fits_.end()) return it->second->future();
    QFuture<std::shared_ptr<Fit>> future = QtConcurrent::run([calibration = calibration_, method] {
        auto f = std::make_shared<Fit>();
        try {
            f->model = std::make_unique<AccuracyModel>(AccuracyModel::fit(*calibration, method));
        } catch (const std::exception& e) {
            f->error = QString::fromUtf8(e.what());
        }
        return f;
    });
    auto watcher = std::make_unique<QFutureWatcher<std::shared_ptr<Fit>>>();
    connect(watcher.get(), &QFutureWatcherBase::finished, this, &AccuracySource::ready);
    watcher->setFuture(future);
    fits_.emplace(method, std::move(watcher));
    return future;
}

void CoreAccuracySource::waitForFit(const std::string& method) { startFit(method).waitForFinished(); }

PredictedAccuracy CoreAccuracySource::predict(const Schedule& schedule, const QString& split) {
    PredictedAccuracy out;
    out.split = split;
    const ModelInfo& m = calibration_->model;
    if (m.name != schedule.model.name || m.depth != schedule.model.depth || m.tokens != schedule.model.tokens) {
        out.reason = QString("the loaded calibration is for %1, not %2")
                         .arg(QString::fromStdString(m.name), QString::fromStdString(schedule.model.name));
        return out;
    }
    const QFuture<std::shared_ptr<Fit>> future = startFit(schedule.method);
    if (!future.isFinished()) {
        out.pending = true;
        out.reason = QString("fitting the %1 accuracy model…").arg(QString::fromStdString(schedule.method));
        return out;
    }
    const Fit& f = *future.result();
    if (!f.model) {
        out.reason = f.error;
        return out;
    }
    f.model->anchor_to(resolve_anchor(split.toStdString(), calibration_->anchors, card_anchors_));
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
                     .arg(QString::fromStdString(schedule.method), QString::fromStdString(calibration_->subset.label()));
    return out;
}

}  // namespace tp::ui
