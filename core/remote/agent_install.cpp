#include "core/remote/agent_install.h"

#include <algorithm>
#include <chrono>
#include <csignal>
#include <deque>
#include <fstream>
#include <regex>
#include <stdexcept>
#include <thread>

#include <poll.h>
#include <unistd.h>

#include "core/remote/agent_connection.h"
#include "core/remote/agent_install_scripts.h"
#include "core/remote/child_process.h"
#include "core/remote/connection_error.h"
#include "core/util/format_error.h"

namespace tp::remote {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

namespace {

constexpr std::size_t kLogTailLines = 40;
constexpr std::size_t kUploadChunk = 64 * 1024;

double seconds_since(Clock::time_point start) {
    return std::chrono::duration<double>(Clock::now() - start).count();
}

// One ssh call: streams stdout line by line, keeps stderr's tail, optionally feeds a file to stdin.
struct RemoteRun {
    int status = -1;
    std::string stderr_tail;
    bool cancelled = false;
    bool timed_out = false;
};

// `on_stop` runs when a cancel or the timeout stops the call, before our ssh is ended (so the
// device can still be told while the connection is up).
RemoteRun run_remote(const std::vector<std::string>& argv, const SshOptions& ssh, const std::string& input_file,
                     const std::function<void(const std::string&)>& on_line, const std::function<bool()>& cancelled,
                     double timeout_s, const std::function<void()>& on_stop = {}) {
    RemoteRun run;
    const auto start = Clock::now();
    ChildProcess child = ChildProcess::start(argv, ssh_environment(ssh));
    auto stop_requested = [&] {
        if (cancelled && cancelled()) run.cancelled = true;
        else if (seconds_since(start) > timeout_s) run.timed_out = true;
        return run.cancelled || run.timed_out;
    };
    if (!input_file.empty()) {
        std::ifstream in(input_file, std::ios::binary);
        std::string chunk(kUploadChunk, '\0');
        while (in && !stop_requested()) {
            in.read(chunk.data(), static_cast<std::streamsize>(chunk.size()));
            const auto n = static_cast<std::size_t>(in.gcount());
            if (n == 0 || !child.write_all(chunk.substr(0, n))) break;
        }
    }
    child.close_stdin();
    std::string out, err;
    bool out_open = true, err_open = true;
    while ((out_open || err_open) && !stop_requested()) {
        pollfd fds[2] = {{child.stdout_fd(), POLLIN, 0}, {child.stderr_fd(), POLLIN, 0}};
        ::poll(fds, 2, 100);
        if (out_open) out_open = read_available(child.stdout_fd(), out);
        if (err_open) err_open = read_available(child.stderr_fd(), err);
        for (std::size_t nl; (nl = out.find('\n')) != std::string::npos; out.erase(0, nl + 1))
            if (on_line) on_line(out.substr(0, nl));
        if (err.size() > 8192) err.erase(0, err.size() - 8192);
    }
    if (run.cancelled || run.timed_out) {
        if (on_stop) on_stop();
        child.signal(SIGTERM);
        child.wait_for(2000);
        return run;  // the destructor ends it if TERM was not enough
    }
    if (!out.empty() && on_line) on_line(out);
    run.status = child.wait();
    run.stderr_tail = err;
    return run;
}

[[noreturn]] void throw_ssh_failure(const DeviceEntry& d, const RemoteRun& run) {
    throw classify_exit(run.status, run.stderr_tail, false, describe_target(d), "", true, known_hosts_file(d), known_hosts_name(d));
}

std::string join(const std::vector<std::string>& items, const std::string& sep) {
    std::string out;
    for (const auto& i : items) out += (out.empty() ? "" : sep) + i;
    return out;
}

std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error("cannot read " + path);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

}  // namespace

const char* to_string(InstallEvent::Kind kind) {
    switch (kind) {
    case InstallEvent::Kind::Log: return "log";
    case InstallEvent::Kind::Stage: return "stage";
    case InstallEvent::Kind::Progress: return "progress";
    case InstallEvent::Kind::Note: return "note";
    case InstallEvent::Kind::SelfCheck: return "self_check";
    case InstallEvent::Kind::Done: return "done";
    case InstallEvent::Kind::Error: return "error";
    }
    return "log";
}

const char* to_string(InstallOutcome::Status status) {
    switch (status) {
    case InstallOutcome::Status::Installed: return "installed";
    case InstallOutcome::Status::Probed: return "probed";
    case InstallOutcome::Status::Missing: return "missing";
    case InstallOutcome::Status::Failed: return "failed";
    case InstallOutcome::Status::Cancelled: return "cancelled";
    }
    return "failed";
}

AgentBundle find_agent_bundle(const std::string& executable_dir, const std::string& explicit_tarball) {
    AgentBundle b;
    const std::string suffix = ".tar.gz";
    if (!explicit_tarball.empty()) {
        b.tarball = explicit_tarball;
    } else {
        b.tarball = executable_dir + "/tailprune-agent-" + TAILPRUNE_VERSION + "-src.tar.gz";
    }
    if (b.tarball.size() <= suffix.size() || b.tarball.compare(b.tarball.size() - suffix.size(), suffix.size(), suffix) != 0)
        throw std::runtime_error(b.tarball + " is not an agent bundle (tailprune-agent-VERSION-src.tar.gz)");
    b.manifest = b.tarball.substr(0, b.tarball.size() - suffix.size()) + ".json";
    if (::access(b.tarball.c_str(), R_OK) != 0)
        throw std::runtime_error("no agent source bundle at " + b.tarball +
                                 " (the build makes it: `cmake --build BUILD --target agent_bundle`; or name one with --bundle)");
    json manifest;
    try {
        manifest = json::parse(read_file(b.manifest));
    } catch (const std::exception& e) {
        throw std::runtime_error("the bundle's manifest " + b.manifest + " is unreadable: " + e.what());
    }
    if (!manifest.is_object() || manifest.value("format", "") != "tailprune-agent-bundle")
        throw std::runtime_error(b.manifest + " is not an agent bundle manifest");
    b.id = manifest.value("id", "");
    b.version = manifest.value("version", "");
    b.source_hash = manifest.value("source_hash", "");
    // The id names folders on the device: only what a folder name can safely hold.
    static const std::regex safe("[0-9A-Za-z][0-9A-Za-z._-]{0,63}");
    if (!std::regex_match(b.id, safe)) throw std::runtime_error(b.manifest + ": bad id '" + b.id + "'");
    return b;
}

InstallEvent parse_install_line(const std::string& raw) {
    InstallEvent e;
    std::string line = raw;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    e.text = line;
    const std::string prefix = "tp-install: ";
    if (line.compare(0, prefix.size(), prefix) == 0) {
        const std::string rest = line.substr(prefix.size());
        const auto space = rest.find(' ');
        const std::string word = rest.substr(0, space);
        const std::string tail = space == std::string::npos ? "" : rest.substr(space + 1);
        if (word == "stage") e.kind = InstallEvent::Kind::Stage;
        else if (word == "note") e.kind = InstallEvent::Kind::Note;
        else if (word == "done") e.kind = InstallEvent::Kind::Done;
        else if (word == "error") e.kind = InstallEvent::Kind::Error;
        else if (word == "selfcheck") {
            e.kind = InstallEvent::Kind::SelfCheck;
            e.self_check = json::parse(tail, nullptr, false);
            if (e.self_check.is_discarded()) e.self_check = {{"ok", false}, {"error", tail}};
        } else {
            e.kind = InstallEvent::Kind::Note;
            e.text = rest;
            return e;
        }
        e.text = tail;
        return e;
    }
    // Ninja: "[12/150] Building CXX object ..."; make: "[ 45%] Building CXX object ...".
    static const std::regex ninja(R"(^\[(\d+)/(\d+)\] )");
    static const std::regex make(R"(^\[\s*(\d+)%\] )");
    std::smatch m;
    // Ninja's glob check ("[0/2] Re-checking globbed directories...") counts its own two steps.
    if (line.find("Re-checking globbed directories") != std::string::npos) return e;
    if (std::regex_search(line, m, ninja)) {
        e.kind = InstallEvent::Kind::Progress;
        e.done = std::stoi(m[1]);
        e.total = std::stoi(m[2]);
    } else if (std::regex_search(line, m, make)) {
        e.kind = InstallEvent::Kind::Progress;
        e.done = std::stoi(m[1]);
        e.total = 100;
    }
    return e;
}

DeviceProbe probe_device(const DeviceEntry& device, const SshOptions& ssh, int timeout_s) {
    std::string output;
    const auto argv = ssh_argv_for_words(device, ssh, {"sh", "-c", agent_probe_script(), "sh"});
    RemoteRun run = run_remote(argv, ssh, "", [&output](const std::string& line) { output += line + "\n"; }, {},
                               timeout_s);
    if (run.timed_out)
        throw ConnectionError(ConnectionFailure::Unreachable,
                              describe_target(device) + ": the probe did not finish within " + std::to_string(timeout_s) + " s");
    if (run.status == 255) throw_ssh_failure(device, run);
    return parse_device_probe(output);
}

InstallOutcome install_agent(const DeviceEntry& device, const SshOptions& ssh, const AgentBundle& bundle,
                             const InstallOptions& options, const InstallCallbacks& cb) {
    InstallOutcome o;
    const auto start = Clock::now();
    auto finish = [&o, start](InstallOutcome::Status status, const std::string& message) {
        o.status = status;
        o.message = message;
        o.seconds = seconds_since(start);
        return o;
    };
    auto emit = [&cb](InstallEvent::Kind kind, const std::string& text) {
        InstallEvent e;
        e.kind = kind;
        e.text = text;
        if (cb.on_event) cb.on_event(e);
    };
    if (device.is_local())
        return finish(InstallOutcome::Status::Failed,
                      "'local' is this machine: its agent is the tailprune next to the studio (nothing to install)");
    if (device.is_slurm())
        return finish(InstallOutcome::Status::Failed,
                      "'" + device.name + "' is a Slurm device: install on its login device (`tailprune device install " +
                          (device.login.empty() ? std::string("LOGIN") : device.login) +
                          "`, a folder the compute nodes share) and give that path as its agent");

    emit(InstallEvent::Kind::Stage, "probe");
    try {
        o.probe = probe_device(device, ssh, options.probe_timeout_s);
    } catch (const std::exception& e) {
        return finish(InstallOutcome::Status::Failed, e.what());
    }
    if (cb.on_probe) cb.on_probe(o.probe);
    if (!o.probe.missing.empty())
        return finish(InstallOutcome::Status::Missing,
                      "device '" + device.name + "' lacks what the build needs: " + join(o.probe.missing, "; "));
    o.install_id = bundle.id + "-" + o.probe.arch;
    if (options.probe_only) return finish(InstallOutcome::Status::Probed, describe_probe(o.probe));

    // The bundle goes over the device's shared connection to a private name under the install root.
    emit(InstallEvent::Kind::Stage, "upload");
    const std::string remote_bundle = ".cache/tailprune/agent/incoming/" + bundle.id + "-" + std::to_string(::getpid()) +
                                      "-" + std::to_string(std::chrono::system_clock::now().time_since_epoch().count()) +
                                      ".tar.gz";
    auto stopped = [&cb] { return cb.cancelled && cb.cancelled(); };
    try {
        RemoteRun up = run_remote(ssh_argv_for_words(device, ssh, {"sh", "-c", agent_upload_script(), "sh", "upload",
                                                                   remote_bundle}),
                                  ssh, bundle.tarball, {}, stopped, options.timeout_s);
        if (up.cancelled) return finish(InstallOutcome::Status::Cancelled, "cancelled while copying the bundle");
        if (up.timed_out) return finish(InstallOutcome::Status::Failed, "copying the bundle timed out");
        if (up.status == 255) throw_ssh_failure(device, up);
        if (up.status != 0)
            return finish(InstallOutcome::Status::Failed, "copying the bundle to " + describe_target(device) + " failed: " +
                                                              (up.stderr_tail.empty() ? "exit " + std::to_string(up.status)
                                                                                      : up.stderr_tail));
    } catch (const std::exception& e) {
        return finish(InstallOutcome::Status::Failed, e.what());
    }

    const int jobs = options.jobs > 0 ? options.jobs : suggested_build_jobs(o.probe);
    emit(InstallEvent::Kind::Note, "building with " + std::to_string(jobs) + " job(s) on " + device.name);
    std::deque<std::string> tail;
    std::string done_path, error;
    auto on_line = [&](const std::string& line) {
        InstallEvent e = parse_install_line(line);
        if (e.kind == InstallEvent::Kind::Log || e.kind == InstallEvent::Kind::Progress) {
            tail.push_back(e.text);
            if (tail.size() > kLogTailLines) tail.pop_front();
        }
        if (e.kind == InstallEvent::Kind::Done) done_path = e.text;
        if (e.kind == InstallEvent::Kind::Error) error = e.text;
        if (e.kind == InstallEvent::Kind::SelfCheck) o.self_check = e.self_check;
        if (cb.on_event) cb.on_event(e);
    };
    const double left_s = std::max(1.0, options.timeout_s - seconds_since(start));
    // On cancel or timeout the build on the device is ended through its lock's owner record (the
    // process group), while our ssh to it is still up; then our ssh ends.
    auto end_remote_build = [&] {
        emit(InstallEvent::Kind::Note, "ending the build on " + device.name);
        try {
            run_remote(ssh_argv_for_words(device, ssh, {"sh", "-c", agent_install_script(), "sh", "cancel", o.probe.arch}),
                       ssh, "", [&emit](const std::string& line) { emit(InstallEvent::Kind::Note, line); }, {}, 30);
        } catch (const std::exception&) {
            // The device is unreachable now: its lock turns stale and the next install takes it over.
        }
    };
    RemoteRun build;
    try {
        build = run_remote(ssh_argv_for_words(device, ssh,
                                              {"sh", "-c", agent_install_script(), "sh", "install", remote_bundle, bundle.id,
                                               o.probe.arch, std::to_string(jobs), std::to_string(options.timeout_s),
                                               o.probe.cmake, o.probe.torch_prefix}),
                           ssh, "", on_line, stopped, left_s, end_remote_build);
    } catch (const std::exception& e) {
        return finish(InstallOutcome::Status::Failed, e.what());
    }
    o.log_tail.assign(tail.begin(), tail.end());
    if (build.cancelled || build.timed_out) {
        if (build.cancelled) return finish(InstallOutcome::Status::Cancelled, "cancelled; the build on the device was ended");
        return finish(InstallOutcome::Status::Failed,
                      "the install did not finish within " + std::to_string(options.timeout_s) + " s (--timeout)");
    }
    if (build.status == 255 && done_path.empty()) {
        try {
            throw_ssh_failure(device, build);
        } catch (const std::exception& e) {
            return finish(InstallOutcome::Status::Failed, e.what());
        }
    }
    if (build.status != 0 || done_path.empty())
        return finish(InstallOutcome::Status::Failed,
                      "installing on " + describe_target(device) + " failed: " +
                          (!error.empty() ? error
                                          : "exit " + std::to_string(build.status) +
                                                (build.stderr_tail.empty() ? "" : " (" + build.stderr_tail + ")")));
    o.agent_path = done_path;
    return finish(InstallOutcome::Status::Installed, "installed " + o.install_id + " at " + done_path);
}

void record_agent_path(const std::string& devices_path, const std::string& device, const std::string& agent) {
    DeviceList list = load_device_list(devices_path);
    bool found = false;
    for (auto& d : list.devices)
        if (d.name == device) {
            d.agent = agent;
            found = true;
        }
    if (!found) throw std::runtime_error("device '" + device + "' is no longer in " + devices_path);
    save_device_list(list, devices_path);
}

}  // namespace tp::remote
