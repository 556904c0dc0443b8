#pragma once
#include <QWidget>
#include <optional>
#include <vector>

#include "core/model/latency_prediction.h"
#include "core/model/schedule.h"
#include "ui/qcustomplot_include.h"

class QLabel;
class QTableWidget;

namespace tp::ui {

// One device's row: its prediction (core's LatencyPrediction), or why there is none.
struct DeviceLatency {
    QString device;
    bool active = false;
    std::optional<LatencyPrediction> prediction;
    QString reason;                       // why there is no prediction
    QString basis;                        // what the prediction rests on (terms measured, band)
    std::optional<Measurement> measured;  // a real measurement of this very schedule, if taken
    bool otherMachine = false;            // the profile is from another machine or state than the one predicted for
};

// Predicted latency of the schedule on the active device and the other devices of its model: a table (ms,
// % vs unpruned, band, measured) and a plot with each prediction's band and the measured value
// drawn next to it.
class LatencyReadout : public QWidget {
    Q_OBJECT
public:
    explicit LatencyReadout(QWidget* parent = nullptr);
    void setDevices(std::vector<DeviceLatency> devices);
    // The rows shown (for tests: the predictions behind the text).
    const std::vector<DeviceLatency>& devices() const { return devices_; }
    // Text of one cell (device row, column), for tests.
    QString cellText(int row, int column) const;
    int rowCount() const;
    QCustomPlot* plot() const { return plot_; }

private:
    QTableWidget* table_ = nullptr;
    QLabel* basis_ = nullptr;  // what the active device's band rests on
    QCustomPlot* plot_ = nullptr;
    QCPLayer* dataLayer_ = nullptr;
    QCPBars* predicted_ = nullptr;
    QCPErrorBars* band_ = nullptr;
    QCPGraph* measured_ = nullptr;
    QCPErrorBars* measuredBand_ = nullptr;
    int shownDevices_ = -1;
    std::vector<DeviceLatency> devices_;
};

}  // namespace tp::ui
