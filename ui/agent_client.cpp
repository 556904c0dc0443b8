#include "ui/agent_client.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QJsonDocument>
#include <QProcessEnvironment>
#include <QTimer>

namespace tp::ui {
namespace {
constexpr int kStderrKeep = 16 * 1024;
constexpr int kMaxLine = 8 * 1024 * 1024;  // above the agent's own 4 MiB line limit
}  // namespace

AgentClient::AgentClient(QObject* parent) : QObject(parent) {
    program_ = defaultProgram();
    arguments_ = {QStringLiteral("agent")};
    process_.setProcessChannelMode(QProcess::SeparateChannels);
    connect(&process_, &QProcess::readyReadStandardOutput, this, &AgentClient::onStdout);
    connect(&process_, &QProcess::readyReadStandardError, this, [this] {
        stderr_ += process_.readAllStandardError();
        if (stderr_.size() > kStderrKeep) stderr_ = stderr_.right(kStderrKeep);
    });
    connect(&process_, &QProcess::finished, this, &AgentClient::onFinished);
    connect(&process_, &QProcess::errorOccurred, this, &AgentClient::onProcessError);
    connect(&process_, &QProcess::started, this, &AgentClient::started);
}

AgentClient::~AgentClient() {
    if (process_.state() != QProcess::NotRunning) {
        disconnect(&process_, nullptr, this, nullptr);
        process_.closeWriteChannel();
        if (!process_.waitForFinished(1500)) {
            process_.kill();
            process_.waitForFinished(1000);
        }
    }
}

QString AgentClient::defaultProgram() {
    const QString env = QProcessEnvironment::systemEnvironment().value(QStringLiteral("TAILPRUNE_CLI"));
    if (!env.isEmpty()) return env;
    return QDir(QCoreApplication::applicationDirPath()).filePath(QStringLiteral("tailprune"));
}

void AgentClient::setCommand(const QString& program, const QStringList& arguments) {
    program_ = program;
    arguments_ = arguments;
}

void AgentClient::ensureStarted() {
    if (process_.state() != QProcess::NotRunning) return;
    buffer_.clear();
    stderr_.clear();
    stopping_ = false;
    process_.start(program_, arguments_, QIODevice::ReadWrite);
}

int AgentClient::request(const QString& cmd, const QJsonObject& fields) {
    const int id = nextId_++;
    QJsonObject req = fields;
    req.insert(QStringLiteral("v"), 1);
    req.insert(QStringLiteral("id"), id);
    req.insert(QStringLiteral("cmd"), cmd);
    pending_.insert(id);
    ensureStarted();
    // QProcess buffers writes made before the process is up and flushes them once it has started.
    process_.write(QJsonDocument(req).toJson(QJsonDocument::Compact) + '\n');
    return id;
}

void AgentClient::cancel(int id) {
    if (!pending_.contains(id) || process_.state() == QProcess::NotRunning) return;
    QJsonObject req{{"v", 1}, {"id", nextId_++}, {"cmd", "cancel"}, {"target", id}};
    process_.write(QJsonDocument(req).toJson(QJsonDocument::Compact) + '\n');
}

void AgentClient::stop(int graceMs) {
    if (process_.state() == QProcess::NotRunning) return;
    stopping_ = true;
    process_.closeWriteChannel();
    QTimer::singleShot(graceMs, this, [this] {
        if (stopping_ && process_.state() != QProcess::NotRunning) process_.kill();
    });
}

void AgentClient::onStdout() {
    buffer_ += process_.readAllStandardOutput();
    int nl;
    while ((nl = buffer_.indexOf('\n')) >= 0) {
        const QByteArray line = buffer_.left(nl);
        buffer_.remove(0, nl + 1);
        if (!line.trimmed().isEmpty()) onLine(line);
    }
    if (buffer_.size() > kMaxLine) {
        buffer_.clear();
        Q_EMIT agentError(tr("the agent sent a line longer than %1 bytes; it was dropped").arg(kMaxLine));
    }
}

void AgentClient::onLine(const QByteArray& line) {
    QJsonParseError err;
    const QJsonDocument doc = QJsonDocument::fromJson(line, &err);
    if (err.error != QJsonParseError::NoError || !doc.isObject()) {
        Q_EMIT agentError(tr("the agent sent a line that is not a JSON object (%1): %2")
                              .arg(err.errorString(), QString::fromUtf8(line.left(200))));
        return;
    }
    const QJsonObject ev = doc.object();
    const int id = ev.value(QStringLiteral("id")).toInt(-1);
    const QString name = ev.value(QStringLiteral("event")).toString();
    Q_EMIT eventReceived(id, name, ev);
    if ((name == QLatin1String("done") || name == QLatin1String("error")) && pending_.remove(id))
        Q_EMIT requestFinished(id, name == QLatin1String("done"), ev);
    else if (name == QLatin1String("error") && id < 0)
        Q_EMIT agentError(tr("agent: %1").arg(ev.value(QStringLiteral("message")).toString()));
}

void AgentClient::failPending(const QString& message) {
    const QSet<int> ids = pending_;
    pending_.clear();
    for (int id : ids)
        Q_EMIT requestFinished(id, false, QJsonObject{{"event", "error"}, {"id", id}, {"code", "agent_exited"},
                                                      {"message", message}});
}

void AgentClient::onFinished(int exitCode, QProcess::ExitStatus status) {
    stopping_ = false;
    if (!buffer_.trimmed().isEmpty()) onLine(buffer_);  // a last line without newline
    buffer_.clear();
    if (pending_.isEmpty()) return;
    QString tail = QString::fromUtf8(stderr_).trimmed();
    if (tail.size() > 600) tail = "…" + tail.right(600);
    const QString message = status == QProcess::CrashExit
                                ? tr("the agent (%1) crashed").arg(program_)
                                : tr("the agent (%1) exited with code %2").arg(program_).arg(exitCode);
    const QString full = tail.isEmpty() ? message : message + ": " + tail;
    failPending(full);
    Q_EMIT agentError(full);
}

void AgentClient::onProcessError(QProcess::ProcessError error) {
    if (error != QProcess::FailedToStart) return;  // crashes are reported by onFinished
    const QString message =
        tr("could not start the agent '%1' (%2); build `tailprune` or set TAILPRUNE_CLI to its path")
            .arg(program_, process_.errorString());
    failPending(message);
    Q_EMIT agentError(message);
}

}  // namespace tp::ui
