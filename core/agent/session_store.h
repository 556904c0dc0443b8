#pragma once
// Where detached sessions live on the agent's machine and what their folders hold
// (docs/remote-devices.md, "Sessions"):
//   $TAILPRUNE_SESSIONS_DIR, else ~/.cache/tailprune/sessions/ID/
//     request.json   the job: {"cmd": ..., "body": {...}}
//     journal.jsonl  one record per finished point or evaluation (session_journal.h)
//     state.json     status, worker pid, times, last seq, latest progress (rewritten atomically)
//     partial.json   a profile job's checkpoint (the profile so far)
//     lock           held (flock) by the worker for its whole life: free means no worker
//     socket         the worker's Unix socket: cancel, status, live progress
//     worker.log     the worker's stderr
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace tp::agent {

std::string sessions_root();
// "20261207-021533-4f1a9c": time of creation and 24 random bits.
std::string new_session_id();
// Only ids of that alphabet are accepted ([0-9A-Za-z_-], 1..64 bytes): a request cannot name a
// folder outside the sessions root. Throws std::invalid_argument naming `field` otherwise.
void check_session_id(const std::string& id, const std::string& field = "session");
std::string session_dir(const std::string& id);  // checked id

struct SessionState {
    std::string id, cmd;
    std::string status = "starting";  // starting | running | finished | failed | cancelled
    long long pid = 0;
    std::string started, ended, message;
    long long last_seq = 0;
    nlohmann::json progress;  // the latest progress event's fields (null before the first)
    // A Slurm batch session (docs/cluster.md, "Batch sessions"): the job's name, set when the
    // session is created, before sbatch (squeue/scancel find the job by it), and its id, set by the
    // worker from SLURM_JOB_ID when it starts. Both empty for other sessions.
    std::string slurm_job_name, slurm_job;
};
nlohmann::json to_json(const SessionState& s);
SessionState session_state_from_json(const nlohmann::json& j);
SessionState read_session_state(const std::string& dir);  // a missing/unreadable file: status "starting"
void write_session_state(const std::string& dir, const SessionState& state);

// True when a worker holds the session's lock right now.
bool session_worker_alive(const std::string& dir);
// The status a client should see: a session whose state says running (or starting) but whose
// worker is gone is "died" (resume it); a batch session whose worker has not started yet (its
// Slurm job is queued) is "queued".
std::string effective_status(const std::string& dir, const SessionState& state);
bool is_final_status(const std::string& status);  // finished | failed | cancelled

// The job a session runs.
nlohmann::json read_session_request(const std::string& dir);

// Short enough for sockaddr_un: the socket's path, or /proc/self/fd/N/socket through `dir_fd`
// (opened here, closed by the caller) when the folder's path is long.
std::string session_socket_address(const std::string& dir, int& dir_fd);

}  // namespace tp::agent
