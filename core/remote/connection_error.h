#pragma once
#include <stdexcept>
#include <string>

namespace tp::remote {

// Why a device could not be reached or the link to it broke. Each kind has one clear message;
// only `LinkLost` (a link that dropped during work) is worth retrying.
enum class ConnectionFailure {
    Refused,          // nothing listens there (connection refused)
    Unreachable,      // no route, name not resolved, connect timed out
    HostKeyChanged,   // the host key differs from known_hosts: refused, never retried
    HostKeyUnknown,   // strict checking and an unknown key
    Authentication,   // no key accepted (a passphrase was needed or wrong)
    AgentMissing,     // no agent at the configured path (exit 127)
    AgentNotExecutable,
    AgentExited,      // the agent ended before or while answering
    Upgrade,          // the agent speaks an older protocol
    Handshake,        // no valid hello answer in time
    LinkLost,         // ssh lost the connection during work (exit 255 after the handshake)
    Other,
};

const char* to_string(ConnectionFailure kind);
bool retryable(ConnectionFailure kind);

struct ConnectionError : std::runtime_error {
    ConnectionError(ConnectionFailure kind, const std::string& message) : std::runtime_error(message), kind(kind) {}
    ConnectionFailure kind;
};

// Reads ssh's exit status and the tail of its stderr. `after_handshake`: the agent had answered
// hello (a 255 then is a dropped link, not a failed connection). `where` names the device;
// `known_hosts` and `host_name` say which line a changed host key is about.
ConnectionError classify_exit(int status, const std::string& stderr_tail, bool after_handshake,
                              const std::string& where, const std::string& agent_path, bool over_ssh,
                              const std::string& known_hosts = {}, const std::string& host_name = {});

}  // namespace tp::remote
