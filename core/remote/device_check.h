#pragma once
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/remote/agent_connection.h"

namespace tp::remote {

// What a device is ready for, as the Devices panel and `device check` show it.
enum class DeviceState {
    Unknown,           // never checked
    Ready,             // hello answered; may still lack CUDA (see `missing`)
    Unreachable,       // refused, no route, timed out, dropped
    HostKeyUnknown,    // first contact not accepted (the studio asks; the fingerprint is shown)
    HostKeyChanged,    // refused: review the known_hosts line
    PassphraseNeeded,  // authentication failed: no key accepted, or the passphrase was not given
    AgentMissing,      // no agent at the configured path, or not executable
    WrongVersion,      // the agent speaks an older protocol
    Failed,            // anything else (the message says what)
};

const char* to_string(DeviceState state);
DeviceState state_for(ConnectionFailure failure);

struct DeviceCheck {
    DeviceState state = DeviceState::Unknown;
    std::string message;              // the error, or a one-line identity when ready
    nlohmann::json hello;             // the agent's hello result when ready
    double connect_ms = 0;            // ssh start to the hello answer
    double round_trip_ms = 0;         // one more hello on the open connection
    std::size_t skipped_lines = 0;    // rc-file noise before the agent
    std::optional<std::string> host_key;  // fingerprint recorded for the host, if any
    bool first_contact = false;       // the key was recorded by this check
    std::vector<std::string> missing; // no CUDA, no LibTorch, ...
    std::string checked_at;           // ISO 8601 UTC

    nlohmann::json to_json() const;
};

// Connects, says hello, pings once and closes. Never throws for a device problem: the state says it.
DeviceCheck check_device(const ConnectOptions& options);

// What the hello says is missing for measuring, in words.
std::vector<std::string> missing_capabilities(const nlohmann::json& hello);

// A host key offered by the device before anything is recorded (`ssh-keyscan`), for a first
// contact the user confirms: the known_hosts line to record and its fingerprint.
struct ScannedHostKey {
    std::string known_hosts_line;
    std::string fingerprint;  // "SHA256:... (ED25519)"
};
std::optional<ScannedHostKey> scan_host_key(const DeviceEntry& device, int timeout_s = 5);
// Appends the line to the device's known_hosts file (created 0600, folder made as needed).
void record_host_key(const DeviceEntry& device, const ScannedHostKey& key);

}  // namespace tp::remote
