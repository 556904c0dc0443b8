#include "ui/profile_filter_proxy.h"

#include "ui/profile_tree_model.h"

namespace tp::ui {

ProfileFilterProxy::ProfileFilterProxy(QObject* parent) : QSortFilterProxyModel(parent) {
    setRecursiveFilteringEnabled(true);
}

void ProfileFilterProxy::setSearchText(const QString& text) {
    search_ = text.trimmed();
    invalidateFilter();
}
void ProfileFilterProxy::setBatch(int batch) {
    batch_ = batch;
    invalidateFilter();
}
void ProfileFilterProxy::setDtype(const QString& dtype) {
    dtype_ = dtype;
    invalidateFilter();
}
void ProfileFilterProxy::setMode(const QString& mode) {
    mode_ = mode;
    invalidateFilter();
}
void ProfileFilterProxy::setScopeKind(const QString& scopeKind) {
    scopeKind_ = scopeKind;
    invalidateFilter();
}

bool ProfileFilterProxy::filterAcceptsRow(int sourceRow, const QModelIndex& sourceParent) const {
    const QModelIndex i = sourceModel()->index(sourceRow, 0, sourceParent);
    const auto kind = ProfileTreeModel::NodeKind(i.data(ProfileTreeModel::NodeKindRole).toInt());
    // Parents are shown through recursive filtering when a curve below them is accepted. A profile
    // without curves is judged on its own attributes.
    if (kind != ProfileTreeModel::NodeKind::Curve &&
        !(kind == ProfileTreeModel::NodeKind::Profile && sourceModel()->rowCount(i) == 0))
        return false;
    if (batch_ > 0 && i.data(ProfileTreeModel::BatchRole).toInt() != batch_) return false;
    if (!dtype_.isEmpty() && i.data(ProfileTreeModel::DtypeRole).toString() != dtype_) return false;
    if (!mode_.isEmpty() && i.data(ProfileTreeModel::ModeRole).toString() != mode_) return false;
    if (!scopeKind_.isEmpty() && i.data(ProfileTreeModel::ScopeKindRole).toString() != scopeKind_) return false;
    if (!search_.isEmpty()) {
        const QString text = i.data(ProfileTreeModel::SearchTextRole).toString();
        for (const QString& word : search_.split(' ', Qt::SkipEmptyParts))
            if (!text.contains(word, Qt::CaseInsensitive)) return false;
    }
    return true;
}

}  // namespace tp::ui
