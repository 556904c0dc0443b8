#pragma once
// The detached-session commands of `tailprune agent` (protocol 4, docs/agent-protocol.md). The
// agent a client reaches over ssh is only a relay: it starts workers (session_worker.h), lists,
// cancels, resumes and cleans sessions, and streams a session's journal, then its live events,
// to an attached client. Nothing of value lives in the relay: when the link drops it may die; the
// worker carries on and the client attaches again from the last sequence number it has.
#include <atomic>
#include <chrono>
#include <string>
#include <thread>

#include "core/agent/agent_session.h"

namespace tp::agent {

class SessionRelay : public SessionCommands {
public:
    // `worker_executable`: the `tailprune` that runs `session-worker DIR`.
    explicit SessionRelay(std::string worker_executable);
    ~SessionRelay() override;

    bool answers_at_once(const std::string& cmd) const override;
    bool is_job(const std::string& cmd) const override;
    nlohmann::json answer(const Request& request) override;
    nlohmann::json run(const Request& request, JobContext& context) override;
    void input_seen() override;

private:
    nlohmann::json start(const Request& request);
    nlohmann::json resume(const Request& request);
    nlohmann::json list() const;
    nlohmann::json cancel(const Request& request);
    nlohmann::json clean(const Request& request);
    nlohmann::json note_slurm_job(const Request& request);
    nlohmann::json attach(const Request& request, JobContext& context);
    nlohmann::json fetch(const Request& request);
    // Starts a worker on `dir` (setsid, or systemd-run --user where the user lingers) and waits
    // until it runs (or has already ended).
    void spawn_worker(const std::string& dir);
    void watchdog();

    std::string executable_;
    // Client heartbeats: once an attached client said it sends them, a relay that hears nothing
    // for 4 periods ends itself (a frozen link would otherwise leave it blocked on a full pipe).
    std::atomic<long long> last_input_ms_;
    std::atomic<double> heartbeat_s_{0};
    std::atomic<bool> stopping_{false};
    std::thread watchdog_;
};

// The sessions a relay lists: newest first, each {"id","cmd","status","started","ended","last_seq",
// "pid","message","progress","model"}.
nlohmann::json list_sessions_json();

}  // namespace tp::agent
