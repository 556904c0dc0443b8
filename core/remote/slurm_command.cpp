#include "core/remote/slurm_command.h"

#include <csignal>
#include <random>
#include <sstream>

#include <poll.h>

#include "core/remote/child_process.h"
#include "core/remote/connection_error.h"
#include "core/remote/shell_quote.h"

namespace tp::remote {

namespace {

std::string srun_program(const DeviceEntry& d) { return d.srun.empty() ? "srun" : d.srun; }

// A Slurm client tool next to srun: the same folder when srun was given by its path.
std::string tool_program(const DeviceEntry& d, const std::string& tool) {
    if (d.srun.empty() || d.srun.find('/') == std::string::npos) return tool;
    return d.srun.substr(0, d.srun.rfind('/') + 1) + tool;
}

// Runs a short Slurm tool with `env` added; stdout to `out`, stderr to `err`. Status, or 255 when
// it did not end in time (killed).
int run_tool(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env, std::string& out,
             std::string& err, int timeout_ms) {
    ChildProcess child = ChildProcess::start(argv, env);
    child.close_stdin();
    const auto end = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    bool out_open = true, err_open = true;
    while (out_open || err_open) {
        const auto left =
            std::chrono::duration_cast<std::chrono::milliseconds>(end - std::chrono::steady_clock::now()).count();
        if (left <= 0) break;
        pollfd p[2] = {{child.stdout_fd(), POLLIN, 0}, {child.stderr_fd(), POLLIN, 0}};
        if (::poll(p, 2, static_cast<int>(left)) <= 0) continue;
        if (out_open && (p[0].revents & (POLLIN | POLLHUP | POLLERR))) out_open = read_available(child.stdout_fd(), out);
        if (err_open && (p[1].revents & (POLLIN | POLLHUP | POLLERR))) err_open = read_available(child.stderr_fd(), err);
        if (!out_open) p[0].fd = -1;
        if (!err_open) p[1].fd = -1;
    }
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(end - std::chrono::steady_clock::now()).count();
    auto status = child.wait_for(static_cast<int>(std::max<long long>(left, 100)));
    if (!status) {
        child.signal(SIGKILL);
        child.wait();
        return 255;
    }
    return *status;
}

std::string trimmed(std::string s) {
    while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
    return s;
}

}  // namespace

std::string new_slurm_job_name(const DeviceEntry& device) {
    std::random_device rd;
    std::mt19937_64 gen((static_cast<std::uint64_t>(rd()) << 32) ^ rd());
    std::ostringstream hex;
    hex << std::hex << gen();
    return "tailprune-" + device.name + "-" + hex.str();
}

namespace {

// The entry's allocation options, which srun and sbatch read alike, then its extra flags.
void add_allocation_options(std::vector<std::string>& argv, const DeviceEntry& d) {
    if (!d.partition.empty()) argv.push_back("--partition=" + d.partition);
    if (!d.account.empty()) argv.push_back("--account=" + d.account);
    if (!d.time_limit.empty()) argv.push_back("--time=" + d.time_limit);
    if (!d.gres.empty()) argv.push_back("--gres=" + d.gres);
    if (!d.gpus.empty()) argv.push_back("--gpus=" + d.gpus);
    if (d.cpus_per_task > 0) argv.push_back("--cpus-per-task=" + std::to_string(d.cpus_per_task));
    for (const auto& f : d.srun_flags) argv.push_back(f);
}

}  // namespace

std::vector<std::string> srun_argv(const DeviceEntry& d, const std::string& job_name,
                                   const std::vector<std::string>& agent_args) {
    validate(d);
    if (!d.is_slurm()) throw std::logic_error("srun_argv called for a device that is not a slurm device");
    // One task on one node; the job's name finds it again. No --pty and no -u: the protocol needs
    // srun's plain stdio pipe (stdin to the task, its stdout back, line by line as written).
    std::vector<std::string> argv{srun_program(d), "--ntasks=1", "--nodes=1", "--job-name=" + job_name,
                                  "--quiet"};
    add_allocation_options(argv, d);
    argv.push_back("--");
    argv.push_back(d.agent);
    for (const auto& a : agent_args) argv.push_back(a);
    return argv;
}

std::vector<std::string> slurm_words(const DeviceEntry& d, const std::vector<std::string>& tool_argv) {
    std::vector<std::string> words;
    if (!d.env.empty()) {
        words.push_back("env");
        for (const auto& [k, v] : d.env) words.push_back(k + "=" + v);
    }
    words.insert(words.end(), tool_argv.begin(), tool_argv.end());
    return words;
}

std::vector<std::string> slurm_tool_argv(const DeviceEntry& d, const SlurmLaunch& launch, const SshOptions& ssh,
                                         const std::vector<std::string>& tool_argv) {
    if (!launch.via_login()) return tool_argv;  // here: the environment goes to the child
    if (launch.login.transport != "ssh")
        throw std::runtime_error("device '" + d.name + "': login '" + launch.login.name + "' is not an ssh device");
    // ssh's own argv for the login device (keys, known_hosts, master connection, keepalives); its
    // last word, the remote command, is ours: every word single-quoted for the login shell.
    DeviceEntry login = launch.login;
    login.env.clear();
    if (login.agent.empty()) login.agent = "/bin/true";  // ssh_argv checks an agent path we then replace
    std::vector<std::string> argv = ssh_argv(login, ssh, {});
    argv.back() = shell_command_line(slurm_words(d, tool_argv));
    return argv;
}

std::map<std::string, std::string> slurm_tool_environment(const DeviceEntry& d, const SlurmLaunch& launch,
                                                          const SshOptions& ssh) {
    return launch.via_login() || !d.login.empty() ? ssh_environment(ssh) : d.env;
}

SlurmLaunch complete_slurm_launch(const DeviceEntry& d, SlurmLaunch launch) {
    if (launch.job_name.empty()) launch.job_name = new_slurm_job_name(d);
    if (!d.login.empty() && !launch.via_login()) launch.login = find_device(d.login);
    return launch;
}

std::vector<std::string> slurm_agent_argv(const DeviceEntry& d, const SlurmLaunch& launch, const SshOptions& ssh,
                                          const std::vector<std::string>& agent_args) {
    const SlurmLaunch l = complete_slurm_launch(d, launch);
    return slurm_tool_argv(d, l, ssh, srun_argv(d, l.job_name, agent_args));
}

std::vector<std::string> sbatch_argv(const DeviceEntry& d, const std::string& job_name, const std::string& session_dir) {
    validate(d);
    if (!d.is_slurm()) throw std::logic_error("sbatch_argv called for a device that is not a slurm device");
    if (session_dir.empty() || session_dir[0] != '/') throw std::invalid_argument("the session folder must be an absolute path");
    // sbatch reads %-patterns in --output: a literal '%' of the folder's path is written %%.
    std::string output;
    for (char c : session_dir + "/slurm-") output += c == '%' ? std::string("%%") : std::string(1, c);
    output += "%j.out";
    std::vector<std::string> argv{tool_program(d, "sbatch"), "--parsable", "--ntasks=1", "--nodes=1",
                                  "--job-name=" + job_name, "--output=" + output};
    add_allocation_options(argv, d);  // the same allocation options as srun's
    // The job's one step; sbatch makes "#!/bin/sh\n<this line>" of it. Every word is quoted.
    const std::vector<std::string> step{srun_program(d), "--ntasks=1", "--nodes=1", "--quiet", "--",
                                        d.agent,         "session-worker", session_dir};
    argv.push_back("--wrap=exec " + shell_command_line(step));
    return argv;
}

std::string parse_sbatch_job_id(const std::string& output) {
    std::istringstream lines(output);
    std::string line, last;
    while (std::getline(lines, line))
        if (!trimmed(line).empty()) last = trimmed(line);
    const std::string id = last.substr(0, last.find(';'));
    if (id.empty() || id.find_first_not_of("0123456789_") != std::string::npos) return {};
    return id;
}

std::string submit_slurm_batch(const DeviceEntry& d, const SlurmLaunch& launch, const SshOptions& ssh,
                               const std::string& session_dir, int timeout_ms) {
    std::string out, err;
    const int status = run_tool(slurm_tool_argv(d, launch, ssh, sbatch_argv(d, launch.job_name, session_dir)),
                                slurm_tool_environment(d, launch, ssh), out, err, timeout_ms);
    if (status != 0)
        throw std::runtime_error("sbatch failed (exit " + std::to_string(status) + "): " +
                                 trimmed(err.empty() ? out : err));
    const std::string id = parse_sbatch_job_id(out);
    if (id.empty()) throw std::runtime_error("sbatch printed no job id: " + trimmed(out + err));
    return id;
}

std::string SlurmJob::describe() const {
    std::string s = "job " + id + " " + state;
    if (!reason.empty() && reason != "None") s += " (" + reason + ")";
    if (!nodes.empty() && nodes != "(null)") s += " on " + nodes;
    if (!partition.empty()) s += " in partition " + partition;
    return s;
}

std::optional<SlurmJob> query_slurm_job(const DeviceEntry& d, const SlurmLaunch& launch, const SshOptions& ssh,
                                        int timeout_ms) {
    const std::vector<std::string> squeue{tool_program(d, "squeue"), "--noheader", "--name=" + launch.job_name,
                                          "--format=%i|%T|%r|%N|%P"};
    std::string out, err;
    const int status =
        run_tool(slurm_tool_argv(d, launch, ssh, squeue), slurm_tool_environment(d, launch, ssh), out, err, timeout_ms);
    if (status != 0) throw std::runtime_error("squeue failed (exit " + std::to_string(status) + "): " + trimmed(err));
    std::istringstream lines(out);
    std::string line;
    while (std::getline(lines, line)) {
        line = trimmed(line);
        if (line.empty()) continue;
        SlurmJob job;
        std::string* fields[] = {&job.id, &job.state, &job.reason, &job.nodes, &job.partition};
        std::size_t start = 0;
        for (std::size_t i = 0; i < 5; ++i) {
            const std::size_t bar = i < 4 ? line.find('|', start) : std::string::npos;
            *fields[i] = line.substr(start, bar == std::string::npos ? std::string::npos : bar - start);
            if (bar == std::string::npos) break;
            start = bar + 1;
        }
        if (!job.id.empty()) return job;
    }
    return std::nullopt;
}

bool cancel_slurm_job(const DeviceEntry& d, const SlurmLaunch& launch, const SshOptions& ssh, int timeout_ms) {
    const std::vector<std::string> scancel{tool_program(d, "scancel"), "--name=" + launch.job_name};
    std::string out, err;
    return run_tool(slurm_tool_argv(d, launch, ssh, scancel), slurm_tool_environment(d, launch, ssh), out, err,
                    timeout_ms) == 0;
}

SlurmWaitWatch::SlurmWaitWatch(DeviceEntry device, SlurmLaunch launch, SshOptions ssh,
                               std::function<void(const SlurmJob&)> on_state, const std::atomic<bool>* interrupt,
                               std::chrono::milliseconds interval)
    : device_(std::move(device)),
      launch_(std::move(launch)),
      ssh_(std::move(ssh)),
      on_state_(std::move(on_state)),
      interrupt_(interrupt),
      interval_(interval),
      next_(std::chrono::steady_clock::now() + interval) {}

void SlurmWaitWatch::poll() {
    if (interrupt_ && interrupt_->load()) {
        const bool cancelled = cancel_slurm_job(device_, launch_, ssh_);
        throw ConnectionError(ConnectionFailure::Other,
                              "device '" + device_.name + "': interrupted while waiting for the Slurm allocation" +
                                  (last_ ? " (" + last_->describe() + ")" : std::string()) +
                                  (cancelled ? "; the job was cancelled (scancel)" : "; scancel failed"));
    }
    const auto now = std::chrono::steady_clock::now();
    if (now < next_ || squeue_failed_) return;
    next_ = now + interval_;
    std::optional<SlurmJob> job;
    try {
        job = query_slurm_job(device_, launch_, ssh_);
    } catch (const std::exception&) {
        squeue_failed_ = true;  // srun itself reports what is wrong; the state is only a courtesy
        return;
    }
    if (!job) return;
    const bool changed = !last_ || last_->state != job->state || last_->reason != job->reason || last_->nodes != job->nodes;
    last_ = job;
    if (changed && on_state_) on_state_(*job);
}

}  // namespace tp::remote
