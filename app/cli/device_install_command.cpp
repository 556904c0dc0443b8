// tailprune device install NAME: build the agent from its source bundle on an SSH device (issue 22,
// docs/remote-devices.md "Installing the agent"). The work is core/remote/agent_install.h's; this
// file prints it and turns Ctrl-C into a cancel that also ends the build on the device.
#include <atomic>
#include <csignal>
#include <iomanip>
#include <iostream>
#include <memory>
#include <sstream>

#include <sys/stat.h>

#include "app/cli/cli_util.h"
#include "app/cli/command_registry.h"
#include "app/cli/remote_options.h"
#include "core/remote/agent_install.h"
#include "core/remote/device_check.h"

namespace tp::cli {
namespace {

using nlohmann::json;

std::atomic<bool> g_interrupted{false};
void on_interrupt(int) { g_interrupted = true; }

struct InstallArgs {
    std::string name, bundle;
    int jobs = 0;
    int timeout_s = 7200;
    bool probe_only = false, quiet = false, as_json = false;
};

std::string directory_of(const std::string& path) {
    const auto slash = path.rfind('/');
    return slash == std::string::npos ? "." : path.substr(0, slash);
}

std::string size_text(const std::string& file) {
    struct stat st {};
    if (::stat(file.c_str(), &st) != 0) return "?";
    std::ostringstream out;
    out << std::fixed << std::setprecision(1) << st.st_size / 1048576.0 << " MB";
    return out.str();
}

json probe_json(const remote::DeviceProbe& p) {
    return {{"arch", p.arch},          {"glibc", p.glibc},     {"compiler", p.cxx_version}, {"cmake", p.cmake},
            {"cmake_version", p.cmake_version}, {"libtorch", p.torch_source}, {"torch_prefix", p.torch_prefix},
            {"cuda", p.torch_cuda},    {"jetson", p.jetson},   {"cores", p.nproc},          {"memory_mb", p.mem_mb},
            {"disk_free_mb", p.disk_free_mb}, {"installed", p.installed}, {"missing", p.missing}, {"notes", p.notes},
            {"summary", remote::describe_probe(p)}};
}

// Prints the build's progress: every log line, or with --quiet a line per stage and per 10% built.
class InstallPrinter {
public:
    InstallPrinter(std::ostream& out, bool quiet) : out_(out), quiet_(quiet) {}
    void operator()(const remote::InstallEvent& e) {
        using Kind = remote::InstallEvent::Kind;
        switch (e.kind) {
        case Kind::Stage: out_ << "== " << e.text << "\n"; break;
        case Kind::Note: out_ << "   " << e.text << "\n"; break;
        case Kind::SelfCheck: out_ << "   self-check: " << describe_self_check(e.self_check) << "\n"; break;
        case Kind::Error: out_ << "error on the device: " << e.text << "\n"; break;
        case Kind::Done: break;
        case Kind::Progress:
            if (!quiet_) out_ << e.text << "\n";
            else if (e.total > 0 && e.done * 10 / e.total != last_tenth_) {
                last_tenth_ = e.done * 10 / e.total;
                out_ << "   built " << e.done << "/" << e.total << "\n";
            }
            break;
        case Kind::Log:
            if (!quiet_) out_ << e.text << "\n";
            break;
        }
        out_.flush();
    }
    static std::string describe_self_check(const json& c) {
        std::ostringstream s;
        s << (c.value("ok", false) ? "ok" : "FAILED") << ", " << c.value("agent", std::string("?")) << ", protocol "
          << c.value("protocol", 0) << ", torch " << c.value("torch", std::string("?"))
          << (c.value("cuda", false) ? ", CUDA" : ", no CUDA") << std::fixed << std::setprecision(3) << ", forward "
          << c.value("forward_ms", 0.0) << " ms";
        if (c.contains("error")) s << " (" << c.value("error", std::string()) << ")";
        return s.str();
    }

private:
    std::ostream& out_;
    bool quiet_;
    int last_tenth_ = -1;
};

void run_install(const InstallArgs& a) {
    const remote::ConnectOptions options = connect_options(a.name);
    if (options.device.is_local() || options.device.is_slurm()) {  // nothing to reach: a usage error
        const remote::InstallOutcome refused = remote::install_agent(options.device, options.ssh, {}, {}, {});
        throw CommandError(refused.message, 2);
    }
    remote::AgentBundle bundle;
    if (!a.probe_only) {
        try {
            bundle = remote::find_agent_bundle(directory_of(self_executable()), a.bundle);
        } catch (const std::exception& e) {
            throw CommandError(e.what());
        }
    }
    std::ostream& log = a.as_json ? std::cerr : std::cout;
    InstallPrinter printer(log, a.quiet);
    remote::InstallOptions o;
    o.jobs = a.jobs;
    o.timeout_s = a.timeout_s;
    o.probe_only = a.probe_only;
    remote::InstallCallbacks cb;
    cb.on_probe = [&](const remote::DeviceProbe& p) {
        log << "   " << remote::describe_probe(p) << "\n";
        for (const auto& n : p.notes) log << "   note: " << n << "\n";
        for (const auto& m : p.missing) log << "   missing: " << m << "\n";
        if (!a.probe_only && p.missing.empty())
            log << "== copying the agent bundle " << bundle.id << " (" << size_text(bundle.tarball) << ")\n";
    };
    cb.on_event = [&](const remote::InstallEvent& e) {
        if (e.kind == remote::InstallEvent::Kind::Stage && (e.text == "upload")) return;  // said with the size
        printer(e);
    };
    cb.cancelled = [] { return g_interrupted.load(); };

    g_interrupted = false;
    auto previous = std::signal(SIGINT, on_interrupt);
    const remote::InstallOutcome outcome = remote::install_agent(options.device, options.ssh, bundle, o, cb);
    std::signal(SIGINT, previous);

    json out = {{"device", a.name}, {"status", remote::to_string(outcome.status)}, {"message", outcome.message},
                {"seconds", outcome.seconds}, {"probe", probe_json(outcome.probe)}};
    if (!outcome.install_id.empty()) out["install_id"] = outcome.install_id;
    if (!outcome.self_check.is_null()) out["self_check"] = outcome.self_check;

    using Status = remote::InstallOutcome::Status;
    if (outcome.status == Status::Installed) {
        const std::string devices = remote::default_devices_path();
        remote::record_agent_path(devices, a.name, outcome.agent_path);
        out["agent"] = outcome.agent_path;
        log << std::fixed << std::setprecision(0) << "installed " << outcome.install_id << " on " << a.name << " in "
            << outcome.seconds << " s: " << outcome.agent_path << "\n"
            << "device '" << a.name << "' now uses it (" << devices << ")\n";
        // `device check` finds it: the same check, on the updated entry.
        const remote::DeviceCheck check = remote::check_device(connect_options(a.name));
        out["check"] = check.to_json();
        log << "check: " << remote::to_string(check.state) << " — " << check.message << "\n";
        if (a.as_json) print_json(out);
        if (check.state != remote::DeviceState::Ready) throw CommandError("installed, but the check failed: " + check.message, 1);
        return;
    }
    if (a.as_json) print_json(out);
    switch (outcome.status) {
    case Status::Probed: return;
    case Status::Missing: throw CommandError(outcome.message, 4);
    case Status::Cancelled: throw CommandError(outcome.message, 130);
    default:
        if (!outcome.log_tail.empty() && a.quiet) {
            log << "the build's last lines:\n";
            for (const auto& line : outcome.log_tail) log << "  " << line << "\n";
        }
        throw CommandError(outcome.message, outcome.probe.complete ? 1 : 3);
    }
}

const CommandRegistrar reg(91, [](CLI::App& app) {
    CLI::App* device = app.get_subcommand("device");
    auto a = std::make_shared<InstallArgs>();
    auto* cmd = device->add_subcommand(
        "install", "Build the agent on an SSH device from this build's source bundle and point the device at it");
    cmd->add_option("name", a->name, "device name (an ssh device of `device list`)")->required();
    cmd->add_option("--bundle", a->bundle, "the source bundle to install (default: the one beside this tailprune)");
    cmd->add_option("--jobs", a->jobs, "parallel build jobs on the device (default: its cores, one per 1.8 GB of memory)")
        ->check(CLI::Range(1, 256));
    cmd->add_option("--timeout", a->timeout_s, "give up after this many seconds (default 7200); also when a lock is stale")
        ->check(CLI::Range(60, 7 * 86400));
    cmd->add_flag("--probe", a->probe_only, "only say what the device has and what is missing");
    cmd->add_flag("--quiet", a->quiet, "print stages and every 10% of the build instead of the whole log");
    cmd->add_flag("--json", a->as_json, "print the outcome as JSON (the log goes to stderr)");
    cmd->callback([a] { run_install(*a); });
});

}  // namespace
}  // namespace tp::cli
