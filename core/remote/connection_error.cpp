#include "core/remote/connection_error.h"

#include <algorithm>

namespace tp::remote {

const char* to_string(ConnectionFailure kind) {
    switch (kind) {
        case ConnectionFailure::Refused: return "refused";
        case ConnectionFailure::Unreachable: return "unreachable";
        case ConnectionFailure::HostKeyChanged: return "host_key_changed";
        case ConnectionFailure::HostKeyUnknown: return "host_key_unknown";
        case ConnectionFailure::Authentication: return "authentication";
        case ConnectionFailure::AgentMissing: return "agent_missing";
        case ConnectionFailure::AgentNotExecutable: return "agent_not_executable";
        case ConnectionFailure::AgentExited: return "agent_exited";
        case ConnectionFailure::Upgrade: return "upgrade";
        case ConnectionFailure::Handshake: return "handshake";
        case ConnectionFailure::LinkLost: return "link_lost";
        case ConnectionFailure::Other: return "other";
    }
    return "other";
}

bool retryable(ConnectionFailure kind) { return kind == ConnectionFailure::LinkLost; }

namespace {

bool has(const std::string& text, const char* what) { return text.find(what) != std::string::npos; }

// The last few meaningful stderr lines, for the message.
std::string last_lines(const std::string& text, std::size_t max_chars = 400) {
    std::string t = text;
    while (!t.empty() && (t.back() == '\n' || t.back() == '\r' || t.back() == ' ')) t.pop_back();
    if (t.size() > max_chars) t = "..." + t.substr(t.size() - max_chars);
    std::replace(t.begin(), t.end(), '\n', ' ');
    std::replace(t.begin(), t.end(), '\r', ' ');
    return t;
}

}  // namespace

ConnectionError classify_exit(int status, const std::string& err, bool after_handshake, const std::string& where,
                              const std::string& agent_path, bool over_ssh, const std::string& known_hosts,
                              const std::string& host_name) {
    const std::string tail = last_lines(err);
    const std::string said = tail.empty() ? "" : " (" + tail + ")";
    if (over_ssh && status == 255) {
        if (has(err, "REMOTE HOST IDENTIFICATION HAS CHANGED") || has(err, "Host key for") ||
            (has(err, "Host key verification failed") && has(err, "Offending")))
            return {ConnectionFailure::HostKeyChanged,
                    where + ": the host key has CHANGED since it was recorded, so the connection was refused (this "
                            "can be a reinstalled device or someone in the middle). Check the key with the device's "
                            "owner, then remove the old line" +
                        (known_hosts.empty() ? std::string(" from the known_hosts file named here")
                                             : " for " + host_name + " from " + known_hosts + " (ssh-keygen -R '" +
                                                   host_name + "' -f " + known_hosts + ")") +
                        said};
        if (has(err, "Host key verification failed") || has(err, "No ED25519 host key is known") ||
            has(err, "host key is known"))
            return {ConnectionFailure::HostKeyUnknown, where + ": the host key could not be verified" + said};
        if (has(err, "Permission denied") || has(err, "Too many authentication failures") ||
            has(err, "incorrect passphrase") || has(err, "Authentication failed"))
            return {ConnectionFailure::Authentication,
                    where + ": authentication failed: no key was accepted (is the key in the device's "
                            "authorized_keys? a passphrase key needs a terminal or the studio to ask)" + said};
        if (has(err, "Connection refused"))
            return {ConnectionFailure::Refused, where + ": connection refused (no ssh server at that address/port)" + said};
        if (has(err, "Could not resolve hostname") || has(err, "No route to host") || has(err, "Network is unreachable") ||
            has(err, "Connection timed out") || has(err, "Operation timed out") || has(err, "timed out during banner"))
            return {ConnectionFailure::Unreachable, where + ": unreachable" + said};
        if (after_handshake)
            return {ConnectionFailure::LinkLost, where + ": the connection dropped during work" + said};
        if (has(err, "closed by remote host") || has(err, "Connection reset") || has(err, "Broken pipe") ||
            has(err, "not responding"))
            return {ConnectionFailure::LinkLost, where + ": the connection dropped" + said};
        return {ConnectionFailure::Other, where + ": ssh could not connect (exit 255)" + said};
    }
    if (!after_handshake && status == 127)
        return {ConnectionFailure::AgentMissing,
                where + ": no agent at " + agent_path +
                    " (install it there, or give its path with `tailprune device add NAME ... --agent PATH`)" + said};
    if (!after_handshake && status == 126)
        return {ConnectionFailure::AgentNotExecutable, where + ": " + agent_path + " is not executable" + said};
    return {ConnectionFailure::AgentExited,
            where + ": the agent " + (after_handshake ? "exited during work" : "exited before answering hello") +
                " with status " + std::to_string(status) + said};
}

}  // namespace tp::remote
