#pragma once
#include <QFuture>
#include <QFutureWatcher>
#include <map>
#include <memory>
#include <string>

#include "core/accuracy/accuracy_data.h"
#include "core/accuracy/accuracy_model.h"
#include "ui/editor/prediction_sources.h"

namespace tp::ui {

// The core accuracy model (core/accuracy) behind the editor's interface: one calibration (a model
// and a dataset subset), fitted once per method on first use, then < 1 µs per schedule; predictions
// anchored to the split asked for (the calibration record's anchors, else the card's).
// A fit takes ~0.4 s (the leave-one-out choice of the model's form), so it runs on the thread pool:
// the first prediction for a method comes back pending and ready() follows when the fit is done,
// so dragging a point never waits on it.
class CoreAccuracySource : public AccuracySource {
    Q_OBJECT
public:
    explicit CoreAccuracySource(AccuracyCalibration calibration, std::vector<AccuracyAnchor> card_anchors = {});
    PredictedAccuracy predict(const Schedule& schedule, const QString& split) override;
    const AccuracyCalibration& calibration() const { return *calibration_; }
    // Blocks until the method's fit (started if need be) is done; for callers that cannot wait on ready().
    void waitForFit(const std::string& method);

private:
    struct Fit {
        std::unique_ptr<AccuracyModel> model;
        QString error;
    };
    QFuture<std::shared_ptr<Fit>> startFit(const std::string& method);
    // Shared with fits still running: a fit outliving the source keeps its calibration, and its
    // result is dropped with the watcher.
    std::shared_ptr<const AccuracyCalibration> calibration_;
    std::vector<AccuracyAnchor> card_anchors_;
    std::map<std::string, std::unique_ptr<QFutureWatcher<std::shared_ptr<Fit>>>> fits_;  // by method
};

}  // namespace tp::ui
