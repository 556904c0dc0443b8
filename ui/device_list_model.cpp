#include "ui/device_list_model.h"

#include <QBrush>
#include <QColor>
#include <QDateTime>

#include "core/util/format_error.h"
#include "core/remote/agent_connection.h"
#include "core/remote/ssh_command.h"

namespace tp::ui {

namespace {

QString qs(const std::string& s) { return QString::fromStdString(s); }

QColor stateColour(remote::DeviceState s) {
    switch (s) {
        case remote::DeviceState::Ready: return QColor(0x1b, 0x7f, 0x3b);
        case remote::DeviceState::Unknown: return QColor(0x60, 0x60, 0x60);
        case remote::DeviceState::HostKeyUnknown:
        case remote::DeviceState::PassphraseNeeded: return QColor(0xb3, 0x6b, 0x00);
        default: return QColor(0xb0, 0x1c, 0x1c);
    }
}

}  // namespace

DeviceListModel::DeviceListModel(QObject* parent) : QAbstractTableModel(parent) {
    rows_.push_back({remote::local_device(), {}, false});
}

QString DeviceListModel::load(const QString& path) {
    path_ = path.isEmpty() ? qs(remote::default_devices_path()) : path;
    QString error;
    remote::DeviceList list;
    try {
        list = remote::load_device_list(path_.toStdString());
    } catch (const std::exception& e) {
        error = QString::fromUtf8(e.what());
    }
    beginResetModel();
    std::vector<Row> rows{{remote::local_device(), {}, false}};
    for (const auto& d : list.devices) {
        Row r{d, {}, false};
        for (const Row& old : rows_)
            if (old.device.name == d.name) r.check = old.check;  // keep the last check across reloads
        rows.push_back(std::move(r));
    }
    rows_ = std::move(rows);
    endResetModel();
    Q_EMIT listChanged();
    return error;
}

int DeviceListModel::rowCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : int(rows_.size()); }
int DeviceListModel::columnCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : ColumnCount; }

QString DeviceListModel::statusText(const remote::DeviceCheck& c, bool checking) {
    if (checking) return tr("checking…");
    switch (c.state) {
        case remote::DeviceState::Unknown: return tr("not checked");
        case remote::DeviceState::Ready: {
            QString text = tr("ready — %1 ms round trip").arg(c.round_trip_ms, 0, 'f', 1);
            for (const auto& m : c.missing)
                if (m.rfind("no CUDA", 0) == 0) text += tr(", no CUDA");
            return text;
        }
        case remote::DeviceState::Unreachable: return tr("unreachable");
        case remote::DeviceState::HostKeyUnknown: return tr("host key unknown");
        case remote::DeviceState::HostKeyChanged: return tr("host key CHANGED — refused");
        case remote::DeviceState::PassphraseNeeded: return tr("passphrase needed");
        case remote::DeviceState::AgentMissing: return tr("agent missing");
        case remote::DeviceState::WrongVersion: return tr("agent too old");
        case remote::DeviceState::Failed: return tr("failed");
    }
    return {};
}

