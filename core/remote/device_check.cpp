#include "core/remote/device_check.h"

#include <csignal>
#include <ctime>
#include <filesystem>
#include <fstream>

#include <poll.h>
#include <sys/stat.h>

#include "core/agent/client_protocol.h"
#include "core/remote/child_process.h"
#include "core/remote/host_keys.h"
#include "core/remote/ssh_command.h"
#include "core/util/utc_time.h"

namespace tp::remote {

using nlohmann::json;

const char* to_string(DeviceState s) {
    switch (s) {
        case DeviceState::Unknown: return "unknown";
        case DeviceState::Ready: return "ready";
        case DeviceState::Unreachable: return "unreachable";
        case DeviceState::HostKeyUnknown: return "host_key_unknown";
        case DeviceState::HostKeyChanged: return "host_key_changed";
        case DeviceState::PassphraseNeeded: return "passphrase_needed";
        case DeviceState::AgentMissing: return "agent_missing";
        case DeviceState::WrongVersion: return "wrong_version";
        case DeviceState::Failed: return "failed";
    }
    return "unknown";
}

DeviceState state_for(ConnectionFailure f) {
    switch (f) {
        case ConnectionFailure::Refused:
        case ConnectionFailure::Unreachable:
        case ConnectionFailure::LinkLost: return DeviceState::Unreachable;
        case ConnectionFailure::HostKeyChanged: return DeviceState::HostKeyChanged;
        case ConnectionFailure::HostKeyUnknown: return DeviceState::HostKeyUnknown;
        case ConnectionFailure::Authentication: return DeviceState::PassphraseNeeded;
        case ConnectionFailure::AgentMissing:
        case ConnectionFailure::AgentNotExecutable: return DeviceState::AgentMissing;
        case ConnectionFailure::Upgrade: return DeviceState::WrongVersion;
        default: return DeviceState::Failed;
    }
}

std::vector<std::string> missing_capabilities(const json& hello) {
    std::vector<std::string> missing;
    const json caps = hello.value("capabilities", json::object());
    if (!caps.value("cuda", false)) missing.push_back("no CUDA: this agent measures on the CPU only");
    const std::string torch = hello.value("torch", std::string());
    if (torch.empty() || torch == "none") missing.push_back("no LibTorch: this agent cannot run models");
    if (!caps.value("evaluate", false)) missing.push_back("no evaluation (accuracy) support");
    return missing;
}

namespace {

}  // namespace

json DeviceCheck::to_json() const {
    json out = {{"status", to_string(state)},
                {"connect_ms", connect_ms},
                {"round_trip_ms", round_trip_ms},
                {"skipped_lines", skipped_lines},
                {"first_contact", first_contact},
                {"missing", missing},
                {"checked_at", checked_at}};
    if (state == DeviceState::Ready) {
        out["agent"] = hello.value("agent", "");
        out["protocol"] = hello.value("protocol", 0);
        out["torch"] = hello.value("torch", "");
        out["devices"] = hello.value("devices", json::array());
        out["host"] = hello.value("host", json::object());
        out["capabilities"] = hello.value("capabilities", json::object());
        if (hello.contains("slurm")) out["slurm"] = hello["slurm"];  // the job, node and GPUs (Slurm devices)
        if (hello.contains("board")) out["board"] = hello["board"];  // a Jetson's clocks (protocol 5)
    } else {
        out["error"] = message;
    }
    if (host_key) out["host_key"] = *host_key;
    return out;
}

DeviceCheck check_device(const ConnectOptions& options) {
    DeviceCheck c;
    c.checked_at = iso8601_utc_now();
    // A slurm device's ssh host is its login device (none when srun runs here).
    const bool keyed = options.device.is_slurm() ? options.slurm.via_login() : !options.device.is_local();
    const DeviceEntry& ssh_device = options.device.is_slurm() ? options.slurm.login : options.device;
    const bool known_before = !keyed || host_key_known(ssh_device);
    if (!options.device.is_local() && options.device.agent.empty()) {  // added, not installed yet
        c.state = DeviceState::AgentMissing;
        c.message = "device '" + options.device.name + "' has no agent yet: build one there with `tailprune device install " +
                    options.device.name + "`";
        return c;
    }
    try {
        auto connection = AgentConnection::open(options);
        c.round_trip_ms = connection->ping();
        c.connect_ms = connection->handshake_ms();
        c.hello = connection->hello();
        c.skipped_lines = connection->skipped_lines().size();
        connection->close();
        c.state = DeviceState::Ready;
        c.message = agent::describe_hello(c.hello);
        c.missing = missing_capabilities(c.hello);
    } catch (const ConnectionError& e) {
        c.state = state_for(e.kind);
        c.message = e.what();
    } catch (const std::exception& e) {
        c.state = DeviceState::Failed;
        c.message = e.what();
    }
    if (keyed) {
        c.host_key = host_key_fingerprint(ssh_device);
        c.first_contact = !known_before && c.host_key.has_value() && c.state != DeviceState::HostKeyChanged;
    }
    return c;
}

std::optional<ScannedHostKey> scan_host_key(const DeviceEntry& d, int timeout_s) {
    if (d.is_local() || !d.jump.empty()) return std::nullopt;  // a jump host's target cannot be scanned directly
    std::vector<std::string> argv{"ssh-keyscan", "-T", std::to_string(timeout_s), "-t", "ed25519"};
    if (d.port) {
        argv.push_back("-p");
        argv.push_back(std::to_string(d.port));
    }
    argv.push_back("--");
    argv.push_back(d.host);
    std::string out;
    run_short_helper(argv, "", out, (timeout_s + 2) * 1000);
    std::string line;
    for (std::size_t start = 0; start < out.size();) {
        std::size_t end = out.find('\n', start);
        if (end == std::string::npos) end = out.size();
        std::string l = out.substr(start, end - start);
        if (!l.empty() && l[0] != '#') {
            line = l;
            break;
        }
        start = end + 1;
    }
    if (line.empty()) return std::nullopt;
    std::string fp;
    run_short_helper({"ssh-keygen", "-l", "-f", "-"}, line + "\n", fp, 5000);
    const auto sha = fp.find("SHA256:");
    if (sha == std::string::npos) return std::nullopt;
    const auto sp = fp.find(' ', sha);
    const std::string digest = fp.substr(sha, sp == std::string::npos ? std::string::npos : sp - sha);
    const auto open = fp.rfind('(');
    const std::string type = open == std::string::npos ? "" : " " + fp.substr(open, fp.find(')', open) - open + 1);
    return ScannedHostKey{line, digest + type};
}

void record_host_key(const DeviceEntry& d, const ScannedHostKey& key) {
    const std::string file = known_hosts_file(d);
    std::error_code ec;
    const auto parent = std::filesystem::path(file).parent_path();
    if (!parent.empty()) std::filesystem::create_directories(parent, ec);
    std::ofstream out(file, std::ios::app);
    if (!out) throw std::runtime_error("cannot write " + file);
    out << key.known_hosts_line << "\n";
    out.close();
    chmod(file.c_str(), 0600);
}

}  // namespace tp::remote
