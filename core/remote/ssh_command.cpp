#include "core/remote/ssh_command.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <stdexcept>

#include <sys/stat.h>
#include <unistd.h>

#include "core/util/format_error.h"
#include "core/remote/shell_quote.h"
#include "core/util/sha256.h"

namespace tp::remote {

void apply_environment_overrides(SshOptions& o) {
    if (const char* persist = std::getenv("TAILPRUNE_SSH_PERSIST"); persist && *persist) {
        const int s = std::atoi(persist);
        o.master = s > 0;
        o.persist_s = s > 0 ? s : o.persist_s;
    }
}

std::string default_control_dir() {
    if (const char* run = std::getenv("XDG_RUNTIME_DIR"); run && *run) return std::string(run) + "/tailprune-ssh";
    return "/tmp/tailprune-ssh-" + std::to_string(getuid());
}

std::string ensure_private_dir(const std::string& dir) {
    if (mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST)
        throw std::runtime_error("cannot create the ssh control folder " + dir + ": " + std::strerror(errno));
    struct stat st {};
    if (lstat(dir.c_str(), &st) != 0)
        throw std::runtime_error("cannot read the ssh control folder " + dir + ": " + std::strerror(errno));
    if (!S_ISDIR(st.st_mode) || st.st_uid != getuid())
        throw std::runtime_error("the ssh control folder " + dir +
                                 " is not a folder of this user (a symlink or someone else's): remove it");
    if ((st.st_mode & 077) != 0 && chmod(dir.c_str(), 0700) != 0)
        throw std::runtime_error("cannot make " + dir + " private: " + std::strerror(errno));
    return dir;
}

std::string control_path(const DeviceEntry& d, const std::string& control_dir) {
    std::string key = d.name + '\n' + d.user + '\n' + d.host + '\n' + std::to_string(d.port) + '\n' + d.identity_file +
                      '\n' + d.jump + '\n' + d.ssh_config + '\n' + d.known_hosts;
    return control_dir + "/" + sha256_hex(key).substr(0, 16);
}

namespace {

// `env 'K=V' ... WORDS...`: the device's environment in front of a command, every word quoted.
std::string command_with_environment(const DeviceEntry& d, const std::vector<std::string>& words) {
    std::vector<std::string> all;
    if (!d.env.empty()) {
        all.push_back("env");
        for (const auto& [key, value] : d.env) all.push_back(key + "=" + value);
    }
    all.insert(all.end(), words.begin(), words.end());
    return shell_command_line(all);
}

}  // namespace

std::string remote_command(const DeviceEntry& d, const std::vector<std::string>& agent_args) {
    if (d.agent.empty())
        throw FormatError("agent", "device '" + d.name + "' has no agent yet: build one there with `tailprune device "
                                   "install " + d.name + "`, or give its absolute path (device add --replace --agent)");
    if (d.agent[0] != '/')
        throw FormatError("agent", "device '" + d.name + "' needs the agent's absolute path on the device");
    std::vector<std::string> words{d.agent};
    words.insert(words.end(), agent_args.begin(), agent_args.end());
    return command_with_environment(d, words);
}

namespace {

void add_common_options(std::vector<std::string>& argv, const DeviceEntry& d, const SshOptions& o) {
    auto opt = [&argv](const std::string& text) {
        argv.push_back("-o");
        argv.push_back(text);
    };
    if (!d.ssh_config.empty()) {
        argv.push_back("-F");
        argv.push_back(d.ssh_config);
    }
    if (!d.known_hosts.empty()) opt("UserKnownHostsFile=" + d.known_hosts);
    if (!d.identity_file.empty()) {
        argv.push_back("-i");
        argv.push_back(d.identity_file);
        opt("IdentitiesOnly=yes");
    }
    if (!d.jump.empty()) {
        argv.push_back("-J");
        argv.push_back(d.jump);
    }
    if (d.port) {
        argv.push_back("-p");
        argv.push_back(std::to_string(d.port));
    }
    if (o.master) {
        const std::string dir = o.control_dir.empty() ? default_control_dir() : o.control_dir;
        opt("ControlPath=" + control_path(d, dir));
    }
}

}  // namespace

std::vector<std::string> ssh_argv(const DeviceEntry& d, const SshOptions& o, const std::vector<std::string>& agent_args) {
    return ssh_argv_for_command(d, o, remote_command(d, agent_args));
}

std::vector<std::string> ssh_argv_for_words(const DeviceEntry& d, const SshOptions& o,
                                            const std::vector<std::string>& words) {
    return ssh_argv_for_command(d, o, command_with_environment(d, words));
}

std::vector<std::string> ssh_argv_for_command(const DeviceEntry& d, const SshOptions& o,
                                              const std::string& command_line) {
    if (d.is_local()) throw std::logic_error("ssh_argv called for a local device");
    validate(d);
    std::vector<std::string> argv{o.ssh_program, "-T"};
    auto opt = [&argv](const std::string& text) {
        argv.push_back("-o");
        argv.push_back(text);
    };
    opt("StrictHostKeyChecking=accept-new");
    opt("ServerAliveInterval=" + std::to_string(o.alive_interval_s));
    opt("ServerAliveCountMax=" + std::to_string(o.alive_count));
    opt("ConnectTimeout=" + std::to_string(o.connect_timeout_s));
    opt(o.askpass.empty() ? "BatchMode=yes" : "BatchMode=no");
    opt("PasswordAuthentication=no");        // keys only: a password is never asked for
    opt("KbdInteractiveAuthentication=no");
    opt("ForwardAgent=no");
    opt("ClearAllForwardings=yes");         // no port is opened on either side
    opt("RequestTTY=no");
    if (o.master) {
        ensure_private_dir(o.control_dir.empty() ? default_control_dir() : o.control_dir);
        opt("ControlMaster=auto");
        opt("ControlPersist=" + std::to_string(o.persist_s));
    } else {
        opt("ControlMaster=no");
        opt("ControlPath=none");
    }
    add_common_options(argv, d, o);
    argv.push_back("--");
    argv.push_back(d.destination());
    argv.push_back(command_line);
    return argv;
}

std::vector<std::string> ssh_master_exit_argv(const DeviceEntry& d, const SshOptions& o) {
    std::vector<std::string> argv{o.ssh_program, "-O", "exit"};
    add_common_options(argv, d, o);
    argv.push_back("--");
    argv.push_back(d.destination());
    return argv;
}

std::map<std::string, std::string> ssh_environment(const SshOptions& o) {
    if (o.askpass.empty()) return {};
    std::map<std::string, std::string> env{{"SSH_ASKPASS", o.askpass}, {"SSH_ASKPASS_REQUIRE", "force"}, {"TAILPRUNE_ASKPASS", "1"}};
    if (!o.askpass_socket.empty()) env["TAILPRUNE_ASKPASS_SOCKET"] = o.askpass_socket;
    return env;
}

std::string known_hosts_file(const DeviceEntry& d) {
    if (!d.known_hosts.empty()) return d.known_hosts;
    const char* home = std::getenv("HOME");
    return std::string(home && *home ? home : ".") + "/.ssh/known_hosts";
}

std::string known_hosts_name(const DeviceEntry& d) {
    if (d.port == 0 || d.port == 22) return d.host;
    return "[" + d.host + "]:" + std::to_string(d.port);
}

}  // namespace tp::remote
