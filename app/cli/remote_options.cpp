#include "app/cli/remote_options.h"

#include <climits>
#include <cstdlib>
#include <iostream>

#include <unistd.h>

#include "app/cli/command_registry.h"
#include "app/cli/slurm_connect.h"
#include "core/remote/askpass.h"

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
