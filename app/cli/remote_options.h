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

// A job on a device. By default it runs as a detached session when the agent speaks protocol 4:
// it survives a dropped or frozen link (the CLI reconnects with backoff and attaches again from
// the last record it has), and Ctrl-C detaches from it, leaving it running, unless
// `cancel_on_interrupt`. `detach = false` (--no-detach), and older agents, run it on the
// connection itself as before (retried from the start when the link drops).
struct DeviceJob {
    std::string cmd;
    nlohmann::json fields;
    remote::EventHandler on_event;
    bool detach = true;
    bool cancel_on_interrupt = false;
    bool quiet = false;
    bool start_only = false;  // start the session and return {"session": ID} at once (--detach)
    // A slurm device only: submit the session as a batch job (sbatch) and return at once with
    // {"session", "slurm_job", "slurm_job_name", "dir", "on"} (--sbatch; app/cli/slurm_batch.h).
    bool sbatch = false;
};
nlohmann::json run_job_on_device(const remote::ConnectOptions& options, const DeviceJob& job,
                                 const std::atomic<bool>* interrupt);

// Connection and agent errors as one CommandError line (exit 3 for connection failures, 2 for a
// bad request, 1 otherwise).
[[noreturn]] void rethrow_as_command_error();

}  // namespace tp::cli
