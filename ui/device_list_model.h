#pragma once
#include <QAbstractTableModel>
#include <QString>
#include <vector>

#include "core/remote/device_check.h"
#include "core/remote/device_list.h"

namespace tp::ui {

// The device list (the CLI's devices.json) with each device's last check, as a table: name,
// where, status, details, last check. `local` is always the first row and cannot be edited.
class DeviceListModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { Name, Where, Status, Details, Checked, ColumnCount };
    enum Role { StateRole = Qt::UserRole + 1 };

    explicit DeviceListModel(QObject* parent = nullptr);

    // Reads the list file ($TAILPRUNE_DEVICES or the default); returns an error or empty.
    QString load(const QString& path = {});
    QString path() const { return path_; }

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    const remote::DeviceEntry& device(int row) const { return rows_.at(row).device; }
    const remote::DeviceCheck& check(int row) const { return rows_.at(row).check; }
    bool isChecking(int row) const { return rows_.at(row).checking; }
    int rowOf(const QString& name) const;
    QStringList names() const;

    // Edits write the file at once (atomically); they return an error or empty.
    QString addOrReplace(const remote::DeviceEntry& device, const QString& previousName = {});
    QString remove(const QString& name);

    void setChecking(const QString& name);
    void setCheck(const QString& name, const remote::DeviceCheck& check);

    // The status column's words for a check (also the panel's details).
    static QString statusText(const remote::DeviceCheck& check, bool checking);

Q_SIGNALS:
    void listChanged();

private:
    struct Row {
        remote::DeviceEntry device;
        remote::DeviceCheck check;
        bool checking = false;
    };
    QString save();
    std::vector<Row> rows_;
    QString path_;
};

}  // namespace tp::ui
