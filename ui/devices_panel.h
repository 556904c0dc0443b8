#pragma once
#include <QWidget>
#include <functional>

#include "core/remote/agent_connection.h"

class QTableView;
class QPushButton;
class QLabel;

namespace tp::ui {

class AgentInstallDialog;
class DeviceListModel;
class PassphrasePrompt;

// The Devices tab: the device list (the CLI's devices.json) with add / edit / remove / check and
// each device's status from its last check. Checks run off the GUI thread. A first contact shows
// the host key's fingerprint to accept or cancel; a changed key is refused and says which
// known_hosts line to review; passphrases are asked through PassphrasePrompt.
class DevicesPanel : public QWidget {
    Q_OBJECT
public:
    // Decides a first contact: true accepts the shown fingerprint (default: a question dialog).
    using HostKeyDecider = std::function<bool(const QString& device, const QString& fingerprint)>;

    DevicesPanel(DeviceListModel* model, PassphrasePrompt* prompt, QWidget* parent = nullptr);

    DeviceListModel* model() const { return model_; }
    QTableView* view() const { return view_; }
    void setHostKeyDecider(HostKeyDecider decider) { decider_ = std::move(decider); }

    // How the studio reaches a device: our tailprune as the local agent and as ssh's askpass,
    // asking through the passphrase dialog.
    remote::ConnectOptions connectOptions(const QString& name) const;
    // The list as the add/edit form sees it (without `local`): its SSH devices are the login
    // choices of a Slurm device.
    remote::DeviceList deviceList() const;

public Q_SLOTS:
    void checkDevice(const QString& name);
    void checkAll();
    void addDevice();
    void editSelected();
    void removeSelected();
    // Opens the install dialog for an SSH device (after its host key is accepted) and starts the
    // install; on success the entry's agent path is updated and the device checked.
    void installAgent(const QString& name);

Q_SIGNALS:
    void checkFinished(const QString& name);
    void errorOccurred(const QString& message);
    void installStarted(AgentInstallDialog* dialog);  // deleted when closed

private:
    QString selectedName() const;
    void runCheck(const QString& name);
    void confirmHostKey(const QString& name, const std::function<void()>& accepted,
                        const std::function<void(const QString& fingerprint)>& refused);
    void openInstallDialog(const QString& name);
    DeviceListModel* model_;
    PassphrasePrompt* prompt_;
    QTableView* view_;
    QLabel* path_;
    HostKeyDecider decider_;
};

}  // namespace tp::ui
