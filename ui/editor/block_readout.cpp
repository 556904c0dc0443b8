#include "ui/editor/block_readout.h"

#include <QHeaderView>
#include <QTableWidget>
#include <QVBoxLayout>
#include <algorithm>

#include "ui/editor/plot_layers.h"

namespace tp::ui {

BlockReadout::BlockReadout(QWidget* parent) : QWidget(parent) {
    plot_ = new QCustomPlot;
    plot_->setObjectName("contributionPlot");
    plot_->setMinimumHeight(150);
    plot_->xAxis->setLabel("block");
    plot_->yAxis->setLabel("predicted ms");
    QSharedPointer<QCPAxisTickerFixed> blocks(new QCPAxisTickerFixed);
    blocks->setTickStep(1);
    plot_->xAxis->setTicker(blocks);
    dataLayer_ = add_top_buffered_layer(plot_, "data");
    unpruned_ = new QCPBars(plot_->xAxis, plot_->yAxis);
    unpruned_->setLayer(dataLayer_);
    unpruned_->setName("unpruned");
    unpruned_->setPen(QPen(QColor(150, 150, 150)));
    unpruned_->setBrush(QColor(200, 200, 200, 120));
    unpruned_->setWidth(0.8);
    pruned_ = new QCPBars(plot_->xAxis, plot_->yAxis);
    pruned_->setName("this schedule");
    pruned_->setLayer(dataLayer_);
    pruned_->setPen(QPen(QColor(30, 90, 180)));
    pruned_->setBrush(QColor(30, 90, 180, 150));
    pruned_->setWidth(0.5);
    plot_->legend->setVisible(true);
    plot_->legend->setFillOrder(QCPLayoutGrid::foColumnsFirst);
    plot_->legend->setFont(QFont(font().family(), 8));
    emptyNote_ = new QCPItemText(plot_);
    emptyNote_->position->setType(QCPItemPosition::ptAxisRectRatio);
    emptyNote_->position->setCoords(0.5, 0.5);
    emptyNote_->setText("per-block contributions: latency predictor not available");
    emptyNote_->setVisible(false);

    edges_ = new QTableWidget(0, 3);
    edges_->setObjectName("edgeTable");
    edges_->setHorizontalHeaderLabels({"tokens", "curve", "edge"});
    edges_->horizontalHeader()->setSectionResizeMode(2, QHeaderView::Stretch);
    edges_->setEditTriggers(QAbstractItemView::NoEditTriggers);

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(plot_, 1);
    layout->addWidget(edges_, 1);
}

void BlockReadout::setContributions(const std::vector<double>& block_ms, const std::vector<double>& unpruned_ms) {
    QVector<double> keys, values, ukeys, uvalues;
    double top = 0;
    for (std::size_t b = 0; b < block_ms.size(); ++b) {
        keys << static_cast<double>(b);
        values << block_ms[b];
        top = std::max(top, block_ms[b]);
    }
    for (std::size_t b = 0; b < unpruned_ms.size(); ++b) {
        ukeys << static_cast<double>(b);
        uvalues << unpruned_ms[b];
        top = std::max(top, unpruned_ms[b]);
    }
    pruned_->setData(keys, values, true);
    unpruned_->setData(ukeys, uvalues, true);
    const int n = static_cast<int>(std::max(block_ms.size(), unpruned_ms.size()));
    const double upper = plot_->yAxis->range().upper;
    const bool axesChanged = emptyNote_->visible() != block_ms.empty() || n != shownBlocks_ || top > upper ||
                             top < upper * 0.5;
    if (axesChanged) {
        // Ordinary moves keep the axes: the unpruned bars are the tallest and do not move.
        shownBlocks_ = n;
        emptyNote_->setVisible(block_ms.empty());
        plot_->xAxis->setRange(-0.6, std::max(n, 1) - 0.4);
        plot_->yAxis->setRange(0, top > 0 ? top * 1.45 : 1);  // headroom for the legend
        plot_->replot(QCustomPlot::rpQueuedReplot);
    } else {
        dataLayer_->replot();
    }
}

void BlockReadout::setEdges(const std::vector<BlockEdgePosition>& edges) {
    const int n = static_cast<int>(edges.size());
    if (edges_->rowCount() != n) {
        edges_->setRowCount(n);
        QStringList labels;
        for (int b = 0; b < n; ++b) labels << QString("block %1").arg(b);
        edges_->setVerticalHeaderLabels(labels);
    }
    for (int b = 0; b < n; ++b) {
        const BlockEdgePosition& e = edges[static_cast<std::size_t>(b)];
        const QString cells[3] = {QString::number(e.tokens), QString::fromStdString(e.curve), QString::fromStdString(e.describe())};
        for (int c = 0; c < 3; ++c) {
            QTableWidgetItem* item = edges_->item(b, c);
            if (!item) {
                item = new QTableWidgetItem;
                edges_->setItem(b, c, item);
            }
            if (item->text() != cells[c]) item->setText(cells[c]);
            const QBrush brush(e.on_edge() ? QColor(0, 120, 40) : palette().color(QPalette::Text));
            if (item->foreground() != brush) item->setForeground(brush);
        }
    }
}

QString BlockReadout::edgeText(int block) const {
    const QTableWidgetItem* item = edges_->item(block, 2);
    return item ? item->text() : QString();
}

}  // namespace tp::ui
