#pragma once
#include <QAbstractTableModel>

#include "core/steps/step_detector.h"
#include "core/steps/tile_explainer.h"
#include "ui/curve_series.h"

namespace tp::ui {

// The "one more token" table of one curve: for each detected edge, the token count just below it
// and what pruning to it changes (measured medians where both counts were measured, else the
// fitted plateau levels).
class OneMoreTokenModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { EdgeColumn, KeepColumn, AtEdgeColumn, BelowColumn, DeltaMsColumn, DeltaPctColumn,
                  ConfidenceColumn, ExplanationColumn, ColumnCount };

    using QAbstractTableModel::QAbstractTableModel;

    // `explanations`: one per edge (explainEdges), or empty.
    void setCurve(const CurveSeries& series, const StepAnalysis& steps, const std::vector<EdgeExplanation>& explanations);
    void clear();

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    struct Row {
        int edge = 0, keep = 0;
        double atMs = 0, belowMs = 0, confidence = 0;
        bool measured = false;
        QString explanation;
    };
    QVector<Row> rows_;
};

}  // namespace tp::ui
