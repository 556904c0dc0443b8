#include "ui/editor/calibration_panel.h"

#include <QGridLayout>
#include <QLabel>
#include <QProgressBar>
#include <QPushButton>
#include <QRegularExpression>

#include <csignal>

#include "ui/agent_client.h"

namespace tp::ui {

CalibrationPanel::CalibrationPanel(QWidget* parent) : QWidget(parent), program_(AgentClient::defaultProgram()) {
    auto* grid = new QGridLayout(this);
    grid->setContentsMargins(0, 0, 0, 0);
    grid->addWidget(new QLabel("Accuracy calibration"), 0, 0);
    cancel_ = new QPushButton("Cancel calibration");
    cancel_->setObjectName("cancelCalibrationButton");
    cancel_->setEnabled(false);
    connect(cancel_, &QPushButton::clicked, this, &CalibrationPanel::cancel);
    grid->addWidget(cancel_, 0, 1);
    progress_ = new QProgressBar;
    progress_->setRange(0, 1);
    progress_->setValue(0);
    grid->addWidget(progress_, 1, 0);
    remaining_ = new QLabel;
    grid->addWidget(remaining_, 1, 1);
    message_ = new QLabel;
    message_->setObjectName("calibrationMessage");
    message_->setWordWrap(true);
    grid->addWidget(message_, 2, 0, 1, 2);
    connect(&process_, &QProcess::readyReadStandardError, this, &CalibrationPanel::onStderr);
    connect(&process_, &QProcess::finished, this, &CalibrationPanel::onFinished);
    connect(&process_, &QProcess::errorOccurred, this, [this](QProcess::ProcessError e) {
        if (e != QProcess::FailedToStart) return;
        showMessage("Could not start " + program_ + ": " + process_.errorString(), true);
        cancel_->setEnabled(false);
        Q_EMIT finished(false);
    });
}

void CalibrationPanel::setProgram(const QString& program) { program_ = program; }
void CalibrationPanel::setExtraArguments(const QStringList& args) { extra_ = args; }
QString CalibrationPanel::message() const { return message_->text(); }

bool CalibrationPanel::start(const BundledModel& model, const QString& method) {
    if (running()) {
        showMessage("A calibration is still running: cancel it or wait.", true);
        return false;
    }
    method_ = method;
    lastError_.clear();
    pending_.clear();
    // argv, never a shell line: the paths come from the model folder.
    QStringList args{"calibrate", "--weights", model.weights, "--method", method, "--calibration", model.calibration};
    args << extra_;
    progress_->setRange(0, 0);
    remaining_->setText("starting…");
    showMessage("Calibrating " + model.name + " for " + method + " on the holdout split…", false);
    cancel_->setEnabled(true);
    clock_.start();
    process_.start(program_, args);
    return true;
}

void CalibrationPanel::cancel() {
    if (!running()) return;
    ::kill(static_cast<pid_t>(process_.processId()), SIGINT);  // calibrate stops after the evaluation in flight
    remaining_->setText("cancelling…");
}

void CalibrationPanel::onStderr() {
    pending_ += process_.readAllStandardError();
    static const QRegularExpression step(R"(^\[(\d+)/(\d+)\].*~([0-9.]+) s left)");
    static const QRegularExpression plan(R"((\d+) evaluation\(s\) to run)");
    int newline;
    while ((newline = pending_.indexOf('\n')) >= 0) {
        const QString line = QString::fromUtf8(pending_.left(newline)).trimmed();
        pending_.remove(0, newline + 1);
        if (line.startsWith("error: ")) lastError_ = line.mid(7);
        if (auto m = plan.match(line); m.hasMatch()) progress_->setRange(0, std::max(1, m.captured(1).toInt()));
        if (auto m = step.match(line); m.hasMatch()) {
            progress_->setRange(0, m.captured(2).toInt());
            progress_->setValue(m.captured(1).toInt());
            remaining_->setText(QString("~%1 s left").arg(m.captured(3).toDouble(), 0, 'f', 0));
        }
    }
}

void CalibrationPanel::onFinished(int exitCode, QProcess::ExitStatus status) {
    onStderr();
    cancel_->setEnabled(false);
    progress_->setRange(0, 1);
    const double seconds = clock_.elapsed() / 1000.0;
    const bool ok = status == QProcess::NormalExit && exitCode == 0;
    progress_->setValue(ok ? 1 : 0);
    remaining_->clear();
    if (ok)
        showMessage(QString("Calibrated %1 in %2 s.").arg(method_).arg(seconds, 0, 'f', 0), false);
    else if (exitCode == 130)
        showMessage("Calibration cancelled; the finished evaluations are kept (Calibrate again continues).", false);
    else
        showMessage("Calibration failed: " + (lastError_.isEmpty() ? QString("exit code %1").arg(exitCode) : lastError_), true);
    Q_EMIT finished(ok);
}

void CalibrationPanel::showMessage(const QString& text, bool error) {
    message_->setText(text);
    message_->setStyleSheet(error ? "color: #b00020;" : QString());
}

}  // namespace tp::ui
