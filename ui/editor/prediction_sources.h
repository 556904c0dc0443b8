#pragma once
#include <QString>
#include <memory>
#include <vector>

#include "core/model/profile.h"
#include "core/model/schedule.h"

namespace tp::ui {

// What the editor shows for one device's predicted latency.
struct PredictedLatency {
    bool available = false;
    QString reason;                  // why not available
    double ms = 0, low_ms = 0, high_ms = 0;
    double unpruned_ms = 0;          // the same predictor on the unpruned schedule
    std::vector<double> block_ms;    // each block's term (the pruning op included in its block)
    std::vector<double> unpruned_block_ms;  // the same for the unpruned schedule
    QString terms;                   // which terms were measured and which inferred
};

// Predicted accuracy of a schedule for its model and method on one split: the split's anchor (the
// unpruned model's measured top-1 there) minus the predicted drop.
struct PredictedAccuracy {
    bool calibrated = false;
    QString reason;                  // why not calibrated
    double top1 = 0, low = 0, high = 0;  // fractions 0..1
    double unpruned_top1 = 0;        // the anchor
    double drop = 0;                 // predicted top-1 drop from unpruned (fraction)
    QString split;                   // the split predicted for (test | holdout)
    QString anchor;                  // where the unpruned level comes from, for a user
    bool anchor_fallback = false;    // no measured anchor for `split`: another level stands in
    QString caveat;                  // e.g. why this method's band is wide; empty when none
    QString source;                  // what the prediction was fitted on
};

// The editor talks to the predictors through these interfaces, so it stays the same whether a
// predictor is the core one, or missing (then it says "not available" instead of guessing).
class LatencySource {
public:
    virtual ~LatencySource() = default;
    virtual PredictedLatency predict(const Profile& device, const Schedule& schedule) const = 0;
};

class AccuracySource {
public:
    virtual ~AccuracySource() = default;
    // `split`: test | holdout, the split whose measured unpruned accuracy anchors the prediction.
    virtual PredictedAccuracy predict(const Schedule& schedule, const QString& split) const = 0;
};

}  // namespace tp::ui
