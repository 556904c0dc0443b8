#include "ui/editor/accuracy_readout.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>

namespace tp::ui {

AccuracyReadout::AccuracyReadout(QWidget* parent) : QWidget(parent) {
    predicted_ = new QLabel;
    predicted_->setObjectName("accuracyPredicted");
    // Text changes on every move must not relayout the editor.
    predicted_->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    measured_ = new QLabel;
    measured_->setObjectName("accuracyMeasured");
    calibrate_ = new QPushButton("Calibrate…");
    calibrate_->setObjectName("calibrateButton");
    calibrate_->setToolTip("Evaluate calibration schedules through the agent to fit the accuracy model");
    connect(calibrate_, &QPushButton::clicked, this, &AccuracyReadout::calibrateRequested);
    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(new QLabel("<b>Top-1</b>"));
    layout->addWidget(predicted_, 1);
    layout->addWidget(measured_);
    layout->addWidget(calibrate_);
    setPrediction({});
    setMeasured(std::nullopt);
}

void AccuracyReadout::setPrediction(const PredictedAccuracy& p) {
    if (p.calibrated) {
        const double delta = 100.0 * (p.top1 - p.unpruned_top1);
        predicted_->setText(QString("predicted %1% (%2–%3%), %4%5 pt vs unpruned")
                                .arg(100.0 * p.top1, 0, 'f', 1)
                                .arg(100.0 * p.low, 0, 'f', 1)
                                .arg(100.0 * p.high, 0, 'f', 1)
                                .arg(delta >= 0 ? "+" : "")
                                .arg(delta, 0, 'f', 1));
    } else {
        predicted_->setText("not calibrated" + (p.reason.isEmpty() ? QString() : " — " + p.reason));
    }
    calibrate_->setVisible(!p.calibrated);
}

void AccuracyReadout::setMeasured(const std::optional<Measurement>& m) {
    if (m)
        measured_->setText(QString("measured %1% (%2–%3%, %4 images)")
                               .arg(100.0 * m->value, 0, 'f', 1)
                               .arg(100.0 * m->low, 0, 'f', 1)
                               .arg(100.0 * m->high, 0, 'f', 1)
                               .arg(m->images));
    else
        measured_->clear();
}

QString AccuracyReadout::text() const { return predicted_->text() + " " + measured_->text(); }
bool AccuracyReadout::calibrateOffered() const { return !calibrate_->isHidden(); }

}  // namespace tp::ui
