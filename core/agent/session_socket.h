#pragma once
// The session worker's Unix socket (SOCK_STREAM, JSON lines): the relay asks it to cancel, for its
// status, and to "watch" (live progress and a nudge per journal record). The worker never waits on
// a watcher: a watcher that does not keep up is dropped and re-attaches from the journal.
#include <string>

namespace tp::agent {

// A listening socket at the session folder's address; throws std::runtime_error.
int listen_session_socket(const std::string& dir);
// Connects to a session's socket; -1 when no worker listens there.
int connect_session_socket(const std::string& dir);
// Writes a whole line without blocking for long (MSG_NOSIGNAL; gives up after `timeout_ms`).
bool send_socket_line(int fd, const std::string& line, int timeout_ms = 2000);
// Reads one line (without '\n') within `timeout_ms` into `line`, keeping extra bytes in `buffer`.
bool read_socket_line(int fd, std::string& buffer, std::string& line, int timeout_ms);

}  // namespace tp::agent
