#pragma once
#include <vector>

#include <QAbstractTableModel>
#include <QStringList>

#include "core/steps/step_detector.h"
#include "ui/edge_matching.h"

namespace tp::ui {

// Edges of the overlaid curves side by side: one row per edge, one column per curve, with whether
// the edge is shared, moved, or only on some curves.
class EdgeComparisonModel : public QAbstractTableModel {
    Q_OBJECT
public:
    using QAbstractTableModel::QAbstractTableModel;

    // `labels[i]` names curve i; `edges[i]` its detected edges; tolerance in tokens.
    void setCurves(const QStringList& labels, std::vector<std::vector<Edge>> edges, int tolerance);
    void clear();
    const std::vector<EdgeMatch>& rows() const { return rows_; }

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    QString statusText(const EdgeMatch& m) const;
    QStringList labels_;
    std::vector<std::vector<Edge>> edges_;  // owns what rows_ point at
    std::vector<EdgeMatch> rows_;
};

}  // namespace tp::ui
