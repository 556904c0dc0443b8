#include "app/cli/remote_options.h"

#include <climits>
#include <cstdlib>
#include <iostream>

#include <unistd.h>

#include "app/cli/command_registry.h"
#include "app/cli/slurm_batch.h"
#include "app/cli/slurm_connect.h"
#include "core/remote/askpass.h"
#include "core/remote/session_client.h"

namespace tp::cli {

std::string self_executable() {
    char buf[PATH_MAX];
    const ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
    if (n <= 0) return "tailprune";
    return std::string(buf, static_cast<std::size_t>(n));
}

remote::ConnectOptions connect_options(const std::string& name) {
    remote::ConnectOptions o;
    o.device = remote::find_device(name);
    o.local_agent = self_executable();
    if (remote::askpass_available()) o.ssh.askpass = self_executable();
    remote::apply_environment_overrides(o.ssh);
    prepare_slurm(o);  // transport slurm: login device, job name, pending-state reports
    return o;
}

std::unique_ptr<remote::AgentConnection> connect_or_fail(const remote::ConnectOptions& options) {
    try {
        return remote::AgentConnection::open(options);
    } catch (const remote::ConnectionError& e) {
        throw CommandError(e.what(), 3);
    }
}

void rethrow_as_command_error() {
    try {
        throw;
    } catch (const remote::ConnectionError& e) {
        throw CommandError(e.what(), 3);
    } catch (const remote::AgentRequestError& e) {
        throw CommandError(e.what(), e.code == "bad_request" ? 2 : 1);
    }
}

nlohmann::json run_job_on_device(const remote::ConnectOptions& options, const DeviceJob& job,
                                 const std::atomic<bool>* interrupt) {
    auto attached = [&] {
        return run_on_device(
            options, [&](remote::AgentConnection& c, int) { return c.call(job.cmd, job.fields, job.on_event, interrupt); },
            interrupt);
    };
    if (job.sbatch) return submit_batch_session(options, job.cmd, job.fields);
    if (!job.detach) return attached();
    std::string id;
    try {
        auto c = remote::AgentConnection::open(options);
        if (c->protocol() < remote::kSessionsProtocol) {
            std::cerr << "note: the agent on " << c->where() << " speaks protocol " << c->protocol()
                      << ", without detached sessions: the job runs on this connection (upgrade the agent to keep "
                         "long runs going across a dropped link)\n";
            c->close();
            return attached();
        }
        id = remote::start_session(*c, job.cmd, job.fields);
        c->close();
    } catch (...) {
        rethrow_as_command_error();
    }
    const std::string name = options.device.name;
    if (job.start_only) return {{"session", id}, {"on", name}};
    if (!job.quiet)
        std::cerr << "session " << id << " on " << name << " (it goes on if the link drops; Ctrl-C "
                  << (job.cancel_on_interrupt ? "cancels it" : "detaches") << ")\n";
    remote::FollowOptions follow;
    remote::FollowOutcome outcome;
    try {
        outcome = remote::follow_session(options, id, follow, job.on_event, interrupt, [&](const std::string& what, double wait_s) {
            if (wait_s > 0) std::cerr << "\nwarning: " << what << "; reconnecting in " << wait_s << " s\n";
            else std::cerr << "\n" << what << "\n";
        });
    } catch (...) {
        rethrow_as_command_error();
    }
    if (outcome.detached && job.cancel_on_interrupt && interrupt && interrupt->load()) {
        try {
            auto c = remote::AgentConnection::open(options);
            c->call("session_cancel", {{"session", id}});
        } catch (const std::exception& e) {
            std::cerr << "warning: could not cancel session " << id << ": " << e.what() << "\n";
        }
        throw CommandError("cancelled: session " + id + " on " + name + " stops at its next point", 130);
    }
    if (outcome.detached)
        throw CommandError("detached from session " + id + " on " + name + " after record " +
                               std::to_string(outcome.last_seq) + "; it is still running. Follow it with: tailprune session attach " +
                               id + " --on " + name + " -o FILE; stop it with: tailprune session cancel " + id + " --on " + name,
                           130);
    return outcome.result;
}

nlohmann::json run_on_device(const remote::ConnectOptions& options,
                             const std::function<nlohmann::json(remote::AgentConnection&, int attempt)>& work,
                             const std::atomic<bool>* interrupt) {
    try {
        return remote::with_link_retries(
            [&](int attempt) {
                auto connection = remote::AgentConnection::open(options);
                return work(*connection, attempt);
            },
            [](const remote::ConnectionError& e, double wait_s) {
                std::cerr << "\nwarning: " << e.what() << "; reconnecting in " << wait_s << " s\n";
            },
            5, interrupt);
    } catch (const remote::ConnectionError& e) {
        throw CommandError(e.what(), 3);
    } catch (const remote::AgentRequestError& e) {
        throw CommandError(e.what(), e.code == "bad_request" ? 2 : 1);
    }
}

}  // namespace tp::cli
