#include "ui/devices_panel.h"

#include <QFutureWatcher>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QMessageBox>
#include <QPushButton>
#include <QTableView>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

#include "core/remote/device_check.h"
#include "ui/agent_install_dialog.h"
#include "core/remote/host_keys.h"
#include "ui/agent_client.h"
#include "ui/device_edit_dialog.h"
#include "ui/device_list_model.h"
#include "ui/passphrase_prompt.h"

namespace tp::ui {

namespace {

QString qs(const std::string& s) { return QString::fromStdString(s); }

// What a first contact needs before the real check: is the key known, and if not, what is offered.
struct HostKeyLookup {
    bool known = true;
    std::optional<remote::ScannedHostKey> offered;
};

}  // namespace

DevicesPanel::DevicesPanel(DeviceListModel* model, PassphrasePrompt* prompt, QWidget* parent)
    : QWidget(parent), model_(model), prompt_(prompt) {
    setObjectName("devicesPanel");
    view_ = new QTableView;
    view_->setObjectName("devicesView");
    view_->setModel(model_);
    view_->setSelectionBehavior(QAbstractItemView::SelectRows);
    view_->setSelectionMode(QAbstractItemView::SingleSelection);
    view_->verticalHeader()->hide();
    view_->horizontalHeader()->setStretchLastSection(false);
    view_->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    view_->horizontalHeader()->setSectionResizeMode(DeviceListModel::Details, QHeaderView::Stretch);
    view_->setWordWrap(true);
    view_->setAlternatingRowColors(true);

    auto* add = new QPushButton(tr("Add…"));
    add->setObjectName("addDevice");
    add->setToolTip(tr("Add an SSH device, or a Slurm device (the agent as one task of a cluster's job; "
                       "srun here or on one of the SSH devices as its login node)"));
    auto* edit = new QPushButton(tr("Edit…"));
    auto* remove = new QPushButton(tr("Remove"));
    auto* check = new QPushButton(tr("Check"));
    check->setObjectName("checkDevice");
    auto* all = new QPushButton(tr("Check all"));
    auto* install = new QPushButton(tr("Install agent…"));
    install->setObjectName("installAgent");
    install->setToolTip(tr("Build the agent on the selected SSH device from this studio's source bundle "
                           "(tailprune device install)"));
    connect(install, &QPushButton::clicked, this, [this] {
        if (!selectedName().isEmpty()) installAgent(selectedName());
    });
    connect(add, &QPushButton::clicked, this, &DevicesPanel::addDevice);
    connect(edit, &QPushButton::clicked, this, &DevicesPanel::editSelected);
    connect(remove, &QPushButton::clicked, this, &DevicesPanel::removeSelected);
    connect(check, &QPushButton::clicked, this, [this] {
        if (!selectedName().isEmpty()) checkDevice(selectedName());
    });
    connect(all, &QPushButton::clicked, this, &DevicesPanel::checkAll);
    connect(view_, &QTableView::doubleClicked, this, &DevicesPanel::editSelected);

    auto* buttons = new QHBoxLayout;
    for (QPushButton* b : {add, edit, remove, check, all, install}) buttons->addWidget(b);
    buttons->addStretch();
    path_ = new QLabel;
    path_->setObjectName("devicesPath");
    path_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    auto* hint = new QLabel(tr("Keys only; host keys are recorded on first contact after you accept the fingerprint; "
                               "passphrases are asked here and never stored. The CLI reads the same list "
                               "(tailprune device list)."));
    hint->setWordWrap(true);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(buttons);
    layout->addWidget(view_, 1);
    layout->addWidget(path_);
    layout->addWidget(hint);
    const auto updatePath = [this] { path_->setText(tr("Device list: %1").arg(model_->path())); };
    connect(model_, &DeviceListModel::listChanged, this, updatePath);
    updatePath();

    decider_ = [this](const QString& device, const QString& fingerprint) {
        return QMessageBox::question(this, tr("New host key"),
                                     tr("First contact with %1.\nIts host key is %2.\n\nAccept it and record it in "
                                        "known_hosts? Compare it with the device's own "
                                        "`ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub` first.")
                                         .arg(device, fingerprint)) == QMessageBox::Yes;
    };
}

remote::ConnectOptions DevicesPanel::connectOptions(const QString& name) const {
    remote::ConnectOptions o;
    const int row = model_->rowOf(name);
    o.device = row >= 0 ? model_->device(row) : remote::local_device();
    o.local_agent = AgentClient::defaultProgram().toStdString();
    o.ssh.askpass = o.local_agent;  // `tailprune` answers as SSH_ASKPASS, through our socket
    if (prompt_) o.ssh.askpass_socket = prompt_->socketPath().toStdString();
    o.ssh.persist_s = 60;
    remote::apply_environment_overrides(o.ssh);
    return o;
}

QString DevicesPanel::selectedName() const {
    const QModelIndexList rows = view_->selectionModel() ? view_->selectionModel()->selectedRows() : QModelIndexList{};
    return rows.isEmpty() ? QString() : model_->data(model_->index(rows.first().row(), DeviceListModel::Name)).toString();
}

void DevicesPanel::checkAll() {
    for (const QString& name : model_->names()) checkDevice(name);
}

void DevicesPanel::checkDevice(const QString& name) {
    const int row = model_->rowOf(name);
    if (row < 0 || model_->isChecking(row)) return;
    model_->setChecking(name);
    confirmHostKey(
        name,
        [this, name] { runCheck(name); },
        [this, name](const QString& fingerprint) {
            remote::DeviceCheck c;
            c.state = remote::DeviceState::HostKeyUnknown;
            c.host_key = fingerprint.toStdString();
            c.message = "first contact not accepted: host key " + c.host_key.value();
            model_->setCheck(name, c);
            Q_EMIT checkFinished(name);
        });
}

void DevicesPanel::confirmHostKey(const QString& name, const std::function<void()>& accepted,
                                  const std::function<void(const QString&)>& refused) {
    const remote::DeviceEntry device = model_->device(model_->rowOf(name));
    // An unknown host key is offered to the user before anything is recorded.
    auto* watcher = new QFutureWatcher<HostKeyLookup>(this);
    connect(watcher, &QFutureWatcher<HostKeyLookup>::finished, this, [this, watcher, name, device, accepted, refused] {
        const HostKeyLookup lookup = watcher->result();
        watcher->deleteLater();
        if (!lookup.known && lookup.offered) {
            if (!decider_(name, qs(lookup.offered->fingerprint))) {
                refused(qs(lookup.offered->fingerprint));
                return;
            }
            try {
                remote::record_host_key(device, *lookup.offered);
            } catch (const std::exception& e) {
                Q_EMIT errorOccurred(QString::fromUtf8(e.what()));
            }
        }
        accepted();
    });
    watcher->setFuture(QtConcurrent::run([device] {
        HostKeyLookup l;
        if (device.is_local()) return l;
        l.known = remote::host_key_known(device);
        if (!l.known) l.offered = remote::scan_host_key(device);
        return l;
    }));
}

void DevicesPanel::runCheck(const QString& name) {
    const remote::ConnectOptions options = connectOptions(name);
    auto* watcher = new QFutureWatcher<remote::DeviceCheck>(this);
    connect(watcher, &QFutureWatcher<remote::DeviceCheck>::finished, this, [this, watcher, name] {
        model_->setCheck(name, watcher->result());
        watcher->deleteLater();
        Q_EMIT checkFinished(name);
    });
    watcher->setFuture(QtConcurrent::run([options] { return remote::check_device(options); }));
}

remote::DeviceList DevicesPanel::deviceList() const {
    remote::DeviceList list;
    for (int row = 1; row < model_->rowCount(); ++row) list.devices.push_back(model_->device(row));  // row 0: local
    return list;
}

void DevicesPanel::addDevice() {
    DeviceEditDialog dialog(this);
    dialog.setDeviceList(deviceList());
    if (dialog.exec() != QDialog::Accepted) return;
    const QString error = model_->addOrReplace(dialog.device());
    if (!error.isEmpty()) Q_EMIT errorOccurred(error);
    else checkDevice(qs(dialog.device().name));
}

void DevicesPanel::editSelected() {
    const QString name = selectedName();
    const int row = model_->rowOf(name);
    if (row <= 0) return;  // `local` is not editable
    DeviceEditDialog dialog(this);
    remote::DeviceList others = deviceList();
    others.devices.erase(others.devices.begin() + (row - 1));  // the entry under edit is not its own login
    dialog.setDeviceList(others);
    dialog.setDevice(model_->device(row));
    if (dialog.exec() != QDialog::Accepted) return;
    const QString error = model_->addOrReplace(dialog.device(), name);
    if (!error.isEmpty()) Q_EMIT errorOccurred(error);
}

void DevicesPanel::removeSelected() {
    const QString name = selectedName();
    if (name.isEmpty() || name == "local") return;
    if (QMessageBox::question(this, tr("Remove device"), tr("Remove %1 from the device list?").arg(name)) != QMessageBox::Yes)
        return;
    const QString error = model_->remove(name);
    if (!error.isEmpty()) Q_EMIT errorOccurred(error);
}

void DevicesPanel::installAgent(const QString& name) {
    const int row = model_->rowOf(name);
    if (row < 0) return;
    const remote::DeviceEntry device = model_->device(row);
    if (device.is_local() || device.is_slurm()) {
        Q_EMIT errorOccurred(tr("%1: the agent is installed on SSH devices (a Slurm device uses the one on its login "
                                "device's shared folder; this machine uses the studio's own)")
                                 .arg(name));
        return;
    }
    // The install's ssh would accept a new host key by itself: ask first, as a check does.
    confirmHostKey(
        name, [this, name] { openInstallDialog(name); },
        [this, name](const QString& fingerprint) {
            Q_EMIT errorOccurred(tr("%1: not installed, its host key %2 was not accepted").arg(name, fingerprint));
        });
}

void DevicesPanel::openInstallDialog(const QString& name) {
    const remote::ConnectOptions options = connectOptions(name);
    auto* dialog = new AgentInstallDialog(options.device, options.ssh, AgentClient::defaultProgram(), this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &AgentInstallDialog::installed, this, [this](const QString& device, const QString& agent) {
        const int at = model_->rowOf(device);
        if (at < 0) return;
        remote::DeviceEntry updated = model_->device(at);
        updated.agent = agent.toStdString();
        const QString error = model_->addOrReplace(updated, device);
        if (!error.isEmpty()) Q_EMIT errorOccurred(error);
        else checkDevice(device);  // `device check` finds it, here too
    });
    dialog->show();
    dialog->start();
    Q_EMIT installStarted(dialog);
}

}  // namespace tp::ui
