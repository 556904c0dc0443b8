#pragma once
// Slurm batch sessions (issue 31, docs/cluster.md "Batch sessions"): a job submitted with sbatch
// whose session folder (request, journal, state) lives on storage shared by the login node and the
// compute nodes, attached later like any session. The session commands of a slurm device talk to
// an agent on the login side (here, or the login device over ssh) that reads that folder, so
// listing, attaching and cancelling never wait for an allocation.
#include <functional>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "core/remote/agent_connection.h"
#include "core/remote/slurm_command.h"

namespace tp::cli {

// How the session commands reach device `name`: as connect_options() does, except for a slurm
// device, whose sessions are read by its agent on the login side (front_options).
remote::ConnectOptions session_connect_options(const std::string& name);

// A slurm device's login side: its agent run here (no login) or on its login device over ssh, with
// the device's environment and TAILPRUNE_SESSIONS_DIR set to its `sessions_dir` (when it has one).
remote::ConnectOptions front_options(const remote::ConnectOptions& slurm_device);

// Creates the session for `cmd` with `fields` in the sessions root the login side sees, submits
// its worker with sbatch and returns at once: {"session", "slurm_job", "slurm_job_name", "dir", "on"}.
// When sbatch fails the session is cancelled and a CommandError says why.
nlohmann::json submit_batch_session(const remote::ConnectOptions& slurm_device, const std::string& cmd,
                                    const nlohmann::json& fields);
// The same, with the job's fields made on the login side's connection once its protocol is known
// to take batch sessions (evaluate --sbatch without a schedule asks that agent to `describe` the
// weights there: never through an allocation, and never before an older agent is refused).
using BatchFields = std::function<nlohmann::json(remote::AgentConnection& login_side)>;
nlohmann::json submit_batch_session_made(const remote::ConnectOptions& slurm_device, const std::string& cmd,
                                         const BatchFields& fields);

// Submits a new job for a batch session that the relay has put back to queued (session resume).
std::string resubmit_batch_session(const remote::ConnectOptions& slurm_device, const std::string& job_name,
                                   const std::string& dir);

// The batch job of that name as squeue shows it (nothing once Slurm no longer lists it); nothing
// either when squeue cannot be asked (`error` then says why).
std::optional<remote::SlurmJob> batch_job_state(const remote::ConnectOptions& slurm_device, const std::string& job_name,
                                                std::string* error = nullptr);

// scancel of the batch job of that name; false when scancel failed.
bool cancel_batch_job(const remote::ConnectOptions& slurm_device, const std::string& job_name);

}  // namespace tp::cli
