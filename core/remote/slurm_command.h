#pragma once
// The Slurm transport (docs/cluster.md): the agent runs as one Slurm task,
// `srun -n1 -N1 --job-name=NAME [--partition=...] ... -- /abs/path/tailprune agent`, started here or
// on a login node through an ssh device, and speaks the protocol over srun's stdio (no --pty, no -u).
// Every argument is one argv word; over ssh each is shell-quoted (shell_quote), never concatenated.
// A job is found again by its name (unique per connection) with squeue, and released with scancel.
#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/remote/device_list.h"
#include "core/remote/ssh_command.h"

namespace tp::remote {

// What a Slurm connection needs besides the device entry.
struct SlurmLaunch {
    DeviceEntry login;          // the ssh device srun runs on; name empty: this machine
    std::string job_name;       // unique per connection (new_slurm_job_name)
    bool via_login() const { return !login.name.empty(); }
};

// "tailprune-<device>-<16 hex digits>": names the allocation so squeue/scancel find exactly it.
std::string new_slurm_job_name(const DeviceEntry& device);

// srun's argv for running `agent_args` of the device's agent as one task (no ssh, no env).
std::vector<std::string> srun_argv(const DeviceEntry& device, const std::string& job_name,
                                   const std::vector<std::string>& agent_args);

// The words run where srun runs: `env K=V ... TOOL ARGS` (the device's environment travels with
// every Slurm command there, e.g. SLURM_CONF or a module path), or just TOOL ARGS.
std::vector<std::string> slurm_words(const DeviceEntry& device, const std::vector<std::string>& tool_argv);

// The argv that starts a Slurm tool (srun, squeue, scancel) for the device: itself here (the
// device's environment is then given to the child, not on the command line), or ssh to the login
// device with the words shell-quoted into its remote command.
std::vector<std::string> slurm_tool_argv(const DeviceEntry& device, const SlurmLaunch& launch, const SshOptions& ssh,
                                         const std::vector<std::string>& tool_argv);
// The environment added to that child's: the device's env here, ssh's (askpass) via a login node.
std::map<std::string, std::string> slurm_tool_environment(const DeviceEntry& device, const SlurmLaunch& launch,
                                                          const SshOptions& ssh);

// `launch` with what is missing filled in: a new job name, and the login device looked up in the
// device list (default_devices_path()) when the entry names one. The CLI fills both itself
// (app/cli/slurm_connect); the studio's agent processes rely on this.
SlurmLaunch complete_slurm_launch(const DeviceEntry& device, SlurmLaunch launch);

// The argv that starts the agent for a slurm device (the launch completed as above).
std::vector<std::string> slurm_agent_argv(const DeviceEntry& device, const SlurmLaunch& launch, const SshOptions& ssh,
                                          const std::vector<std::string>& agent_args);

// A batch session (docs/cluster.md, "Batch sessions"): sbatch's argv that queues
// `srun --ntasks=1 --nodes=1 --quiet -- AGENT session-worker DIR` as the job's one step, named
// `job_name`, with the entry's allocation options (partition, account, time, gres, gpus,
// cpus-per-task, srun_flags) on sbatch and its output in DIR/slurm-JOBID.out. The step's command
// is generated here, every word shell-quoted (--wrap); nothing is concatenated from user text.
std::vector<std::string> sbatch_argv(const DeviceEntry& device, const std::string& job_name,
                                     const std::string& session_dir);
// The job id in `sbatch --parsable`'s output ("12" or "12;cluster"); empty when there is none.
std::string parse_sbatch_job_id(const std::string& output);
// Runs sbatch (here, or on the login device over ssh) and returns the job id. Throws
// std::runtime_error with sbatch's message when it fails.
std::string submit_slurm_batch(const DeviceEntry& device, const SlurmLaunch& launch, const SshOptions& ssh,
                               const std::string& session_dir, int timeout_ms = 60000);

// One job as squeue shows it.
struct SlurmJob {
    std::string id, state, reason, nodes, partition;  // state: PENDING, RUNNING, ...; reason: Resources, Priority, ...
    std::string describe() const;                      // "job 12 PENDING (Resources) in partition gpu"
};

// squeue for the job of that name; nothing when Slurm no longer lists it. Throws std::runtime_error
// when squeue itself fails (not installed, controller down).
std::optional<SlurmJob> query_slurm_job(const DeviceEntry& device, const SlurmLaunch& launch, const SshOptions& ssh,
                                        int timeout_ms = 15000);
// scancel of the job of that name (pending or running). False when scancel failed.
bool cancel_slurm_job(const DeviceEntry& device, const SlurmLaunch& launch, const SshOptions& ssh,
                      int timeout_ms = 15000);

// Watches an allocation while the agent's hello is awaited: every `interval` it asks squeue and
// tells `on_state` when the state or the reason changes (PENDING (Resources) → RUNNING). When
// `interrupt` turns true it cancels the job (scancel) and throws ConnectionError: the pending
// allocation is released, never left behind. Call poll() often (AgentConnection's wait hook).
class SlurmWaitWatch {
public:
    SlurmWaitWatch(DeviceEntry device, SlurmLaunch launch, SshOptions ssh, std::function<void(const SlurmJob&)> on_state,
                   const std::atomic<bool>* interrupt, std::chrono::milliseconds interval = std::chrono::milliseconds(1500));
    void poll();
    const std::optional<SlurmJob>& last() const { return last_; }

private:
    DeviceEntry device_;
    SlurmLaunch launch_;
    SshOptions ssh_;
    std::function<void(const SlurmJob&)> on_state_;
    const std::atomic<bool>* interrupt_;
    std::chrono::milliseconds interval_;
    std::chrono::steady_clock::time_point next_;
    std::optional<SlurmJob> last_;
    bool squeue_failed_ = false;
};

}  // namespace tp::remote
