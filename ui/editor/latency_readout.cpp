#include "ui/editor/latency_readout.h"

#include <QHeaderView>
#include <QLabel>
#include <QTableWidget>
#include <QVBoxLayout>

#include "ui/editor/plot_layers.h"

namespace tp::ui {
namespace {

void setCell(QTableWidget* table, int row, int column, const QString& text, const QString& tip = QString()) {
    QTableWidgetItem* item = table->item(row, column);
    if (!item) {
        item = new QTableWidgetItem;
        item->setFlags(Qt::ItemIsEnabled | Qt::ItemIsSelectable);
        table->setItem(row, column, item);
    }
    if (item->text() != text) item->setText(text);
    if (item->toolTip() != tip) item->setToolTip(tip);
}

}  // namespace

LatencyReadout::LatencyReadout(QWidget* parent) : QWidget(parent) {
    table_ = new QTableWidget(0, 5);
    table_->setObjectName("latencyTable");
    table_->setHorizontalHeaderLabels({"device", "predicted", "vs unpruned", "band", "measured"});
    table_->verticalHeader()->hide();
    table_->horizontalHeader()->setSectionResizeMode(0, QHeaderView::Stretch);
    // Fixed widths: resizing columns to their contents on every mouse move would relayout the table.
    const int widths[] = {0, 75, 150, 125, 140};
    for (int c = 1; c < 5; ++c) {
        table_->horizontalHeader()->setSectionResizeMode(c, QHeaderView::Fixed);
        table_->setColumnWidth(c, widths[c]);
    }
    table_->setEditTriggers(QAbstractItemView::NoEditTriggers);
    table_->verticalHeader()->setDefaultSectionSize(table_->fontMetrics().height() + 6);
    table_->setWordWrap(false);


    plot_ = new QCustomPlot;
    plot_->setObjectName("latencyPlot");
    plot_->setMinimumHeight(140);
    // Devices differ by 20x in latency: bars are % of each device's unpruned latency, so every
    // device reads on one scale (the table has the milliseconds).
    plot_->yAxis->setLabel("% of unpruned latency");
    // Bars, bands and measured values on a buffered layer of their own: while the axis range holds,
    // a move re-renders only that layer, not the axes and their text.
    dataLayer_ = add_top_buffered_layer(plot_, "data");
    predicted_ = new QCPBars(plot_->xAxis, plot_->yAxis);
    predicted_->setName("predicted");
    predicted_->setWidth(0.35);
    predicted_->setPen(QPen(QColor(30, 90, 180)));
    predicted_->setBrush(QColor(30, 90, 180, 110));
    band_ = new QCPErrorBars(plot_->xAxis, plot_->yAxis);
    band_->setDataPlottable(predicted_);
    band_->setPen(QPen(QColor(20, 50, 110), 1.5));
    measured_ = plot_->addGraph();
    measured_->setName("measured");
    measured_->setLineStyle(QCPGraph::lsNone);
    measured_->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDiamond, QPen(QColor(200, 80, 0), 2), QColor(255, 170, 60), 11));
    measuredBand_ = new QCPErrorBars(plot_->xAxis, plot_->yAxis);
    measuredBand_->setDataPlottable(measured_);
    measuredBand_->setPen(QPen(QColor(200, 80, 0), 1.5));
    for (QCPAbstractPlottable* p : {static_cast<QCPAbstractPlottable*>(predicted_), static_cast<QCPAbstractPlottable*>(band_),
                                    static_cast<QCPAbstractPlottable*>(measured_), static_cast<QCPAbstractPlottable*>(measuredBand_)})
        p->setLayer(dataLayer_);
    plot_->legend->setVisible(true);
    band_->removeFromLegend();  // the bands belong to the bars and diamonds
    measuredBand_->removeFromLegend();
    plot_->axisRect()->insetLayout()->setInsetAlignment(0, Qt::AlignTop | Qt::AlignRight);
    plot_->legend->setFont(QFont(font().family(), 8));

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    basis_ = new QLabel;
    basis_->setObjectName("latencyBasis");
    basis_->setWordWrap(true);
    basis_->setStyleSheet("color: #555;");
    layout->addWidget(table_);
    layout->addWidget(basis_);
    layout->addWidget(plot_, 1);
}

