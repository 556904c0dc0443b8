#pragma once
// Drives the real `tailprune agent` through pipes: send requests, collect events by id, with a
// deadline on every wait so a hang fails the test instead of blocking CI.
#include <QElapsedTimer>
#include <QProcess>
#include <QtTest>

#include <nlohmann/json.hpp>

class AgentProcess {
public:
    AgentProcess() {
        process_.setProgram(QString::fromLocal8Bit(qgetenv("TAILPRUNE_CLI")));
        process_.setArguments({"agent"});
        process_.setProcessChannelMode(QProcess::SeparateChannels);
    }
    ~AgentProcess() {
        if (process_.state() != QProcess::NotRunning) {
            process_.kill();
            process_.waitForFinished(5000);
        }
    }
    bool start() {
        process_.start();
        return process_.waitForStarted(10000);
    }
    void send(const std::string& line) {
        process_.write(QByteArray::fromStdString(line + "\n"));
        process_.waitForBytesWritten(5000);
    }
    void send(const nlohmann::json& request) { send(request.dump()); }
    void close_input() { process_.closeWriteChannel(); }

    // Next event (any id); empty json on timeout. Every stdout line must be a JSON object.
    nlohmann::json next(int timeout_ms = 20000) {
        QElapsedTimer t;
        t.start();
        while (!process_.canReadLine()) {
            int left = timeout_ms - static_cast<int>(t.elapsed());
            if (left <= 0 || (process_.state() == QProcess::NotRunning && !process_.canReadLine())) return {};
            process_.waitForReadyRead(std::min(left, 200));
        }
        QByteArray line = process_.readLine();
        nlohmann::json event = nlohmann::json::parse(line.toStdString(), nullptr, false);
        if (event.is_discarded() || !event.is_object()) {
            bad_lines_.push_back(line.toStdString());
            return nlohmann::json::object({{"event", "NOT-JSON"}, {"line", line.toStdString()}});
        }
        events_.push_back(event);
        return event;
    }
    // Events until the terminal (done/error) one for `id`.
    std::vector<nlohmann::json> until_final(const nlohmann::json& id, int timeout_ms = 30000) {
        std::vector<nlohmann::json> out;
        QElapsedTimer t;
        t.start();
        while (t.elapsed() < timeout_ms) {
            nlohmann::json e = next(timeout_ms - static_cast<int>(t.elapsed()));
            if (e.is_null()) break;
            if (e.value("id", nlohmann::json()) != id) {
                others_.push_back(e);
                continue;
            }
            out.push_back(e);
            if (e["event"] == "done" || e["event"] == "error") return out;
        }
        return out;
    }
    bool finished(int timeout_ms) { return process_.state() == QProcess::NotRunning || process_.waitForFinished(timeout_ms); }
    int exit_code() const { return process_.exitCode(); }
    QProcess::ExitStatus exit_status() const { return process_.exitStatus(); }
    const std::vector<std::string>& bad_lines() const { return bad_lines_; }
    std::vector<nlohmann::json>& others() { return others_; }
    QProcess& process() { return process_; }

private:
    QProcess process_;
    std::vector<nlohmann::json> events_, others_;
    std::vector<std::string> bad_lines_;
};

inline nlohmann::json tiny_profile(const nlohmann::json& id, const std::string& tokens, double min_time = 0) {
    return {{"v", 1},          {"id", id},        {"cmd", "profile"}, {"model", "deit_tiny"},
            {"tokens", tokens}, {"rounds", 2},     {"warmup", 1},      {"chunk", 4},
            {"stopping", {{"min_samples", 3}, {"min_time_s", min_time}, {"target_rel_noise", 0.5}, {"timeout_s", 5}}}};
}
