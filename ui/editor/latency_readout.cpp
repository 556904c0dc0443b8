#include "ui/editor/latency_readout.h"

#include <QHeaderView>
#include <QTableWidget>
#include <QVBoxLayout>

namespace tp::ui {
namespace {

void setCell(QTableWidget* table, int row, int column, const QString& text) {
    QTableWidgetItem* item = table->item(row, column);
    if (!item) {
        item = new QTableWidgetItem;
        item->setFlags(Qt::ItemIsEnabled | Qt::ItemIsSelectable);
        table->setItem(row, column, item);
    }
    if (item->text() != text) item->setText(text);
}

}  // namespace

LatencyReadout::LatencyReadout(QWidget* parent) : QWidget(parent) {
    table_ = new QTableWidget(0, 5);
    table_->setObjectName("latencyTable");
    table_->setHorizontalHeaderLabels({"device", "predicted", "vs unpruned", "band", "measured"});
    table_->verticalHeader()->hide();
    table_->horizontalHeader()->setSectionResizeMode(0, QHeaderView::Stretch);
    for (int c = 1; c < 5; ++c) table_->horizontalHeader()->setSectionResizeMode(c, QHeaderView::ResizeToContents);
    table_->setEditTriggers(QAbstractItemView::NoEditTriggers);
    table_->setMaximumHeight(170);

    plot_ = new QCustomPlot;
    plot_->setObjectName("latencyPlot");
    plot_->setMinimumHeight(140);
    plot_->yAxis->setLabel("ms");
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
    plot_->legend->setVisible(true);
    plot_->legend->removeItem(plot_->legend->itemCount() - 1);  // error bars have no legend entry of their own
    plot_->axisRect()->insetLayout()->setInsetAlignment(0, Qt::AlignTop | Qt::AlignRight);
    plot_->legend->setFont(QFont(font().family(), 8));

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(table_);
    layout->addWidget(plot_, 1);
}

void LatencyReadout::setDevices(const std::vector<DeviceLatency>& devices) {
    const int n = static_cast<int>(devices.size());
    if (table_->rowCount() != n) table_->setRowCount(n);
    QVector<double> keys, values, errLow, errHigh, mKeys, mValues, mLow, mHigh;
    QVector<QString> labels;
    double top = 0;
    for (int r = 0; r < n; ++r) {
        const DeviceLatency& d = devices[static_cast<std::size_t>(r)];
        const PredictedLatency& p = d.prediction;
        setCell(table_, r, 0, (d.active ? "▶ " : "") + d.device);
        if (p.available) {
            setCell(table_, r, 1, QString("%1 ms").arg(p.ms, 0, 'f', p.ms < 10 ? 3 : 2));
            const double pct = p.unpruned_ms > 0 ? 100.0 * (p.ms - p.unpruned_ms) / p.unpruned_ms : 0;
            setCell(table_, r, 2, QString("%1%2%").arg(pct >= 0 ? "+" : "").arg(pct, 0, 'f', 1));
            setCell(table_, r, 3, QString("%1–%2 ms").arg(p.low_ms, 0, 'f', 3).arg(p.high_ms, 0, 'f', 3));
            keys << r - 0.2;
            values << p.ms;
            errLow << p.ms - p.low_ms;
            errHigh << p.high_ms - p.ms;
            top = std::max(top, p.high_ms);
        } else {
            setCell(table_, r, 1, "not available");
            setCell(table_, r, 2, "");
            setCell(table_, r, 3, p.reason);
        }
        if (d.measured) {
            const Measurement& m = *d.measured;
            setCell(table_, r, 4, QString("%1 ms (%2–%3)").arg(m.value, 0, 'f', 3).arg(m.low, 0, 'f', 3).arg(m.high, 0, 'f', 3));
            mKeys << r + 0.2;
            mValues << m.value;
            mLow << m.value - m.low;
            mHigh << m.high - m.value;
            top = std::max(top, m.high);
        } else {
            setCell(table_, r, 4, "—");
        }
        labels << QString::number(r + 1);
    }
    predicted_->setData(keys, values, true);
    band_->setData(errLow, errHigh);
    measured_->setData(mKeys, mValues, true);
    measuredBand_->setData(mLow, mHigh);
    if (shownDevices_ != n) {
        shownDevices_ = n;
        QSharedPointer<QCPAxisTickerText> ticker(new QCPAxisTickerText);
        for (int r = 0; r < n; ++r)
            ticker->addTick(r, QString("%1").arg(devices[static_cast<std::size_t>(r)].device.left(18)));
        plot_->xAxis->setTicker(ticker);
        plot_->xAxis->setRange(-0.6, n - 0.4);
    }
    plot_->yAxis->setRange(0, top > 0 ? top * 1.25 : 1);
    plot_->replot(QCustomPlot::rpQueuedReplot);
}

QString LatencyReadout::cellText(int row, int column) const {
    const QTableWidgetItem* item = table_->item(row, column);
    return item ? item->text() : QString();
}

int LatencyReadout::rowCount() const { return table_->rowCount(); }

}  // namespace tp::ui
