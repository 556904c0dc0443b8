#include "ui/one_more_token_model.h"

#include <cmath>

#include <QColor>

#include "ui/edge_description.h"

namespace tp::ui {

void OneMoreTokenModel::clear() {
    beginResetModel();
    rows_.clear();
    endResetModel();
}

void OneMoreTokenModel::setCurve(const CurveSeries& series, const StepAnalysis& steps,
                                 const std::vector<EdgeExplanation>& explanations) {
    beginResetModel();
    rows_.clear();
    for (std::size_t i = 0; i < steps.edges.size(); ++i) {
        const Edge& e = steps.edges[i];
        Row r;
        r.edge = e.tokens;
        r.keep = e.last_before;
        const double at = series.medianAt(e.tokens);
        const double below = series.medianAt(e.last_before);
        r.measured = std::isfinite(at) && std::isfinite(below);
        r.atMs = r.measured ? at : e.level_after_ms;
        r.belowMs = r.measured ? below : e.level_before_ms;
        r.confidence = e.confidence;
        if (i < explanations.size()) r.explanation = edgeExplanationText(explanations[i]);
        rows_ << r;
    }
    endResetModel();
}

int OneMoreTokenModel::rowCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : int(rows_.size()); }
int OneMoreTokenModel::columnCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : ColumnCount; }

QVariant OneMoreTokenModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal) return {};
    if (role == Qt::ToolTipRole && (section == DeltaMsColumn || section == DeltaPctColumn))
        return tr("Change from running at the edge's token count to running at the count just below it "
                  "(negative = faster)");
    if (role != Qt::DisplayRole) return {};
    switch (section) {
        case EdgeColumn: return tr("Edge at (tokens)");
        case KeepColumn: return tr("Prune to (tokens)");
        case AtEdgeColumn: return tr("At edge (ms)");
        case BelowColumn: return tr("Just below (ms)");
        case DeltaMsColumn: return tr("Δ ms");
        case DeltaPctColumn: return tr("Δ %");
        case ConfidenceColumn: return tr("Confidence (σ)");
        case ExplanationColumn: return tr("Explanation");
    }
    return {};
}

QVariant OneMoreTokenModel::data(const QModelIndex& index, int role) const {
    if (!index.isValid() || index.row() >= rows_.size()) return {};
    const Row& r = rows_[index.row()];
    const double delta = r.belowMs - r.atMs;
    if (role == Qt::TextAlignmentRole && index.column() != ExplanationColumn)
        return int(Qt::AlignRight | Qt::AlignVCenter);
    if (role == Qt::ForegroundRole && (index.column() == DeltaMsColumn || index.column() == DeltaPctColumn))
        return delta < 0 ? QColor(0x00, 0x72, 0xB2) : QColor(0xD5, 0x5E, 0x00);
    if (role == Qt::ToolTipRole)
        return r.measured ? tr("measured medians at %1 and %2 tokens").arg(r.keep).arg(r.edge)
                          : tr("fitted plateau levels (a count was not measured)");
    if (role != Qt::DisplayRole && role != Qt::EditRole) return {};
    const bool edit = role == Qt::EditRole;  // raw numbers (CSV export)
    switch (index.column()) {
        case EdgeColumn: return r.edge;
        case KeepColumn: return r.keep;
        case AtEdgeColumn: return edit ? QVariant(r.atMs) : QVariant(QString::number(r.atMs, 'f', 4));
        case BelowColumn: return edit ? QVariant(r.belowMs) : QVariant(QString::number(r.belowMs, 'f', 4));
        case DeltaMsColumn:
            return edit ? QVariant(delta) : QVariant(QString::number(delta, 'f', 4));
        case DeltaPctColumn: {
            const double pct = r.atMs > 0 ? 100.0 * delta / r.atMs : 0.0;
            return edit ? QVariant(pct) : QVariant(QString::number(pct, 'f', 2));
        }
        case ConfidenceColumn: return edit ? QVariant(r.confidence) : QVariant(QString::number(r.confidence, 'f', 1));
        case ExplanationColumn: return r.explanation;
    }
    return {};
}

}  // namespace tp::ui
