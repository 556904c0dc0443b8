#include "ui/editor/relevel_runner.h"

#include <csignal>

namespace tp::ui {

RelevelRunner::RelevelRunner(QObject* parent) : QObject(parent) {
    process_.setProcessChannelMode(QProcess::SeparateChannels);
    connect(&process_, &QProcess::readyReadStandardError, this, [this] {
        stderr_ += QString::fromUtf8(process_.readAllStandardError());
        const QStringList lines = stderr_.split('\n', Qt::SkipEmptyParts);
        if (!lines.isEmpty()) Q_EMIT progress(lines.back().trimmed());
    });
    connect(&process_, &QProcess::readyReadStandardOutput, this,
            [this] { stdout_ += QString::fromUtf8(process_.readAllStandardOutput()); });
    connect(&process_, &QProcess::finished, this, [this](int code, QProcess::ExitStatus status) {
        stdout_ += QString::fromUtf8(process_.readAllStandardOutput());
        stderr_ += QString::fromUtf8(process_.readAllStandardError());
        const bool ok = status == QProcess::NormalExit && code == 0 && !cancelled_;
        QString summary;
        if (ok) {
            const QStringList lines = stdout_.split('\n', Qt::SkipEmptyParts);
            summary = lines.isEmpty() ? QString("re-levelled") : lines.front().trimmed();
            for (const QString& line : lines)  // "the machine never held its level": worth seeing
                if (line.startsWith("warning:")) summary += "\n" + line.trimmed();
        } else if (cancelled_) {
            summary = "re-level cancelled: nothing was written";
        } else {
            QStringList errors;
            for (const QString& line : stderr_.split('\n', Qt::SkipEmptyParts))
                if (line.startsWith("error:")) errors << line.trimmed();
            summary = errors.isEmpty() ? "re-level failed (exit " + QString::number(code) + ")" : errors.join(' ');
        }
        Q_EMIT finished(ok, summary);
    });
    connect(&process_, &QProcess::errorOccurred, this, [this](QProcess::ProcessError error) {
        if (error == QProcess::FailedToStart) Q_EMIT finished(false, "cannot start " + process_.program() + ": " + process_.errorString());
    });
}

RelevelRunner::~RelevelRunner() {
    if (running()) {
        process_.kill();
        process_.waitForFinished(2000);
    }
}

void RelevelRunner::start(const QString& program, const QString& profileFile) {
    if (running()) return;
    stdout_.clear();
    stderr_.clear();
    cancelled_ = false;
    process_.start(program, {"calibrate-latency", "--profile", profileFile});
}

void RelevelRunner::cancel() {
    if (!running()) return;
    cancelled_ = true;
    ::kill(static_cast<pid_t>(process_.processId()), SIGINT);  // the CLI stops and writes nothing
}

}  // namespace tp::ui
