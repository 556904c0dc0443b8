#pragma once
#include <map>
#include <string>
#include <vector>

#include "core/remote/device_list.h"

namespace tp::remote {

// How the system OpenSSH client is started for a device. Never a shell on our side: an argv list.
struct SshOptions {
    std::string ssh_program = "ssh";
    bool master = true;               // share one ControlMaster connection per device
    int persist_s = 300;              // ControlPersist: later commands skip the handshake
    int connect_timeout_s = 10;
    int alive_interval_s = 2;         // ServerAliveInterval x ServerAliveCountMax: a dead link
    int alive_count = 3;              // is noticed within ~6 s
    std::string askpass;              // program for SSH_ASKPASS; empty: BatchMode=yes (no prompts)
    std::string askpass_socket;       // where that program asks (the studio's dialog); empty: the terminal
    std::string control_dir;          // private folder for control sockets; empty: default_control_dir()
};

// TAILPRUNE_SSH_PERSIST=SECONDS overrides ControlPersist for the CLI and the studio alike (0: no
// shared master connection at all).
void apply_environment_overrides(SshOptions& options);

// $XDG_RUNTIME_DIR/tailprune-ssh, else /tmp/tailprune-ssh-UID: created 0700, refused when another
// user owns it or it is a symlink (a planted socket folder would see our connections).
std::string default_control_dir();
std::string ensure_private_dir(const std::string& dir);  // returns dir; throws std::runtime_error

// The short control socket path of one device: the folder plus a hash of everything that decides
// where and how ssh connects, so two entries for one host never share a master by accident.
std::string control_path(const DeviceEntry& device, const std::string& control_dir);

// The command the device's login shell runs: `env 'K=V' ... '/abs/agent' 'arg' ...`, every word
// single-quoted. Throws tp::FormatError when the agent path is not absolute.
std::string remote_command(const DeviceEntry& device, const std::vector<std::string>& agent_args);

// argv of `ssh` for running `agent_args` on the device: -T, accept-new host keys, keepalives,
// ConnectTimeout, BatchMode or askpass, the device's config/known_hosts/identity/jump/port,
// ControlMaster, then `--`, the destination and the remote command.
std::vector<std::string> ssh_argv(const DeviceEntry& device, const SshOptions& options,
                                  const std::vector<std::string>& agent_args);

// The same ssh argv for a command that is not the agent (`device install` runs `sh -c SCRIPT sh
// ARGS...` there): every word single-quoted, the device's environment put in front with `env`.
std::vector<std::string> ssh_argv_for_words(const DeviceEntry& device, const SshOptions& options,
                                            const std::vector<std::string>& words);
// Both of the above end here: `command_line` must already be quoted (remote_command, shell_command_line).
std::vector<std::string> ssh_argv_for_command(const DeviceEntry& device, const SshOptions& options,
                                              const std::string& command_line);
// argv that asks the device's master connection to exit (`ssh -O exit`), for a clean stop.
std::vector<std::string> ssh_master_exit_argv(const DeviceEntry& device, const SshOptions& options);

// Environment added to ssh's: SSH_ASKPASS and SSH_ASKPASS_REQUIRE=force when `askpass` is set,
// and TAILPRUNE_ASKPASS_SOCKET when the answer comes from a socket (a path, never a secret).
std::map<std::string, std::string> ssh_environment(const SshOptions& options);

// The known_hosts file ssh will use for this device and the name it files the host under
// (`host` or `[host]:port`), for printing the fingerprint on first contact.
std::string known_hosts_file(const DeviceEntry& device);
std::string known_hosts_name(const DeviceEntry& device);

}  // namespace tp::remote
