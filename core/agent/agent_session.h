#pragma once
#include <atomic>
#include <functional>
#include <stdexcept>
#include <string>

#include <nlohmann/json.hpp>

#include "core/agent/event_chunks.h"
#include "core/agent/protocol.h"
#include "core/agent/protocol_stream.h"

namespace tp::agent {

// What a running job may report. Every event carries the job's id.
class JobContext {
public:
    // `max_line_bytes` (0: no limit) is the longest line the client takes: longer events go out as
    // chunk events (event_chunks.h).
    JobContext(ProtocolWriter& writer, nlohmann::json id, const std::atomic<bool>& cancelled,
               std::size_t max_line_bytes = 0)
        : writer_(writer), id_(std::move(id)), cancelled_(cancelled), max_line_bytes_(max_line_bytes) {}
    const nlohmann::json& id() const { return id_; }
    // Cancelled by a request, by end of input, or because nobody reads the answers any more.
    bool cancelled() const { return cancelled_.load() || writer_.broken(); }
    const std::atomic<bool>& cancel_flag() const { return cancelled_; }  // for APIs that poll a flag
    void progress(const nlohmann::json& fields) { send(make_event(id_, "progress", fields)); }
    void point(const nlohmann::json& fields) { send(make_event(id_, "point", fields)); }
    void event(const std::string& name, const nlohmann::json& fields) { send(make_event(id_, name, fields)); }
    void warning(const std::string& code, const std::string& message) {
        send(make_event(id_, "warning", {{"code", code}, {"message", message}}));
    }
    void send(const nlohmann::json& event) {
        for (const auto& line : split_event(event, max_line_bytes_)) writer_.write(line);
    }

private:
    ProtocolWriter& writer_;
    nlohmann::json id_;
    const std::atomic<bool>& cancelled_;
    std::size_t max_line_bytes_;
};

// Serves the commands that do work. Runs on the session's worker thread, one job at a time.
// run() returns the `result` of the job's `done` event; it throws tp::FormatError or
// std::invalid_argument for a bad request (error code bad_request), JobUnavailable when the
// build cannot do it (code unavailable), anything else for a failure (code failed).
class JobHandler {
public:
    virtual ~JobHandler() = default;
    virtual nlohmann::json hello() = 0;  // cheap: answered on the reader thread, even while busy
    virtual nlohmann::json run(const Request& request, JobContext& context) = 0;
};

struct JobUnavailable : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// A job that ends with an error of its own code (a detached session's journaled error, a session
// whose worker died): the error event carries `code`.
struct JobFailed : std::runtime_error {
    JobFailed(std::string code, const std::string& message) : std::runtime_error(message), code(std::move(code)) {}
    std::string code;
};

// Runs `body` and turns what it returns into the `done` event of request `id`, or what it throws
// into the `error` event: FormatError/invalid_argument -> bad_request, JobUnavailable ->
// unavailable, JobFailed -> its code, anything else -> failed. Never throws.
nlohmann::json final_event(const nlohmann::json& id, const std::function<nlohmann::json()>& body);

// Answers the detached-session commands (session_relay.h); null: the agent has no sessions.
class SessionCommands {
public:
    virtual ~SessionCommands() = default;
    virtual bool answers_at_once(const std::string& cmd) const = 0;  // quick: answered on the reader thread
    virtual bool is_job(const std::string& cmd) const = 0;           // long: queued like a job
    virtual nlohmann::json answer(const Request& request) = 0;       // for answers_at_once
    virtual nlohmann::json run(const Request& request, JobContext& context) = 0;  // for is_job
    virtual void input_seen() = 0;  // every request line from the client (for the relay's watchdog)
};

// Reads requests from `in_fd` until end of input (or `stop`), answers them on `writer`.
// hello and cancel are answered at once; profile/measure/evaluate queue and run in order on a
// worker thread. End of input or `stop` cancels the running job (it still sends its `done` with
// the points it finished), answers queued jobs with error "cancelled", then returns 0.
int run_agent_session(int in_fd, ProtocolWriter& writer, JobHandler& handler, const std::atomic<bool>& stop,
                      SessionCommands* sessions = nullptr);

}  // namespace tp::agent
