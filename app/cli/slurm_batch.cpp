#include "app/cli/slurm_batch.h"

#include <iostream>

#include "app/cli/command_registry.h"
#include "app/cli/remote_options.h"
#include "core/remote/session_client.h"

namespace tp::cli {

using nlohmann::json;

remote::ConnectOptions session_connect_options(const std::string& name) {
    remote::ConnectOptions o = connect_options(name);
    return o.device.is_slurm() ? front_options(o) : o;
}

remote::ConnectOptions front_options(const remote::ConnectOptions& slurm) {
    const remote::DeviceEntry& d = slurm.device;
    remote::ConnectOptions o;
    o.local_agent = slurm.local_agent;
    o.ssh = slurm.ssh;
    if (slurm.slurm.via_login()) {
        o.device = slurm.slurm.login;  // ssh to the login node, running the cluster's agent there
        for (const auto& [k, v] : d.env) o.device.env[k] = v;
    } else {
        o.device = remote::local_device();
        o.device.env = d.env;
    }
    o.device.name = d.name;  // messages name the slurm device
    o.device.agent = d.agent;
    if (!d.sessions_dir.empty()) o.device.env["TAILPRUNE_SESSIONS_DIR"] = d.sessions_dir;
    return o;
}

namespace {

remote::SlurmLaunch launch_named(const remote::ConnectOptions& slurm, const std::string& job_name) {
    remote::SlurmLaunch launch = slurm.slurm;
    launch.job_name = job_name;
    return launch;
}

}  // namespace

std::string resubmit_batch_session(const remote::ConnectOptions& slurm, const std::string& job_name, const std::string& dir) {
    try {
        return remote::submit_slurm_batch(slurm.device, launch_named(slurm, job_name), slurm.ssh, dir);
    } catch (const std::runtime_error& e) {
        throw CommandError("device '" + slurm.device.name + "': " + e.what(), 3);
    }
}

json submit_batch_session(const remote::ConnectOptions& slurm, const std::string& cmd, const json& fields) {
    return submit_batch_session_made(slurm, cmd, [&](remote::AgentConnection&) { return fields; });
}

json submit_batch_session_made(const remote::ConnectOptions& slurm, const std::string& cmd, const BatchFields& fields) {
    if (!slurm.device.is_slurm())
        throw CommandError("--sbatch needs a slurm device; '" + slurm.device.name + "' is of transport " +
                               slurm.device.transport,
                           2);
    // One connection to the login side's agent for the whole submission: the session is made,
    // sbatch runs, and the job's id is noted in the session's folder.
    std::unique_ptr<remote::AgentConnection> c;
    json started;
    try {
        c = remote::AgentConnection::open(front_options(slurm));
        remote::require_sessions(*c);
        // Batch sessions came with protocol 5: an older agent would ignore "batch" and start a
        // worker here itself, so it is refused before anything starts.
        if (c->protocol() < 5)
            throw remote::ConnectionError(remote::ConnectionFailure::Upgrade,
                                          c->where() + ": the agent speaks protocol " + std::to_string(c->protocol()) +
                                              "; batch sessions (--sbatch) need protocol 5. Upgrade the agent there");
        json job = fields(*c);
        job["cmd"] = cmd;
        started = c->call("session_start", {{"job", job}, {"batch", {{"job_name", "tailprune-" + slurm.device.name}}}});
    } catch (...) {
        rethrow_as_command_error();
    }
    const std::string id = started.at("session").get<std::string>();
    const std::string dir = started.at("dir").get<std::string>();
    const std::string job_name = started.value("slurm_job_name", std::string());
    if (job_name.empty())
        throw CommandError("the agent on the login side of '" + slurm.device.name + "' (" + slurm.device.agent +
                               ") does not know batch sessions: it started session " + id +
                               " there itself; upgrade that agent",
                           1);
    std::string job_id;
    try {
        job_id = remote::submit_slurm_batch(slurm.device, launch_named(slurm, job_name), slurm.ssh, dir);
    } catch (const std::runtime_error& e) {
        try {  // nothing was queued: the session must not wait for a job that does not exist
            c->call("session_cancel", {{"session", id}});
        } catch (const std::exception&) {
        }
        throw CommandError("device '" + slurm.device.name + "': " + e.what() + " (session " + id + " cancelled)", 3);
    }
    try {  // the id in the session folder at once (the worker notes it too when it starts)
        c->call("session_slurm_job", {{"session", id}, {"slurm_job", job_id}});
        c->close();
    } catch (const std::exception& e) {
        std::cerr << "warning: session " << id << ": the job id was not noted in its folder: " << e.what() << "\n";
    }
    return {{"session", id}, {"slurm_job", job_id}, {"slurm_job_name", job_name}, {"dir", dir}, {"on", slurm.device.name}};
}

std::optional<remote::SlurmJob> batch_job_state(const remote::ConnectOptions& slurm, const std::string& job_name,
                                                std::string* error) {
    try {
        return remote::query_slurm_job(slurm.device, launch_named(slurm, job_name), slurm.ssh);
    } catch (const std::exception& e) {
        if (error) *error = e.what();
        return std::nullopt;
    }
}

bool cancel_batch_job(const remote::ConnectOptions& slurm, const std::string& job_name) {
    return remote::cancel_slurm_job(slurm.device, launch_named(slurm, job_name), slurm.ssh);
}

}  // namespace tp::cli
