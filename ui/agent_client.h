#pragma once
#include <tuple>
#include <vector>
#include <QByteArray>
#include <QJsonObject>
#include <QObject>
#include <QProcess>
#include <QProcessEnvironment>
#include <QSet>
#include <QStringList>

#include <nlohmann/json.hpp>

#include "core/agent/event_chunks.h"
#include "core/remote/agent_connection.h"

namespace tp::ui {

// A thin Qt transport for the agent protocol's client half (core/agent/client_protocol.h): a QProcess
// running the local agent, or OpenSSH to a device (same argv as the CLI's `--on`). Request lines,
// event parsing and the hello handshake (nonce, noise before it skipped, "upgrade the agent") are
// core's; this class only moves bytes and turns events into signals. Requests carry an integer id,
// every event echoes it. The process is started on the first request and kept for later ones;
// stderr is kept (tail) for error messages. Never blocks the GUI thread.
class AgentClient : public QObject {
    Q_OBJECT
public:
    explicit AgentClient(QObject* parent = nullptr);
    ~AgentClient() override;

    // $TAILPRUNE_CLI, else `tailprune` next to the running executable.
    static QString defaultProgram();
    // Program and arguments (argv, never a shell line). Default: defaultProgram() ["agent"].
    void setCommand(const QString& program, const QStringList& arguments);
    // Runs the agent on `options.device` (local, or ssh with the options' askpass / BatchMode).
    void setDevice(const remote::ConnectOptions& options);
    QString deviceName() const { return deviceName_; }
    // The agent's hello result once the handshake is done (empty before).
    const nlohmann::json& hello() const { return hello_; }
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
    // Why the agent's process ended the last time it ended unasked (a dropped link, a refused
    // host key, ...): a session follower retries only outages.
    remote::ConnectionFailure lastFailure() const { return lastFailure_; }

Q_SIGNALS:
    void started();
    // The agent answered the handshake (hello with our nonce).
    void ready();
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
    void onHandshakeLine(const std::string& line);
    void onFinished(int exitCode, QProcess::ExitStatus status);
    void onProcessError(QProcess::ProcessError error);
    void failPending(const QString& message);
    void writeRequest(int id, const std::string& cmd, const nlohmann::json& fields);
    void flushHeldRequests();

    QProcess process_;
    QString program_;
    QStringList arguments_;
    QString deviceName_ = QStringLiteral("local");
    remote::DeviceEntry device_ = remote::local_device();
    QProcessEnvironment environment_ = QProcessEnvironment::systemEnvironment();
    std::string nonce_;
    nlohmann::json hello_;
    bool handshakeDone_ = false;
    QStringList noise_;  // lines before the handshake (rc files; or a program that is not our agent)
    QByteArray buffer_;
    QByteArray stderr_;
    remote::ConnectionFailure lastFailure_ = remote::ConnectionFailure::Other;
    QSet<int> pending_;
    // Requests made before the hello answer: written once the agent's protocol is known (from 3 on
    // they ask for long events in chunks, which an older agent would refuse as an unknown field).
    std::vector<std::tuple<int, std::string, nlohmann::json>> held_;
    agent::ChunkAssembler chunks_;
    int nextId_ = 1;
    bool stopping_ = false;
};

}  // namespace tp::ui
