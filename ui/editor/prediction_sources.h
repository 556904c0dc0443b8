#pragma once
#include <QObject>
#include <QString>
#include <memory>
#include <vector>

#include "core/model/profile.h"
#include "core/model/schedule.h"

namespace tp::ui {

// Predicted accuracy of a schedule for its model and method on one split: the split's anchor (the
// unpruned model's measured top-1 there) minus the predicted drop.
struct PredictedAccuracy {
    bool calibrated = false;
    bool pending = false;            // the method's model is being fitted off the GUI thread: ask again on ready()
    QString reason;                  // why not calibrated (or, when pending, what is being fitted)
    double top1 = 0, low = 0, high = 0;  // fractions 0..1
    double unpruned_top1 = 0;        // the anchor
    double drop = 0;                 // predicted top-1 drop from unpruned (fraction)
    QString split;                   // the split predicted for (test | holdout)
    QString anchor;                  // where the unpruned level comes from, for a user
    bool anchor_fallback = false;    // no measured anchor for `split`: another level stands in
    QString caveat;                  // e.g. why this method's band is wide; empty when none
    QString source;                  // what the prediction was fitted on
};

// The editor talks to the accuracy predictor through this interface, so it stays the same whether
// the predictor is the core one, or missing (then it says "not available" instead of guessing).
// Latency comes from the profile's analysis (core/analysis/profile_analysis.h).
class AccuracySource : public QObject {
    Q_OBJECT
public:
    // `split`: test | holdout, the split whose measured unpruned accuracy anchors the prediction.
    // Returns at once: a prediction that needs work first comes back `pending`, and ready() follows.
    virtual PredictedAccuracy predict(const Schedule& schedule, const QString& split) = 0;

Q_SIGNALS:
    // Work a pending prediction waited for has finished: predicting again gives the answer.
    void ready();
};

}  // namespace tp::ui
