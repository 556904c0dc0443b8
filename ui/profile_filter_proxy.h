#pragma once
#include <QSortFilterProxyModel>

namespace tp::ui {

// Search and filters of the profile tree. Filters apply to curves (batch, dtype and mode come from
// their profile); devices, models and profiles stay visible while one of their curves does.
class ProfileFilterProxy : public QSortFilterProxyModel {
    Q_OBJECT
public:
    explicit ProfileFilterProxy(QObject* parent = nullptr);

    // Empty / 0 = any.
    void setSearchText(const QString& text);
    void setBatch(int batch);
    void setDtype(const QString& dtype);
    void setMode(const QString& mode);
    void setScopeKind(const QString& scopeKind);

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex& sourceParent) const override;

private:
    QString search_;
    int batch_ = 0;
    QString dtype_;
    QString mode_;
    QString scopeKind_;
};

}  // namespace tp::ui
