#include "ui/agent_client.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QJsonDocument>
#include <QTimer>

#include "core/agent/client_protocol.h"
#include "core/remote/agent_connection.h"

namespace tp::ui {
namespace {
constexpr int kStderrKeep = 16 * 1024;
// Agents of protocol 2 send a sweep's whole profile in one line; from 3 on lines stay under
// agent::kClientMaxLineBytes (longer events come in chunks).
constexpr int kMaxLine = 512 * 1024 * 1024;
const char* const kHelloId = "hello";

// Events reach the widgets as QJsonObject (their existing API); the parsing itself is core's.
QJsonObject to_qjson(const nlohmann::json& event) {
    return QJsonDocument::fromJson(QByteArray::fromStdString(event.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)))
        .object();
}

nlohmann::json from_qjson(const QJsonObject& fields) {
    return nlohmann::json::parse(QJsonDocument(fields).toJson(QJsonDocument::Compact).toStdString(), nullptr, false);
}
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

void AgentClient::setDevice(const remote::ConnectOptions& options) {
    remote::ConnectOptions o = options;
    if (o.local_agent.empty()) o.local_agent = defaultProgram().toStdString();
    const remote::DeviceEntry& device = o.device;
    const std::vector<std::string> argv = remote::agent_argv(o);
    QStringList args;
    for (std::size_t i = 1; i < argv.size(); ++i) args << QString::fromStdString(argv[i]);
    setCommand(QString::fromStdString(argv[0]), args);
    environment_ = QProcessEnvironment::systemEnvironment();
    const auto extra = device.is_local()   ? device.env
                       : device.is_slurm() ? remote::slurm_tool_environment(device, o.slurm, o.ssh)
                                           : remote::ssh_environment(o.ssh);
    for (const auto& [key, value] : extra) environment_.insert(QString::fromStdString(key), QString::fromStdString(value));
    deviceName_ = QString::fromStdString(device.name);
    device_ = device;
}

void AgentClient::ensureStarted() {
    if (process_.state() != QProcess::NotRunning) return;
    buffer_.clear();
    stderr_.clear();
    stopping_ = false;
    handshakeDone_ = false;
    noise_.clear();
    hello_ = nlohmann::json();
    chunks_ = agent::ChunkAssembler();
    nonce_ = agent::new_nonce();
    process_.setProcessEnvironment(environment_);
    process_.start(program_, arguments_, QIODevice::ReadWrite);
    // The handshake goes first; requests written after it queue behind it in the agent.
    process_.write(QByteArray::fromStdString(agent::hello_line(kHelloId, nonce_)));
}

int AgentClient::request(const QString& cmd, const QJsonObject& fields) {
    const int id = nextId_++;
    pending_.insert(id);
    ensureStarted();
    if (handshakeDone_) writeRequest(id, cmd.toStdString(), from_qjson(fields));
    else held_.emplace_back(id, cmd.toStdString(), from_qjson(fields));
    return id;
}

void AgentClient::writeRequest(int id, const std::string& cmd, const nlohmann::json& fields) {
    const int protocol = hello_.is_object() ? hello_.value("protocol", 0) : 0;
    process_.write(QByteArray::fromStdString(agent::job_request_line(id, cmd, fields, protocol)));
}

void AgentClient::flushHeldRequests() {
    auto held = std::move(held_);
    held_.clear();
    for (auto& [id, cmd, fields] : held)
        if (pending_.contains(id)) writeRequest(id, cmd, fields);
}

void AgentClient::cancel(int id) {
    if (!pending_.contains(id) || process_.state() == QProcess::NotRunning) return;
    process_.write(QByteArray::fromStdString(agent::request_line(nextId_++, "cancel", {{"target", id}})));
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

void AgentClient::onHandshakeLine(const std::string& line) {
    const std::string where = deviceName_ == QLatin1String("local") ? program_.toStdString()
                                                                    : "on device '" + deviceName_.toStdString() + "'";
    agent::HelloOutcome h = agent::check_hello_line(line, kHelloId, nonce_, where);
    switch (h.kind) {
        case agent::HelloOutcome::Kind::NotYet:
            // rc-file noise or a MOTD before the agent starts; kept for the message if it never does
            if (noise_.size() < 5) noise_ << QString::fromStdString(line).left(200);
            return;
        case agent::HelloOutcome::Kind::Ready:
            hello_ = std::move(h.result);
            handshakeDone_ = true;
            flushHeldRequests();
            Q_EMIT ready();
            return;
        case agent::HelloOutcome::Kind::Upgrade:
        case agent::HelloOutcome::Kind::Failed:
            handshakeDone_ = true;
            held_.clear();
            Q_EMIT agentError(QString::fromStdString(h.message));
            failPending(QString::fromStdString(h.message));
            return;
    }
}

void AgentClient::onLine(const QByteArray& line) {
    const std::string text = line.toStdString();
    if (!handshakeDone_) return onHandshakeLine(text);
    const std::optional<nlohmann::json> event = agent::parse_event(text);
    if (!event) {
        Q_EMIT agentError(tr("the agent sent a line that is not a protocol event: %1").arg(QString::fromUtf8(line.left(200))));
        return;
    }
    if ((*event)["event"] == "chunk") {  // a long event in pieces (protocol 3): handled once whole
        std::optional<std::string> whole;
        try {
            whole = chunks_.feed(*event);
        } catch (const std::exception& e) {
            Q_EMIT agentError(tr("the agent sent a broken chunked event: %1").arg(QString::fromStdString(e.what())));
            return;
        }
        if (whole) onLine(QByteArray::fromStdString(*whole));
        return;
    }
    const nlohmann::json& rawId = (*event)["id"];
    const int id = rawId.is_number_integer() ? rawId.get<int>() : -1;
    const QString name = QString::fromStdString((*event)["event"].get<std::string>());
    const QJsonObject ev = to_qjson(*event);
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
    QString full;
    if (!device_.is_local() && status != QProcess::CrashExit) {
        // ssh's 255 is a connection failure, 127 a missing agent: core says which, in words.
        const remote::ConnectionError error =
            remote::classify_exit(exitCode, stderr_.toStdString(), handshakeDone_, remote::describe_target(device_),
                                  device_.agent, true, remote::known_hosts_file(device_), remote::known_hosts_name(device_));
        lastFailure_ = error.kind;
        full = QString::fromStdString(error.what());
    } else {
        lastFailure_ = remote::ConnectionFailure::AgentExited;
        const QString message = status == QProcess::CrashExit
                                    ? tr("the agent (%1) crashed").arg(program_)
                                    : tr("the agent (%1) exited with code %2").arg(program_).arg(exitCode);
        full = tail.isEmpty() ? message : message + ": " + tail;
    }
    if (!handshakeDone_ && !noise_.isEmpty())
        full += tr(" before answering hello; it printed instead: '%1'").arg(noise_.join(" / "));
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
