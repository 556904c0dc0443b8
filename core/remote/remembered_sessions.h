#pragma once
// The detached sessions this machine's studio started on devices, so that after a restart it can
// offer to re-attach them without connecting to every device: a small JSON file,
// $TAILPRUNE_REMEMBERED_SESSIONS, else ~/.config/tailprune/sessions.json. A session is forgotten
// when its result arrived (or the user says so); an unreadable file reads as empty.
#include <string>
#include <vector>

namespace tp::remote {

struct RememberedSession {
    std::string device, id, cmd;
    std::string started;     // ISO 8601 UTC
    long long last_seq = 0;  // the last record the studio had
};

std::string remembered_sessions_path();
std::vector<RememberedSession> load_remembered_sessions(const std::string& path = remembered_sessions_path());
// Adds it, or updates the one with the same device and id.
void remember_session(const RememberedSession& session, const std::string& path = remembered_sessions_path());
void forget_session(const std::string& device, const std::string& id, const std::string& path = remembered_sessions_path());

}  // namespace tp::remote