void LatencyReadout::setDevices(std::vector<DeviceLatency> rows) {
    devices_ = std::move(rows);
    const std::vector<DeviceLatency>& devices = devices_;
    const int n = static_cast<int>(devices.size());
    if (table_->rowCount() != n) {
        table_->setRowCount(n);
        // Every device visible without scrolling.
        table_->setFixedHeight(table_->horizontalHeader()->height() + n * table_->verticalHeader()->defaultSectionSize() +
                               2 * table_->frameWidth() + 2);
    }
    QVector<double> keys, values, errLow, errHigh, mKeys, mValues, mLow, mHigh;
    std::vector<double> unpruned;
    QString basis;  // what the active device's prediction rests on
    bool otherMachine = false;
    double top = 0;
    for (int r = 0; r < n; ++r) {
        const DeviceLatency& d = devices[static_cast<std::size_t>(r)];
        setCell(table_, r, 0, QString("#%1 %2%3%4").arg(r + 1).arg(d.active ? "▶ " : "", d.otherMachine ? "⚠ " : "", d.device),
                d.otherMachine ? "The profile is from another machine or state: re-level it for this machine" : QString());
        if (d.prediction) {
            const LatencyPrediction& p = *d.prediction;
            setCell(table_, r, 1, QString("%1 ms").arg(p.latency_ms, 0, 'f', p.latency_ms < 10 ? 3 : 2));
            // Relative to unpruned, with its own band: the figure that transfers between machines.
            auto signedPct = [](double v) { return QString("%1%2").arg(v >= 0 ? "+" : "").arg(100.0 * v, 0, 'f', 1); };
            setCell(table_, r, 2,
                    p.unpruned_ms > 0 ? QString("%1% (%2…%3)").arg(signedPct(p.relative), signedPct(p.relative_low), signedPct(p.relative_high))
                                      : QString(),
                    "Predicted change against the unpruned model on the same device, with its own band");
            setCell(table_, r, 3, QString("%1–%2 ms").arg(p.low_ms, 0, 'f', 3).arg(p.high_ms, 0, 'f', 3), d.basis);
            if (d.active) basis = (d.otherMachine ? "⚠ Active device: " : "Active device: ") + d.basis + ".";
            if (d.active) otherMachine = d.otherMachine;
            const double scale = p.unpruned_ms > 0 ? 100.0 / p.unpruned_ms : 0;
            keys << r - 0.15;
            values << p.latency_ms * scale;
            errLow << (p.latency_ms - p.low_ms) * scale;
            errHigh << (p.high_ms - p.latency_ms) * scale;
            top = std::max(top, p.high_ms * scale);
            unpruned.push_back(p.unpruned_ms);
        } else {
            setCell(table_, r, 1, "not available");
            setCell(table_, r, 2, "");
            setCell(table_, r, 3, d.reason);
            unpruned.push_back(0);
        }
        if (d.measured) {
            const Measurement& m = *d.measured;
            setCell(table_, r, 4, QString("%1 ms (%2–%3)").arg(m.value, 0, 'f', 3).arg(m.low, 0, 'f', 3).arg(m.high, 0, 'f', 3));
            if (unpruned.back() > 0) {
                const double scale = 100.0 / unpruned.back();
                mKeys << r + 0.15;
                mValues << m.value * scale;
                mLow << (m.value - m.low) * scale;
                mHigh << (m.high - m.value) * scale;
                top = std::max(top, m.high * scale);
            }
        } else {
            setCell(table_, r, 4, "—");
        }
    }
    if (basis_->text() != basis) {
        basis_->setText(basis);
        basis_->setStyleSheet(otherMachine ? "color: #a04d00;" : "color: #555;");
    }
    predicted_->setData(keys, values, true);
    band_->setData(errLow, errHigh);
    measured_->setData(mKeys, mValues, true);
    measuredBand_->setData(mLow, mHigh);
    bool axesChanged = false;
    if (shownDevices_ != n) {
        shownDevices_ = n;
        axesChanged = true;
        QSharedPointer<QCPAxisTickerText> ticker(new QCPAxisTickerText);
        for (int r = 0; r < n; ++r)
            ticker->addTick(r, QString("#%1%2").arg(r + 1).arg(devices[static_cast<std::size_t>(r)].active ? " ▶" : ""));
        plot_->xAxis->setTicker(ticker);
        plot_->xAxis->setRange(-0.6, n - 0.4);
    }
    // The range only grows (or shrinks a lot), so ordinary moves keep the axes' buffer.
    const double upper = plot_->yAxis->range().upper;
    if (axesChanged || top > upper) {
        plot_->yAxis->setRange(0, std::max(130.0, top * 1.1));
        axesChanged = true;
    }
    if (axesChanged) plot_->replot(QCustomPlot::rpQueuedReplot);
    else dataLayer_->replot();
}

QString LatencyReadout::cellText(int row, int column) const {
    const QTableWidgetItem* item = table_->item(row, column);
    return item ? item->text() : QString();
}

int LatencyReadout::rowCount() const { return table_->rowCount(); }

}  // namespace tp::ui
