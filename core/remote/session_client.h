#pragma once
// The client half of detached sessions (protocol 4, docs/remote-devices.md): start a job as a
// session on the device, then follow it — attach from the last sequence number seen, and when the
// link drops or freezes, reconnect with backoff and attach again, so every journaled point arrives
// exactly once whatever happens to the link.
#include <atomic>
#include <functional>
#include <string>

#include <nlohmann/json.hpp>

#include "core/remote/agent_connection.h"

namespace tp::remote {

inline constexpr int kSessionsProtocol = 4;

// Failures an outage explains (the device rebooting, Wi-Fi gone): a session is worth another try.
// Host-key, authentication, missing-agent and protocol failures never are.
bool is_outage(ConnectionFailure kind);

// Throws ConnectionError(Upgrade) naming the device and the versions when the agent is older than
// protocol 4: "upgrade the agent, or use --no-detach".
void require_sessions(const AgentConnection& connection);

// Starts `cmd` with `fields` as a session; returns its id.
std::string start_session(AgentConnection& connection, const std::string& cmd, const nlohmann::json& fields);

struct FollowOptions {
    long long from = 0;            // the last sequence number already seen
    double heartbeat_s = 5;        // both ways; the link is given up after 3 silent periods + 2 s
    double give_up_after_s = 900;  // an outage longer than this ends the follow (the session goes on)
};

struct FollowOutcome {
    nlohmann::json result;  // the job's result (from its `done`)
    bool detached = false;  // interrupted (Ctrl-C) or the outage lasted too long: the session goes on
    long long last_seq = 0;
    int reattached = 0;     // how many times the link was re-established
};

using LinkNotice = std::function<void(const std::string& what, double wait_s)>;

// Attaches to session `id` on the device and follows it to its end. Events other than heartbeats
// go to `on_event`, each once (by seq). `options.from` is kept current. A job that ended in an
// error throws AgentRequestError with the job's code; a session whose worker died throws
// AgentRequestError("session_died"); host-key, authentication and missing-agent failures throw
// ConnectionError at once.
FollowOutcome follow_session(const ConnectOptions& target, const std::string& id, FollowOptions& options,
                             const EventHandler& on_event, const std::atomic<bool>* interrupt, const LinkNotice& on_link);

}  // namespace tp::remote
