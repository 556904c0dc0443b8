#pragma once
#include <QElapsedTimer>
#include <QJsonObject>
#include <QObject>
#include <QPointer>
#include <QTimer>

#include "core/remote/agent_connection.h"

namespace tp::ui {

class AgentClient;

// A job on a device as a detached session (protocol 4, docs/remote-devices.md), for the studio:
// starts it (or attaches to one it started before a restart), follows it, and when the link drops
// or freezes reconnects by itself with backoff (1, 2, 4 … 15 s, for up to 15 minutes) and attaches
// again from the last record it has, saying "link lost, session still running" meanwhile. Every
// journaled event is delivered once. Sessions it starts are remembered (core/remote/
// remembered_sessions.h) until their result arrives. An agent older than protocol 4 runs the job
// on the connection instead (fellBack()).
class SessionFollower : public QObject {
    Q_OBJECT
public:
    SessionFollower(const remote::ConnectOptions& target, QObject* parent = nullptr);
    ~SessionFollower() override;

    void start(const QString& cmd, const QJsonObject& fields);
    void attach(const QString& sessionId, long long from = 0);
    // Stops the session (a sweep keeps its points; the result still arrives through finished()).
    void cancel();
    // Stops following; the session goes on.
    void detach();

    QString sessionId() const { return id_; }
    long long lastSeq() const { return seq_; }
    void setHeartbeatSeconds(double s) { heartbeatS_ = s; }
    void setGiveUpSeconds(double s) { giveUpS_ = s; }
    int reattachCount() const { return reattached_; }

Q_SIGNALS:
    void sessionStarted(const QString& id);
    // point, progress, warning, ... (heartbeats and `attached` are not passed on).
    void eventReceived(const QString& name, const QJsonObject& event);
    // "link lost, session still running; reconnecting in 4 s", "attached again", ...
    void linkChanged(const QString& state, bool linkUp);
    void fellBack();
    // The job's final event: ok with {"result":...}, or its error; also when following ends for good.
    void finished(bool ok, const QJsonObject& event);

private:
    void newClient();
    void onHelloDone(bool ok, const QJsonObject& event);
    void sendAttach();
    void onEvent(int id, const QString& name, const QJsonObject& event);
    void onFinished(int id, bool ok, const QJsonObject& event);
    void linkLost(const QString& why);
    void tick();
    void finish(bool ok, const QJsonObject& event);

    remote::ConnectOptions target_;
    QPointer<AgentClient> client_;
    QString cmd_, id_;
    QJsonObject fields_;
    long long seq_ = 0;
    int helloId_ = -1, startId_ = -1, attachId_ = -1, jobId_ = -1;
    bool attached_ = false, done_ = false, cancelWanted_ = false, everConnected_ = false;
    double heartbeatS_ = 5, giveUpS_ = 900, waitS_ = 1;
    int reattached_ = 0;
    QTimer heartbeat_;
    QElapsedTimer lastHeard_, outage_, lastBeat_;
};

}  // namespace tp::ui
