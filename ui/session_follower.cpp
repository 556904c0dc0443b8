#include "ui/session_follower.h"

#include <QDateTime>

#include "core/remote/remembered_sessions.h"
#include "core/remote/session_client.h"
#include "ui/agent_client.h"

namespace tp::ui {

SessionFollower::SessionFollower(const remote::ConnectOptions& target, QObject* parent) : QObject(parent), target_(target) {
    heartbeat_.setInterval(500);
    connect(&heartbeat_, &QTimer::timeout, this, &SessionFollower::tick);
}

SessionFollower::~SessionFollower() {
    if (client_) client_->stop(0);
}

void SessionFollower::newClient() {
    if (client_) {
        client_->disconnect(this);
        client_->stop(0);
        client_->deleteLater();
    }
    attached_ = false;
    // Request ids are per connection: the old connection's must not match the new one's.
    helloId_ = startId_ = attachId_ = jobId_ = -1;
    lastBeat_.invalidate();
    client_ = new AgentClient(this);
    client_->setDevice(target_);
    connect(client_, &AgentClient::eventReceived, this, &SessionFollower::onEvent);
    connect(client_, &AgentClient::requestFinished, this, &SessionFollower::onFinished);
    lastHeard_.start();
}

void SessionFollower::start(const QString& cmd, const QJsonObject& fields) {
    cmd_ = cmd;
    fields_ = fields;
    newClient();
    helloId_ = client_->request("hello");
}

void SessionFollower::attach(const QString& sessionId, long long from) {
    id_ = sessionId;
    seq_ = from;
    everConnected_ = true;
    newClient();
    sendAttach();
}

void SessionFollower::onHelloDone(bool ok, const QJsonObject& event) {
    if (!ok) return finish(false, event);
    const int protocol = client_->hello().is_object() ? client_->hello().value("protocol", 0) : 0;
    if (protocol < remote::kSessionsProtocol) {
        Q_EMIT fellBack();
        jobId_ = client_->request(cmd_, fields_);  // the old way: on this connection
        return;
    }
    QJsonObject job = fields_;
    job.insert("cmd", cmd_);
    startId_ = client_->request("session_start", QJsonObject{{"job", job}});
}

void SessionFollower::sendAttach() {
    attachId_ = client_->request("session_attach", QJsonObject{{"session", id_},
                                                              {"from", static_cast<qint64>(seq_)},
                                                              {"heartbeat_s", heartbeatS_}});
    heartbeat_.start();
    lastHeard_.start();
}

void SessionFollower::onEvent(int id, const QString& name, const QJsonObject& event) {
    lastHeard_.start();
    if (id == jobId_) return Q_EMIT eventReceived(name, event);
    if (id != attachId_) return;
    if (name == QLatin1String("attached")) {
        attached_ = true;
        everConnected_ = true;
        waitS_ = 1;
        if (outage_.isValid()) {
            ++reattached_;
            outage_.invalidate();
            Q_EMIT linkChanged(tr("attached again from record %1").arg(seq_), true);
        }
        if (cancelWanted_) cancel();
        return;
    }
    if (name == QLatin1String("heartbeat")) return;
    if (event.contains("seq")) {
        const long long seq = event.value("seq").toVariant().toLongLong();
        if (seq <= seq_) return;  // had it before the link dropped
        seq_ = seq;
    }
    Q_EMIT eventReceived(name, event);
}

void SessionFollower::onFinished(int id, bool ok, const QJsonObject& event) {
    lastHeard_.start();
    if (id == helloId_) return onHelloDone(ok, event);
    if (id == jobId_) return finish(ok, event);
    if (id == startId_) {
        if (!ok) return finish(false, event);
        id_ = event.value("result").toObject().value("session").toString();
        remote::remember_session({target_.device.name, id_.toStdString(), cmd_.toStdString(),
                                  QDateTime::currentDateTimeUtc().toString(Qt::ISODate).toStdString(), 0});
        Q_EMIT sessionStarted(id_);
        return sendAttach();
    }
    if (id != attachId_) return;
    if (ok) {
        if (event.value("result").toObject().value("detached").toBool()) return;
        return finish(true, event);
    }
    if (event.value("code").toString() == QLatin1String("agent_exited") && remote::is_outage(client_->lastFailure()))
        return linkLost(event.value("message").toString());
    finish(false, event);
}

void SessionFollower::tick() {
    if (done_ || !client_ || !attached_) return;
    const double silent = lastHeard_.elapsed() / 1000.0;
    if (silent > 3 * heartbeatS_ + 2) return linkLost(tr("no word from the agent for %1 s").arg(int(silent)));
    // A heartbeat every period tells the relay someone still listens.
    if (!lastBeat_.isValid() || lastBeat_.elapsed() >= heartbeatS_ * 1000) {
        client_->request("heartbeat");
        lastBeat_.start();
    }
}

void SessionFollower::linkLost(const QString& why) {
    if (done_) return;
    heartbeat_.stop();
    attached_ = false;
    if (client_) {
        client_->disconnect(this);
        client_->stop(0);
    }
    if (!outage_.isValid()) outage_.start();
    if (outage_.elapsed() / 1000.0 > giveUpS_) {
        return finish(false, QJsonObject{{"code", "detached"},
                                         {"message", tr("the link to %1 stayed down for %2 min (%3); the session goes on: "
                                                        "re-attach it later")
                                                         .arg(QString::fromStdString(target_.device.name))
                                                         .arg(int(giveUpS_ / 60))
                                                         .arg(why)}});
    }
    Q_EMIT linkChanged(tr("link lost, session still running (%1); reconnecting in %2 s").arg(why).arg(waitS_), false);
    QTimer::singleShot(int(waitS_ * 1000), this, [this] {
        if (done_) return;
        newClient();
        sendAttach();
    });
    waitS_ = std::min(waitS_ * 2, 15.0);
}

void SessionFollower::cancel() {
    if (done_) return;
    if (jobId_ >= 0 && client_) return client_->cancel(jobId_);
    cancelWanted_ = true;
    if (id_.isEmpty() || !client_ || !attached_) return;  // sent once attached
    client_->request("session_cancel", QJsonObject{{"session", id_}});
    cancelWanted_ = false;
}

void SessionFollower::detach() {
    done_ = true;
    heartbeat_.stop();
    if (client_) {
        client_->disconnect(this);
        client_->stop(0);
    }
}

void SessionFollower::finish(bool ok, const QJsonObject& event) {
    if (done_) return;
    done_ = true;
    heartbeat_.stop();
    // The result is here (or the job failed for good): nothing left to re-attach.
    const QString code = event.value("code").toString();
    if (!id_.isEmpty() && code != QLatin1String("detached") && code != QLatin1String("session_died"))
        remote::forget_session(target_.device.name, id_.toStdString());
    if (client_) {
        client_->disconnect(this);
        client_->stop();
    }
    Q_EMIT finished(ok, event);
}

}  // namespace tp::ui
