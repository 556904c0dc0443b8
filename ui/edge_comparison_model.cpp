#include "ui/edge_comparison_model.h"

#include <QColor>

#include <algorithm>

#include "ui/edge_description.h"

namespace tp::ui {

void EdgeComparisonModel::clear() {
    beginResetModel();
    labels_.clear();
    edges_.clear();
    rows_.clear();
    endResetModel();
}

void EdgeComparisonModel::setCurves(const QStringList& labels, std::vector<std::vector<Edge>> edges, int tolerance) {
    beginResetModel();
    labels_ = labels;
    edges_ = std::move(edges);
    rows_ = match_edges(edges_, tolerance);
    endResetModel();
}

int EdgeComparisonModel::rowCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : int(rows_.size()); }
int EdgeComparisonModel::columnCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : int(labels_.size()) + 1;
}

QString EdgeComparisonModel::statusText(const EdgeMatch& m) const {
    switch (m.status) {
        case EdgeMatch::Status::Shared: return tr("shared");
        case EdgeMatch::Status::Moved: {
            // How far the edge moved: the spread of its token counts across the curves.
            int lo = 1 << 30, hi = -1;
            for (const Edge* e : m.edges)
                if (e) lo = std::min(lo, e->tokens), hi = std::max(hi, e->tokens);
            return tr("moved by %1").arg(hi - lo);
        }
        case EdgeMatch::Status::Partial: {
            QStringList on;
            for (std::size_t i = 0; i < m.edges.size(); ++i)
                if (m.edges[i]) on << labels_.value(int(i));
            return tr("only on %1").arg(on.join(", "));
        }
    }
    return {};
}

QVariant EdgeComparisonModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole) return {};
    if (section == 0) return tr("Edge");
    return labels_.value(section - 1);
}

QVariant EdgeComparisonModel::data(const QModelIndex& index, int role) const {
    if (!index.isValid() || index.row() >= int(rows_.size())) return {};
    const EdgeMatch& m = rows_[std::size_t(index.row())];
    if (index.column() == 0) {
        if (role == Qt::DisplayRole || role == Qt::EditRole) return statusText(m);
        if (role == Qt::ForegroundRole && m.status != EdgeMatch::Status::Shared) return QColor(0xD5, 0x5E, 0x00);
        return {};
    }
    const Edge* e = m.edges[std::size_t(index.column() - 1)];
    if (!e) return role == Qt::DisplayRole ? QVariant(QStringLiteral("—")) : QVariant();
    if (role == Qt::EditRole) return e->tokens;
    if (role == Qt::DisplayRole) return QStringLiteral("%1 → %2   %3").arg(e->last_before).arg(e->tokens).arg(edgeHeightText(*e));
    if (role == Qt::ToolTipRole && !e->explanation.empty()) return QString::fromStdString(e->explanation);
    return {};
}

}  // namespace tp::ui
