#pragma once
#include <QWidget>
#include <optional>

#include "ui/editor/prediction_sources.h"

class QComboBox;
class QLabel;
class QPushButton;

namespace tp::ui {

// Predicted top-1 on a split (chosen here: test or holdout) with its band and the predicted drop
// from the unpruned model, where the unpruned level comes from, or "not calibrated" and a button that
// starts calibration; the measured accuracy of this schedule next to it once evaluated.
class AccuracyReadout : public QWidget {
    Q_OBJECT
public:
    explicit AccuracyReadout(QWidget* parent = nullptr);
    void setPrediction(const PredictedAccuracy& prediction);
    void setMeasured(const std::optional<Measurement>& measured);
    QString text() const;
    bool calibrateOffered() const;
    QString split() const;                 // test | holdout
    void setSplit(const QString& split);

Q_SIGNALS:
    void calibrateRequested();
    void splitChanged();

private:
    QComboBox* split_ = nullptr;
    QLabel* predicted_ = nullptr;
    QLabel* anchor_ = nullptr;
    QLabel* measured_ = nullptr;
    QPushButton* calibrate_ = nullptr;
};

}  // namespace tp::ui
