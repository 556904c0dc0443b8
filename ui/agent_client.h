#pragma once
#include <QByteArray>
#include <QJsonObject>
#include <QObject>
#include <QProcess>
#include <QSet>
#include <QStringList>

namespace tp::ui {

// Client of the `tailprune agent` JSON-lines protocol (docs/agent-protocol.md) over a QProcess:
// requests carry an integer id, every event echoes it. The process is started on the first request
// and kept for later ones; stderr is kept (tail) for error messages. Never blocks the GUI thread.
class AgentClient : public QObject {
    Q_OBJECT
public:
    explicit AgentClient(QObject* parent = nullptr);
    ~AgentClient() override;

    // $TAILPRUNE_CLI, else `tailprune` next to the running executable.
    static QString defaultProgram();
    // Program and arguments (argv, never a shell line). Default: defaultProgram() ["agent"].
    void setCommand(const QString& program, const QStringList& arguments);
    QString program() const { return program_; }
    QStringList arguments() const { return arguments_; }

    bool isRunning() const { return process_.state() != QProcess::NotRunning; }
    // Sends a request (`fields` plus "v", "id", "cmd"); starts the agent when needed. Returns the id.
    int request(const QString& cmd, const QJsonObject& fields = {});
    // Asks the agent to stop request `id` (it answers with the request's final event).
    void cancel(int id);
    bool isPending(int id) const { return pending_.contains(id); }
    // Closes stdin and lets the agent exit; kills it if it has not after `graceMs`.
    void stop(int graceMs = 3000);
    QString stderrTail() const { return QString::fromUtf8(stderr_); }

Q_SIGNALS:
    void started();
    // Every event line, parsed: `name` is its "event" field.
    void eventReceived(int id, const QString& name, const QJsonObject& event);
    // The request ended: ok for "done", false for "error" (or when the agent died).
    void requestFinished(int id, bool ok, const QJsonObject& event);
    // Something went wrong with the agent itself (could not start, crashed, sent garbage).
    void agentError(const QString& message);

private:
    void ensureStarted();
    void onStdout();
    void onLine(const QByteArray& line);
    void onFinished(int exitCode, QProcess::ExitStatus status);
    void onProcessError(QProcess::ProcessError error);
    void failPending(const QString& message);

    QProcess process_;
    QString program_;
    QStringList arguments_;
    QByteArray buffer_;
    QByteArray stderr_;
    QSet<int> pending_;
    int nextId_ = 1;
    bool stopping_ = false;
};

}  // namespace tp::ui
