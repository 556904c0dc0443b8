#include "app/cli/slurm_connect.h"

#include <chrono>
#include <csignal>
#include <cstdlib>
#include <iostream>
#include <mutex>

#include "app/cli/command_registry.h"

namespace tp::cli {

namespace {

// Ctrl-C (or SIGTERM) while an allocation is pending cancels it; at any other time it keeps its
// default meaning.
std::atomic<bool> g_wait_interrupt{false};
std::atomic<long long> g_last_wait_ms{0};
std::once_flag g_handler_once;

long long now_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

void on_sigint_while_pending(int sig) {
    if (now_ms() - g_last_wait_ms.load() < 1000) {  // a hello is being awaited: cancel the allocation
        g_wait_interrupt.store(true);
        return;
    }
    std::signal(sig, SIG_DFL);  // otherwise what Ctrl-C always did
    std::raise(sig);
}

void install_handler() {
    std::call_once(g_handler_once, [] {
        for (int sig : {SIGINT, SIGTERM}) {
            struct sigaction old {};
            sigaction(sig, nullptr, &old);
            if (old.sa_handler == SIG_DFL) std::signal(sig, on_sigint_while_pending);
        }
    });
}

std::mutex g_print;

}  // namespace

void prepare_slurm(remote::ConnectOptions& o, const std::atomic<bool>* interrupt, const std::string& label) {
    if (!o.device.is_slurm()) return;
    if (!o.device.login.empty()) {
        try {
            o.slurm.login = remote::find_device(o.device.login);
        } catch (const std::exception& e) {
            throw CommandError("device '" + o.device.name + "': its login device: " + e.what(), 2);
        }
        if (o.slurm.login.transport != "ssh")
            throw CommandError("device '" + o.device.name + "': login '" + o.device.login +
                                   "' must be an ssh device (a login node where srun runs)",
                               2);
    }
    o.slurm.job_name = remote::new_slurm_job_name(o.device);
    o.handshake_timeout_s = 7 * 24 * 3600.0;
    if (const char* w = std::getenv("TAILPRUNE_SLURM_WAIT_S"); w && *w) o.handshake_timeout_s = std::atof(w);
    install_handler();
    const std::string who = label.empty() ? "device '" + o.device.name + "'" : label;
    auto watch = std::make_shared<remote::SlurmWaitWatch>(
        o.device, o.slurm, o.ssh,
        [who, waited = std::make_shared<bool>(false)](const remote::SlurmJob& job) {
            // Quiet when the allocation came at once; once it waited, every change is told.
            if (job.state != "PENDING" && !*waited) return;
            *waited = true;
            std::lock_guard<std::mutex> lock(g_print);
            std::cerr << who << ": " << job.describe()
                      << (job.state == "PENDING" ? " — waiting for the allocation (Ctrl-C cancels the job)" : "")
                      << std::endl;
        },
        &g_wait_interrupt);
    o.on_handshake_wait = [watch, interrupt] {
        g_last_wait_ms.store(now_ms());
        if (interrupt && interrupt->load()) g_wait_interrupt.store(true);
        watch->poll();
    };
}

remote::ConnectOptions with_new_slurm_job(const remote::ConnectOptions& options, const std::atomic<bool>* interrupt,
                                          const std::string& label) {
    remote::ConnectOptions o = options;
    o.slurm = {};
    o.on_handshake_wait = {};
    prepare_slurm(o, interrupt, label);
    return o;
}

}  // namespace tp::cli