QVariant DeviceListModel::data(const QModelIndex& index, int role) const {
    if (!index.isValid() || index.row() >= int(rows_.size())) return {};
    const Row& r = rows_[index.row()];
    if (role == StateRole) return QString(remote::to_string(r.check.state));
    if (role == Qt::ForegroundRole && index.column() == Status && !r.checking) return QBrush(stateColour(r.check.state));
    if (role == Qt::ToolTipRole) {
        QString tip = qs(remote::describe_target(r.device));
        if (!r.check.message.empty()) tip += "\n" + qs(r.check.message);
        if (r.check.host_key) tip += "\n" + tr("host key %1").arg(qs(*r.check.host_key));
        return tip;
    }
    if (role != Qt::DisplayRole) return {};
    switch (index.column()) {
        case Name: return qs(r.device.name);
        case Where: {
            if (r.device.is_local()) return tr("this machine");
            QString where = qs(remote::reached_on(r.device));
            if (!r.device.jump.empty()) where += tr(" via %1").arg(qs(r.device.jump));
            return where;
        }
        case Status: return statusText(r.check, r.checking);
        case Details: {
            switch (r.check.state) {
                case remote::DeviceState::Ready: {
                    QString text = qs(r.check.message);
                    for (const auto& m : r.check.missing) text += "; " + qs(m);
                    return text;
                }
                case remote::DeviceState::HostKeyUnknown:
                    return tr("fingerprint %1 — check it, then accept it with Check")
                        .arg(r.check.host_key ? qs(*r.check.host_key) : tr("(not offered)"));
                case remote::DeviceState::HostKeyChanged:
                    return tr("review the line for %1 in %2: %3")
                        .arg(qs(remote::known_hosts_name(r.device)), qs(remote::known_hosts_file(r.device)), qs(r.check.message));
                case remote::DeviceState::AgentMissing:
                    return tr("install tailprune on the device or fix the agent path (Edit): %1").arg(qs(r.check.message));
                case remote::DeviceState::WrongVersion:
                    return tr("build this tailprune version on the device: %1").arg(qs(r.check.message));
                case remote::DeviceState::PassphraseNeeded:
                    return tr("no key was accepted: give the key's passphrase when asked, or add the key to the device: %1")
                        .arg(qs(r.check.message));
                default: return qs(r.check.message);
            }
        }
        case Checked:
            return r.check.checked_at.empty()
                       ? QString()
                       : QDateTime::fromString(qs(r.check.checked_at), Qt::ISODate).toLocalTime().toString("HH:mm:ss");
    }
    return {};
}

QVariant DeviceListModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole) return {};
    switch (section) {
        case Name: return tr("Device");
        case Where: return tr("Where");
        case Status: return tr("Status");
        case Details: return tr("Details");
        case Checked: return tr("Last check");
    }
    return {};
}

int DeviceListModel::rowOf(const QString& name) const {
    for (std::size_t i = 0; i < rows_.size(); ++i)
        if (qs(rows_[i].device.name) == name) return int(i);
    return -1;
}

QStringList DeviceListModel::names() const {
    QStringList out;
    for (const Row& r : rows_) out << qs(r.device.name);
    return out;
}

QString DeviceListModel::save() {
    remote::DeviceList list;
    for (std::size_t i = 1; i < rows_.size(); ++i) list.devices.push_back(rows_[i].device);
    try {
        remote::save_device_list(list, path_.toStdString());
    } catch (const std::exception& e) {
        return QString::fromUtf8(e.what());
    }
    return {};
}

QString DeviceListModel::addOrReplace(const remote::DeviceEntry& device, const QString& previousName) {
    try {
        remote::validate(device);
    } catch (const FormatError& e) {
        return QString::fromUtf8(e.what());
    }
    if (device.name == "local") return tr("'local' is this machine and always exists");
    const int existing = rowOf(qs(device.name));
    const int previous = previousName.isEmpty() ? -1 : rowOf(previousName);
    if (existing >= 0 && existing != previous) return tr("a device named '%1' exists").arg(qs(device.name));
    if (previous > 0) {
        rows_[previous] = Row{device, {}, false};
        Q_EMIT dataChanged(index(previous, 0), index(previous, ColumnCount - 1));
    } else {
        beginInsertRows({}, int(rows_.size()), int(rows_.size()));
        rows_.push_back(Row{device, {}, false});
        endInsertRows();
    }
    const QString error = save();
    Q_EMIT listChanged();
    return error;
}

QString DeviceListModel::remove(const QString& name) {
    const int row = rowOf(name);
    if (row <= 0) return tr("no device named '%1' can be removed").arg(name);
    beginRemoveRows({}, row, row);
    rows_.erase(rows_.begin() + row);
    endRemoveRows();
    const QString error = save();
    Q_EMIT listChanged();
    return error;
}

void DeviceListModel::setChecking(const QString& name) {
    const int row = rowOf(name);
    if (row < 0) return;
    rows_[row].checking = true;
    Q_EMIT dataChanged(index(row, 0), index(row, ColumnCount - 1));
}

void DeviceListModel::setCheck(const QString& name, const remote::DeviceCheck& check) {
    const int row = rowOf(name);
    if (row < 0) return;
    rows_[row].checking = false;
    rows_[row].check = check;
    Q_EMIT dataChanged(index(row, 0), index(row, ColumnCount - 1));
}

}  // namespace tp::ui
