#pragma once
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace tp::remote {

// One machine the CLI and the studio can run the agent on (devices.json, resources/schemas/
// devices.schema.json). `local` always exists and needs no entry.
struct DeviceEntry {
    std::string name;
    std::string transport = "ssh";    // local | ssh | slurm
    std::string user;                 // empty: OpenSSH's default (ssh_config, then the login name)
    std::string host;
    int port = 0;                     // 0: OpenSSH's default
    std::string identity_file;
    std::string jump;                 // ProxyJump host ([user@]host[:port]), optional
    std::string ssh_config;           // a config file used instead of ~/.ssh/config, optional
    std::string known_hosts;          // a known_hosts file used instead of ~/.ssh/known_hosts, optional
    std::string agent;                // absolute path of `tailprune` on the device; empty: `tailprune` (local only)
    std::map<std::string, std::string> env;  // extra environment for the agent (LD_LIBRARY_PATH, ...)
    std::string notes;
    // transport slurm (docs/cluster.md): the agent runs as one Slurm task, `srun -n1 ... AGENT agent`.
    std::string login;                // an ssh device where srun runs (a login node); empty: this machine
    std::string srun;                 // srun's path there; empty: `srun` from PATH
    std::string partition, account;   // --partition, --account (empty: Slurm's defaults)
    std::string time_limit;           // --time (Slurm's forms: MM, HH:MM:SS, D-HH, ...)
    std::string gres, gpus;           // --gres (e.g. gpu:a100:1), --gpus (e.g. 1 or a100:1)
    int cpus_per_task = 0;            // --cpus-per-task; 0: Slurm's default
    std::vector<std::string> srun_flags;  // more srun options, one argv word each (no --pty, no -u)
    std::string sessions_dir;         // batch sessions' root on shared storage (absolute); empty: the agent's default

    bool is_local() const { return transport == "local"; }
    bool is_slurm() const { return transport == "slurm"; }
    std::string destination() const;  // user@host (or host)
};

struct DeviceList {
    std::vector<DeviceEntry> devices;  // never holds `local`: that one is implicit

    const DeviceEntry* find(const std::string& name) const;
};

DeviceEntry local_device();

// $TAILPRUNE_DEVICES, else $XDG_CONFIG_HOME/tailprune/devices.json, else ~/.config/tailprune/devices.json.
std::string default_devices_path();

// Strict reader (unknown fields, bad names, relative agent paths, destinations starting with '-'
// are errors naming the file, line and field). A missing file is an empty list.
DeviceList load_device_list(const std::string& path);
DeviceList device_list_from_json(const nlohmann::json& doc);
nlohmann::json to_json(const DeviceList& list);
void save_device_list(const DeviceList& list, const std::string& path);  // atomic, folder made as needed

// "[user@]host" as typed (`device add --ssh`, the studio's form) into the entry's user and host.
void set_destination(DeviceEntry& device, const std::string& user_at_host);
// "KEY=VALUE" as typed into the entry's environment; false when there is no '=' or no key.
bool add_env_assignment(DeviceEntry& device, const std::string& assignment);

// Checks one entry (the same rules as the reader); throws tp::FormatError naming the field.
void validate(const DeviceEntry& device);

// The rules that need the whole list (`device add` and the studio's form): a slurm entry's
// `login` names an ssh device of `list` (a login node), not itself. Throws tp::FormatError("login").
void validate_in_list(const DeviceEntry& device, const DeviceList& list);
// What a slurm entry may name as its `login`: the ssh devices of the list, in list order.
std::vector<std::string> login_candidates(const DeviceList& list);

// The device named `name` from the list at `path` (`local` without a file). Throws
// tp::FormatError listing the known names when there is none.
DeviceEntry find_device(const std::string& name, const std::string& path = default_devices_path());

}  // namespace tp::remote
