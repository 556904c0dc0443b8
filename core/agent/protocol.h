#pragma once
#include <string>
#include <variant>

#include <nlohmann/json.hpp>

#include "core/util/input_limits.h"

namespace tp::agent {

// The agent's JSON-lines protocol (docs/agent-protocol.md). One JSON object per line each way.
// Version 2 added the hello nonce, `describe`, evaluate's seed/data_dir/threads/dtype/method and
// profile's checkpoint events; an agent answers requests of any version from kOldestProtocol up.
// Version 3 added a request's "max_line_bytes" and the `chunk` event (event_chunks.h).
// Version 4 added detached sessions (session_* commands, the `attached` and `heartbeat` events,
// the `heartbeat` command; docs/agent-protocol.md).
// Version 5 added the board's clock state (issue 22): `clock_state`, `clocks` (lock | unlock, through
// sudo -n), hello's "board" field, the points' devfreq fields and the profile's clock_flags.
inline constexpr int kProtocolVersion = 5;
inline constexpr int kClockProtocol = 5;  // the oldest agent that knows clock_state and clocks
inline constexpr int kOldestProtocol = 1;
inline constexpr std::size_t kMaxNonceBytes = 128;
inline constexpr std::size_t kMaxQueuedJobs = limits::kQueuedJobs;  // more are answered with error "busy"
inline constexpr std::size_t kMaxLineBytes = limits::kProtocolLineBytes;

// A request as read from one line: the id (string or number, echoed verbatim in every event),
// the command and the whole object (commands read their own fields; unknown fields are ignored).
struct Request {
    nlohmann::json id;
    std::string cmd;
    nlohmann::json body;
};

// A line that cannot be served: answered with one `error` event (id null when unknown).
struct ProtocolError {
    nlohmann::json id;
    std::string code;     // parse | bad_request | unknown_command | unsupported_version | ...
    std::string message;
};

const char* const kCommands[] = {"hello",          "profile",        "measure",       "evaluate",
                                 "describe",       "cancel",         "heartbeat",     "session_start",
                                 "session_attach", "session_list",   "session_cancel", "session_fetch",
                                 "session_resume", "session_clean",  "clock_state",   "clocks",
                                 "session_slurm_job"};
bool is_known_command(const std::string& cmd);

// Parses one line (without its newline). Blank lines are ProtocolError with code "empty"
// (the session skips them silently).
std::variant<Request, ProtocolError> parse_request(const std::string& line);

// Events: {"v":1, "id":..., "event":..., ...fields}.
nlohmann::json make_event(const nlohmann::json& id, const std::string& event,
                          const nlohmann::json& fields = nlohmann::json::object());
nlohmann::json make_error(const nlohmann::json& id, const std::string& code, const std::string& message);
nlohmann::json make_error(const ProtocolError& error);

// One protocol line: compact JSON, invalid UTF-8 replaced (a path or a library message must not
// make the agent throw while reporting), then '\n'.
std::string to_line(const nlohmann::json& event);

}  // namespace tp::agent
