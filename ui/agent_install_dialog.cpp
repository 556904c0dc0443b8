#include "ui/agent_install_dialog.h"

#include <QDialogButtonBox>
#include <QFileInfo>
#include <QFontDatabase>
#include <QLabel>
#include <QPlainTextEdit>
#include <QPointer>
#include <QProgressBar>
#include <QPushButton>
#include <QScrollBar>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

namespace tp::ui {

namespace {
QString qs(const std::string& s) { return QString::fromStdString(s); }
}  // namespace

AgentInstallDialog::AgentInstallDialog(const remote::DeviceEntry& device, const remote::SshOptions& ssh,
                                       const QString& agentProgram, QWidget* parent)
    : QDialog(parent), device_(device), ssh_(ssh), agentProgram_(agentProgram) {
    setWindowTitle(tr("Install the agent on %1").arg(qs(device.name)));
    summary_ = new QLabel(tr("Builds the headless agent from this studio's source bundle on %1 (%2), checks it and "
                             "points the device at it.")
                              .arg(qs(device.name), qs(device.destination())));
    summary_->setWordWrap(true);
    probe_ = new QLabel;
    probe_->setObjectName("installProbe");
    probe_->setWordWrap(true);
    probe_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    stage_ = new QLabel;
    stage_->setObjectName("installStage");
    progress_ = new QProgressBar;
    progress_->setRange(0, 0);
    progress_->setVisible(false);
    log_ = new QPlainTextEdit;
    log_->setObjectName("installLog");
    log_->setReadOnly(true);
    log_->setMaximumBlockCount(5000);
    log_->setLineWrapMode(QPlainTextEdit::NoWrap);
    log_->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    auto* buttons = new QDialogButtonBox;
    cancelButton_ = buttons->addButton(QDialogButtonBox::Cancel);
    cancelButton_->setObjectName("installCancel");
    closeButton_ = buttons->addButton(QDialogButtonBox::Close);
    closeButton_->setEnabled(false);
    connect(cancelButton_, &QPushButton::clicked, this, &AgentInstallDialog::cancel);
    connect(closeButton_, &QPushButton::clicked, this, &QDialog::accept);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(summary_);
    layout->addWidget(probe_);
    layout->addWidget(stage_);
    layout->addWidget(progress_);
    layout->addWidget(log_, 1);
    layout->addWidget(buttons);
    resize(820, 520);
}

AgentInstallDialog::~AgentInstallDialog() {
    cancel_->store(true);
    work_.waitForFinished();
}

bool AgentInstallDialog::running() const { return work_.isRunning(); }

QString AgentInstallDialog::logText() const { return log_->toPlainText(); }

void AgentInstallDialog::start(bool probeOnly) {
    if (running()) return;
    cancel_->store(false);
    clock_.start();
    stage_->setText(tr("Probing %1…").arg(qs(device_.name)));
    progress_->setVisible(true);
    progress_->setRange(0, 0);
    cancelButton_->setEnabled(true);
    closeButton_->setEnabled(false);

    remote::AgentBundle bundle;
    if (!probeOnly) {
        try {
            bundle = remote::find_agent_bundle(QFileInfo(agentProgram_).absolutePath().toStdString());
        } catch (const std::exception& e) {
            remote::InstallOutcome o;
            o.status = remote::InstallOutcome::Status::Failed;
            o.message = e.what();
            onFinished(o);
            return;
        }
        appendLog(tr("bundle %1 (%2)").arg(qs(bundle.id), qs(bundle.tarball)));
    }
    remote::InstallOptions options;
    options.probe_only = probeOnly;
    // Callbacks run on the worker thread: each hops to the GUI thread, unless the dialog is gone.
    QPointer<AgentInstallDialog> self(this);
    remote::InstallCallbacks cb;
    cb.on_probe = [self](const remote::DeviceProbe& p) {
        QMetaObject::invokeMethod(self, [self, p] { if (self) self->onProbe(p); }, Qt::QueuedConnection);
    };
    cb.on_event = [self](const remote::InstallEvent& e) {
        QMetaObject::invokeMethod(self, [self, e] { if (self) self->onEvent(e); }, Qt::QueuedConnection);
    };
    auto flag = cancel_;
    cb.cancelled = [flag] { return flag->load(); };
    const remote::DeviceEntry device = device_;
    const remote::SshOptions ssh = ssh_;
    work_ = QtConcurrent::run([self, device, ssh, bundle, options, cb] {
        const remote::InstallOutcome o = remote::install_agent(device, ssh, bundle, options, cb);
        QMetaObject::invokeMethod(self, [self, o] { if (self) self->onFinished(o); }, Qt::QueuedConnection);
    });
}

void AgentInstallDialog::cancel() {
    if (!running()) return;
    cancel_->store(true);
    cancelButton_->setEnabled(false);
    stage_->setText(tr("Cancelling: ending the build on %1…").arg(qs(device_.name)));
}

void AgentInstallDialog::reject() {
    if (running()) {
        closeRequested_ = true;
        cancel();  // the dialog closes once the device has been told
        return;
    }
    QDialog::reject();
}

void AgentInstallDialog::onProbe(const remote::DeviceProbe& p) {
    QString text = tr("<b>%1</b>: %2").arg(qs(device_.name).toHtmlEscaped(), qs(remote::describe_probe(p)).toHtmlEscaped());
    for (const auto& m : p.missing) text += "<br><span style='color:#b00020'>" + tr("Missing: %1").arg(qs(m).toHtmlEscaped()) + "</span>";
    for (const auto& n : p.notes) text += "<br>" + tr("Note: %1").arg(qs(n).toHtmlEscaped());
    probe_->setText(text);
}

void AgentInstallDialog::onEvent(const remote::InstallEvent& e) {
    using Kind = remote::InstallEvent::Kind;
    const double s = clock_.elapsed() / 1000.0;
    switch (e.kind) {
    case Kind::Stage:
        stage_->setText(tr("%1 — %2 s").arg(qs(e.text)).arg(s, 0, 'f', 0));
        appendLog("== " + qs(e.text));
        if (e.text != "build") progress_->setRange(0, 0);
        break;
    case Kind::Progress:
        progress_->setRange(0, e.total);
        progress_->setValue(e.done);
        stage_->setText(tr("build %1/%2 — %3 s").arg(e.done).arg(e.total).arg(s, 0, 'f', 0));
        appendLog(qs(e.text));
        break;
    case Kind::SelfCheck:
        appendLog(tr("self-check: %1").arg(qs(e.self_check.dump())));
        break;
    case Kind::Error:
        appendLog(tr("error on the device: %1").arg(qs(e.text)));
        break;
    case Kind::Note:
    case Kind::Log:
        appendLog(qs(e.text));
        break;
    case Kind::Done:
        break;
    }
}

void AgentInstallDialog::onFinished(const remote::InstallOutcome& o) {
    outcome_ = o;
    progress_->setVisible(o.status == remote::InstallOutcome::Status::Installed);
    if (o.status == remote::InstallOutcome::Status::Installed) {
        progress_->setRange(0, 1);
        progress_->setValue(1);
    }
    cancelButton_->setEnabled(false);
    closeButton_->setEnabled(true);
    closeButton_->setDefault(true);
    const QString seconds = QString::number(o.seconds, 'f', 0);
    switch (o.status) {
    case remote::InstallOutcome::Status::Installed:
        stage_->setText(tr("Installed in %1 s: %2").arg(seconds, qs(o.agent_path)));
        Q_EMIT installed(qs(device_.name), qs(o.agent_path));
        break;
    case remote::InstallOutcome::Status::Probed:
        stage_->setText(tr("Probed in %1 s: nothing is missing.").arg(seconds));
        break;
    case remote::InstallOutcome::Status::Cancelled:
        stage_->setText(tr("Cancelled after %1 s.").arg(seconds));
        break;
    default:
        stage_->setText("<span style='color:#b00020'>" + qs(o.message).toHtmlEscaped() + "</span>");
        break;
    }
    appendLog("== " + QString(remote::to_string(o.status)) + ": " + qs(o.message));
    Q_EMIT finished();
    if (closeRequested_) QDialog::reject();
}

void AgentInstallDialog::appendLog(const QString& line) {
    // Follow the log while its end is in view; leave it where it is when the user scrolled up.
    QScrollBar* bar = log_->verticalScrollBar();
    const bool atEnd = bar->value() >= bar->maximum() - 1;
    log_->appendPlainText(line);
    if (atEnd) bar->setValue(bar->maximum());
}

}  // namespace tp::ui
