#pragma once
// The detached session's worker (`tailprune session-worker DIR`, started by the relay with setsid
// and stdin from /dev/null): runs the one job in DIR/request.json with no client attached,
// journals every finished point or evaluation and the final result (session_journal.h), keeps
// state.json current and serves its Unix socket (cancel, status, watch). A worker started on a
// folder whose journal already has points (resume after a crash or reboot) measures only what is
// missing. SIGTERM/SIGINT cancel the job the way a `cancel` does (its partial result is kept).
#include <atomic>
#include <string>

#include "core/agent/agent_session.h"

namespace tp::agent {

// Returns 0 when the job ran (whatever its outcome, which is journaled), 3 when another worker
// holds the session, 2 when the folder is not a session.
int run_session_worker(const std::string& dir, JobHandler& handler, const std::atomic<bool>& stop);

}  // namespace tp::agent
