#pragma once
#include <QDialog>
#include <QElapsedTimer>
#include <QFuture>
#include <atomic>
#include <memory>

#include "core/remote/agent_install.h"

class QLabel;
class QPlainTextEdit;
class QProgressBar;
class QPushButton;

namespace tp::ui {

// Installs the agent on an SSH device (`tailprune device install`, core/remote/agent_install.h):
// what the device has and lacks, the build's log as it streams, a progress bar from Ninja's or
// make's counters, elapsed time, and Cancel, which also ends the build on the device. The work runs
// off the GUI thread; closing the dialog while it runs cancels it first.
class AgentInstallDialog : public QDialog {
    Q_OBJECT
public:
    AgentInstallDialog(const remote::DeviceEntry& device, const remote::SshOptions& ssh, const QString& agentProgram,
                       QWidget* parent = nullptr);
    ~AgentInstallDialog() override;

    // Starts the install (or with `probeOnly`, only the probe). Returns at once.
    void start(bool probeOnly = false);
    bool running() const;
    const remote::InstallOutcome& outcome() const { return outcome_; }
    QString logText() const;

public Q_SLOTS:
    void cancel();
    void reject() override;

Q_SIGNALS:
    // The agent is in place at `agentPath` on the device.
    void installed(const QString& device, const QString& agentPath);
    void finished();

private:
    void onProbe(const remote::DeviceProbe& probe);
    void onEvent(const remote::InstallEvent& event);
    void onFinished(const remote::InstallOutcome& outcome);
    void appendLog(const QString& line);

    remote::DeviceEntry device_;
    remote::SshOptions ssh_;
    QString agentProgram_;
    std::shared_ptr<std::atomic<bool>> cancel_ = std::make_shared<std::atomic<bool>>(false);
    QFuture<void> work_;
    remote::InstallOutcome outcome_;
    QElapsedTimer clock_;
    bool closeRequested_ = false;
    QLabel* summary_;
    QLabel* probe_;
    QLabel* stage_;
    QProgressBar* progress_;
    QPlainTextEdit* log_;
    QPushButton* cancelButton_;
    QPushButton* closeButton_;
};

}  // namespace tp::ui
