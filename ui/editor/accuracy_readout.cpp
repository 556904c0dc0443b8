#include "ui/editor/accuracy_readout.h"

#include <QComboBox>
#include <QGridLayout>
#include <QLabel>
#include <QPushButton>

namespace tp::ui {

AccuracyReadout::AccuracyReadout(QWidget* parent) : QWidget(parent) {
    split_ = new QComboBox;
    split_->setObjectName("accuracySplit");
    split_->addItem("test split", "test");
    split_->addItem("holdout split", "holdout");
    split_->setToolTip("The split the prediction is for: its measured unpruned top-1 (anchor) minus the predicted drop");
    connect(split_, &QComboBox::currentIndexChanged, this, &AccuracyReadout::splitChanged);
    predicted_ = new QLabel;
    predicted_->setObjectName("accuracyPredicted");
    // Text changes on every move must not relayout the editor.
    predicted_->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    anchor_ = new QLabel;
    anchor_->setObjectName("accuracyAnchor");
    anchor_->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    anchor_->setWordWrap(true);  // the caveat of a poorly fitted method goes on its own line
    anchor_->setStyleSheet("color: #555;");
    measured_ = new QLabel;
    measured_->setObjectName("accuracyMeasured");
    calibrate_ = new QPushButton("Calibrate…");
    calibrate_->setObjectName("calibrateButton");
    calibrate_->setToolTip("Evaluate calibration schedules through the agent to fit the accuracy model");
    connect(calibrate_, &QPushButton::clicked, this, &AccuracyReadout::calibrateRequested);
    auto* layout = new QGridLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(new QLabel("<b>Top-1</b> on"), 0, 0);
    layout->addWidget(split_, 0, 1);
    layout->addWidget(predicted_, 0, 2);
    layout->addWidget(calibrate_, 0, 3);
    // The measurement on its own line: beside the prediction it cut the band off (the prediction's
    // label ignores its text's width so that a drag never relayouts the editor).
    layout->addWidget(measured_, 1, 0, 1, 4);
    layout->addWidget(anchor_, 2, 0, 1, 4);
    layout->setColumnStretch(2, 1);
    setPrediction({});
    setMeasured(std::nullopt);
}

QString AccuracyReadout::split() const { return split_->currentData().toString(); }

void AccuracyReadout::setSplit(const QString& split) {
    const int i = split_->findData(split);
    if (i >= 0) split_->setCurrentIndex(i);
}

void AccuracyReadout::setPrediction(const PredictedAccuracy& p) {
    if (p.calibrated) {
        predicted_->setText(QString("predicted %1% (%2–%3%), drop %4 pp")
                                .arg(100.0 * p.top1, 0, 'f', 1)
                                .arg(100.0 * p.low, 0, 'f', 1)
                                .arg(100.0 * p.high, 0, 'f', 1)
                                .arg(100.0 * p.drop, 0, 'f', 1));
        QString detail = QString("unpruned %1%: %2").arg(100.0 * p.unpruned_top1, 0, 'f', 2).arg(p.anchor);
        if (!p.caveat.isEmpty()) detail += "\n" + p.caveat;
        anchor_->setText(detail);
        anchor_->setToolTip(p.source);
        anchor_->setStyleSheet(p.anchor_fallback ? "color: #b26a00;" : "color: #555;");
    } else if (p.pending) {
        predicted_->setText(p.reason);  // e.g. "fitting the pomt accuracy model…": a moment, not a missing calibration
        anchor_->clear();
    } else {
        predicted_->setText("not calibrated" + (p.reason.isEmpty() ? QString() : " — " + p.reason));
        anchor_->clear();
    }
    anchor_->setVisible(p.calibrated);
    calibrate_->setVisible(!p.calibrated && !p.pending);
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
    measured_->setVisible(m.has_value());
}

QString AccuracyReadout::text() const {
    return "Top-1 on " + split_->currentText() + ": " + predicted_->text() + " " + measured_->text() +
           (anchor_->isHidden() ? QString() : " | " + anchor_->text());
}
bool AccuracyReadout::calibrateOffered() const { return !calibrate_->isHidden(); }

}  // namespace tp::ui
