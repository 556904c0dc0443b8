#pragma once
#include <QWidget>
#include <vector>

#include "core/schedule/block_edges.h"
#include "ui/editor/prediction_sources.h"
#include "ui/qcustomplot_include.h"

class QTableWidget;

namespace tp::ui {

// Per-block view of the schedule: each block's predicted contribution to latency (bars, unpruned
// as ghost bars behind) and where its token count sits on that block's staircase.
class BlockReadout : public QWidget {
    Q_OBJECT
public:
    explicit BlockReadout(QWidget* parent = nullptr);
    void setContributions(const std::vector<double>& block_ms, const std::vector<double>& unpruned_ms);
    void setEdges(const std::vector<BlockEdgePosition>& edges);
    QString edgeText(int block) const;
    QCustomPlot* plot() const { return plot_; }

private:
    QCustomPlot* plot_ = nullptr;
    QCPLayer* dataLayer_ = nullptr;
    int shownBlocks_ = -1;
    QCPBars* unpruned_ = nullptr;
    QCPBars* pruned_ = nullptr;
    QCPItemText* emptyNote_ = nullptr;
    QTableWidget* edges_ = nullptr;
};

}  // namespace tp::ui
