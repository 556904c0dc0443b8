#pragma once
#include <QWidget>
#include <optional>

#include "ui/editor/prediction_sources.h"

class QLabel;
class QPushButton;

namespace tp::ui {

// Predicted top-1 with its band, or "not calibrated" and a button that starts calibration; the
// measured accuracy of this schedule next to it once evaluated.
class AccuracyReadout : public QWidget {
    Q_OBJECT
public:
    explicit AccuracyReadout(QWidget* parent = nullptr);
    void setPrediction(const PredictedAccuracy& prediction);
    void setMeasured(const std::optional<Measurement>& measured);
    QString text() const;
    bool calibrateOffered() const;

Q_SIGNALS:
    void calibrateRequested();

private:
    QLabel* predicted_ = nullptr;
    QLabel* measured_ = nullptr;
    QPushButton* calibrate_ = nullptr;
};

}  // namespace tp::ui
