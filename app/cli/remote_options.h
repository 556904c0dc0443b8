#pragma once
#include <string>

#include "core/remote/agent_connection.h"

namespace tp::cli {

// The running `tailprune` (/proc/self/exe): the local agent, and the askpass helper ssh runs.
std::string self_executable();

// How to reach device `name` from the CLI: the device list ($TAILPRUNE_DEVICES or the default),
// our own binary as the local agent, askpass through the terminal (or the studio's socket) when
// someone can answer, BatchMode otherwise; `TAILPRUNE_SSH_PERSIST` (seconds, 0 = no master)
// overrides the ControlPersist time.
remote::ConnectOptions connect_options(const std::string& name);

// Opens the connection; a ConnectionError becomes one CommandError line (exit 3 for connection
// failures, so scripts can tell them from agent errors).
std::unique_ptr<remote::AgentConnection> connect_or_fail(const remote::ConnectOptions& options);

// Runs `work` on a fresh connection, reconnecting with backoff when the link drops during work
// (progress line on stderr); converts connection and agent errors to CommandError.
nlohmann::json run_on_device(const remote::ConnectOptions& options,
                             const std::function<nlohmann::json(remote::AgentConnection&, int attempt)>& work,
                             const std::atomic<bool>* interrupt);

}  // namespace tp::cli
