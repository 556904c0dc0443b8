#pragma once
// `tailprune device install NAME` (issue 22, docs/remote-devices.md "Installing the agent"): the
// agent's source bundle is copied to an SSH device over the device's shared connection, built
// there under a mkdir lock, self-checked and switched into place atomically; the device entry
// then points at it. The CLI and the studio both drive install_agent(); it runs the system ssh
// from argv lists only, streams the build's log, and stops on cancel or timeout (ending the build
// on the device too).
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/remote/agent_probe.h"
#include "core/remote/device_list.h"
#include "core/remote/ssh_command.h"

namespace tp::remote {

// The source bundle the build made beside the binaries (cmake/agent_bundle.cmake).
struct AgentBundle {
    std::string tarball;      // .../tailprune-agent-VERSION-src.tar.gz
    std::string manifest;     // the same name with .json: its bundle.json
    std::string id;           // VERSION-<source hash prefix>, names the install folder with the arch
    std::string version;
    std::string source_hash;
};

// The bundle `explicit_tarball` names (its manifest beside it), else the one in `executable_dir`
// for this tailprune's version. Throws std::runtime_error saying what is missing and how to get it.
AgentBundle find_agent_bundle(const std::string& executable_dir, const std::string& explicit_tarball = {});

// One line of the install's output, classified.
struct InstallEvent {
    enum class Kind { Log, Stage, Progress, Note, SelfCheck, Done, Error };
    Kind kind = Kind::Log;
    std::string text;         // the log line, stage name, note, final path or error
    int done = 0, total = 0;  // Progress: "[12/150]" (Ninja) or "[ 45%]" (make: total 100)
    nlohmann::json self_check;
};
// Build log lines become Log, or Progress when they carry Ninja's or make's counter (the text is
// kept); the script's own `tp-install: ...` lines become the other kinds.
InstallEvent parse_install_line(const std::string& line);
const char* to_string(InstallEvent::Kind kind);

struct InstallOptions {
    int jobs = 0;             // 0: suggested_build_jobs(probe)
    int timeout_s = 7200;     // the whole install; also the age after which a lock is stale
    int probe_timeout_s = 120;
    bool probe_only = false;  // stop after the probe (`device install --probe`)
};

struct InstallCallbacks {
    std::function<void(const DeviceProbe&)> on_probe;
    std::function<void(const InstallEvent&)> on_event;
    std::function<bool()> cancelled;  // polled about every 100 ms
};

struct InstallOutcome {
    enum class Status { Installed, Probed, Missing, Failed, Cancelled };
    Status status = Status::Failed;
    std::string message;                 // one line: the error, what is missing, or where it went
    std::string agent_path;              // when Installed
    std::string install_id;              // ID-ARCH
    DeviceProbe probe;
    nlohmann::json self_check;
    std::vector<std::string> log_tail;   // the build's last lines, for an error report
    double seconds = 0;
};
const char* to_string(InstallOutcome::Status status);

// Probes the device (one ssh call on its shared connection). Throws ConnectionError when ssh
// cannot reach it (the message says why: refused, host key, authentication, ...).
DeviceProbe probe_device(const DeviceEntry& device, const SshOptions& ssh, int timeout_s = 120);

// Probe, upload, build, self-check, switch. Never throws for a device problem: the outcome says it.
InstallOutcome install_agent(const DeviceEntry& device, const SshOptions& ssh, const AgentBundle& bundle,
                             const InstallOptions& options, const InstallCallbacks& callbacks);

// Puts `agent` into the entry `device` of the device list at `devices_path` (atomic rewrite).
void record_agent_path(const std::string& devices_path, const std::string& device, const std::string& agent);

}  // namespace tp::remote
