// tailprune device add|list|check|remove|disconnect: the machines the agent runs on
// (docs/remote-devices.md). The list is data: $TAILPRUNE_DEVICES or ~/.config/tailprune/devices.json.
#include <iomanip>
#include <iostream>
#include <sstream>

#include "app/cli/cli_util.h"
#include "app/cli/command_registry.h"
#include "app/cli/remote_options.h"
#include "core/util/format_error.h"
#include "core/remote/child_process.h"
#include "core/remote/device_check.h"

namespace tp::cli {
namespace {

using nlohmann::json;

struct AddOptions {
    std::string name, ssh, identity, jump, agent, ssh_config, known_hosts, notes;
    int port = 0;
    std::vector<std::string> env;
    bool replace = false;
    // --slurm (docs/cluster.md)
    bool slurm = false;
    std::string login, srun, partition, account, time_limit, gres, gpus;
    int cpus_per_task = 0;
    std::vector<std::string> srun_flags;
    std::string sessions_dir;
};

remote::DeviceEntry entry_from(const AddOptions& a) {
    remote::DeviceEntry d;
    d.name = a.name;
    if (a.slurm == !a.ssh.empty())
        throw CommandError("device '" + a.name + "': give --ssh USER@HOST or --slurm (one of them)", 2);
    d.transport = a.slurm ? "slurm" : "ssh";
    if (!a.slurm) remote::set_destination(d, a.ssh);
    d.login = a.login;
    d.srun = a.srun;
    d.partition = a.partition;
    d.account = a.account;
    d.time_limit = a.time_limit;
    d.gres = a.gres;
    d.gpus = a.gpus;
    d.cpus_per_task = a.cpus_per_task;
    d.srun_flags = a.srun_flags;
    d.sessions_dir = a.sessions_dir;
    d.port = a.port;
    d.identity_file = a.identity;
    d.jump = a.jump;
    d.agent = a.agent;
    d.ssh_config = a.ssh_config;
    d.known_hosts = a.known_hosts;
    d.notes = a.notes;
    for (const auto& kv : a.env)
        if (!remote::add_env_assignment(d, kv)) throw CommandError("--env '" + kv + "': give KEY=VALUE");
    try {
        remote::validate(d);
    } catch (const FormatError& e) {
        throw CommandError("device '" + a.name + "': " + e.what(), 2);
    }
    return d;
}

json entry_json(const remote::DeviceEntry& d) {
    remote::DeviceList one;
    one.devices.push_back(d);
    return remote::to_json(one)["devices"][0];
}

void add_check(CLI::App& device) {
    auto name = std::make_shared<std::string>();
    auto as_json = std::make_shared<bool>(false);
    auto* cmd = device.add_subcommand("check", "Connect, say hello, print the device's identity and round trip");
    cmd->add_option("name", *name, "device name (local for this machine)")->required();
    cmd->add_flag("--json", *as_json, "print the result as JSON");
    cmd->callback([name, as_json] {
        const remote::ConnectOptions options = connect_options(*name);
        const remote::DeviceCheck c = remote::check_device(options);
        if (*as_json) {
            json out = c.to_json();
            out["device"] = *name;
            out["target"] = remote::describe_target(options.device);
            print_json(out);
            if (c.state != remote::DeviceState::Ready) throw CommandError(c.message, 3);
            return;
        }
        if (c.state != remote::DeviceState::Ready) throw CommandError(c.message, 3);
        if (c.first_contact)
            std::cout << "first contact: recorded host key " << *c.host_key << " of " << options.device.host << " in "
                      << remote::known_hosts_file(options.device) << "\n";
        std::cout << *name << ": ready — " << c.message << "\n";
        if (const json slurm = c.hello.value("slurm", json::object()); !slurm.empty()) {
            std::string gpus;  // the GPUs the task was given, by name when the agent sees CUDA
            for (const auto& dev : c.hello.value("devices", json::array()))
                if (dev.value("kind", "") == "cuda") gpus += (gpus.empty() ? "" : ", ") + dev.value("name", std::string("?"));
            std::cout << "  Slurm job " << slurm.value("job_id", "?") << " on node " << slurm.value("node", "?")
                      << (slurm.contains("partition") ? ", partition " + slurm.value("partition", "") : "") << ", GPU "
                      << (gpus.empty() ? std::string("none") : gpus)
                      << (slurm.contains("gpus") ? " (Slurm GPUs " + slurm.value("gpus", "") + ")" : "") << "\n";
        }
        const json host = c.hello.value("host", json::object());
        std::cout << "  host " << host.value("hostname", "?") << ", " << host.value("kernel", "?") << ", BLAS "
                  << host.value("blas", "?") << "\n";
        std::cout << std::fixed << std::setprecision(1) << "  connect + hello " << c.connect_ms << " ms, round trip "
                  << c.round_trip_ms << " ms\n";
        if (c.skipped_lines)
            std::cout << "  skipped " << c.skipped_lines << " line(s) the login printed before the agent (rc files, MOTD)\n";
        for (const auto& m : c.missing) std::cout << "  " << m << "\n";
    });
}

const CommandRegistrar reg(90, [](CLI::App& app) {
    auto* device = app.add_subcommand("device", "Devices the agent runs on: this machine or SSH hosts");
    device->require_subcommand(1);

    auto a = std::make_shared<AddOptions>();
    auto* add = device->add_subcommand("add", "Add (or with --replace, change) an SSH or Slurm device");
    add->add_option("name", a->name, "device name (letters, digits, . _ -)")->required();
    add->add_option("--ssh", a->ssh, "[USER@]HOST");
    add->add_option("--port", a->port, "ssh port")->check(CLI::Range(1, 65535));
    add->add_option("--identity", a->identity, "private key file");
    add->add_option("--jump", a->jump, "ProxyJump host [USER@]HOST[:PORT]");
    add->add_option("--agent", a->agent,
                    "absolute path of tailprune on the device (leave out for an ssh device you will `device install` on)");
    add->add_option("--env", a->env, "KEY=VALUE for the agent (repeat), e.g. LD_LIBRARY_PATH=/usr/local/cuda/lib64");
    add->add_option("--ssh-config", a->ssh_config, "ssh_config file to use instead of ~/.ssh/config");
    add->add_option("--known-hosts", a->known_hosts, "known_hosts file to use instead of ~/.ssh/known_hosts");
    add->add_option("--notes", a->notes, "free text");
    add->add_flag("--replace", a->replace, "replace an entry of that name");
    add->add_flag("--slurm", a->slurm, "a Slurm device: the agent runs as one task (srun -n1 ... AGENT agent)");
    add->add_option("--login", a->login, "slurm: the ssh device (login node) where srun runs; default: this machine");
    add->add_option("--srun", a->srun, "slurm: srun's path there (default: srun from PATH)");
    add->add_option("--partition", a->partition, "slurm: --partition");
    add->add_option("--account", a->account, "slurm: --account");
    add->add_option("--time", a->time_limit, "slurm: --time limit (MM, HH:MM:SS, D-HH:MM)");
    add->add_option("--gres", a->gres, "slurm: --gres, e.g. gpu:a100:1");
    add->add_option("--gpus", a->gpus, "slurm: --gpus, e.g. 1");
    add->add_option("--cpus-per-task", a->cpus_per_task, "slurm: --cpus-per-task")->check(CLI::Range(1, 4096));
    add->add_option("--srun-flag", a->srun_flags, "slurm: one more srun option (repeat), e.g. --exclusive")
        ->allow_extra_args(false);
    add->add_option("--sessions-dir", a->sessions_dir,
                    "slurm: where batch sessions (--sbatch) live, a folder shared by the login node and the compute nodes");
    add->callback([a] {
        const std::string path = remote::default_devices_path();
        if (a->name == "local") throw CommandError("'local' is this machine and always exists");
        remote::DeviceList list = remote::load_device_list(path);
        remote::DeviceEntry d = entry_from(*a);
        try {  // a slurm entry's login must be an ssh device of this list (the studio's form says the same)
            remote::validate_in_list(d, list);
        } catch (const FormatError& e) {
            throw CommandError("device '" + a->name + "': " + e.what(), 2);
        }
        bool replaced = false;
        for (auto& existing : list.devices)
            if (existing.name == d.name) {
                if (!a->replace) throw CommandError("a device named '" + d.name + "' exists; give --replace to change it");
                existing = d;
                replaced = true;
            }
        if (!replaced) list.devices.push_back(d);
        remote::save_device_list(list, path);
        std::cout << (replaced ? "replaced " : "added ") << d.name << " in " << path << "; check it with: tailprune device check "
                  << d.name << "\n";
    });

    auto list_json = std::make_shared<bool>(false);
    auto* list = device->add_subcommand("list", "List the devices");
    list->add_flag("--json", *list_json, "print the list as JSON");
    list->callback([list_json] {
        const std::string path = remote::default_devices_path();
        remote::DeviceList l = remote::load_device_list(path);
        if (*list_json) {
            json out = remote::to_json(l);
            out["devices"].insert(out["devices"].begin(), json{{"name", "local"}, {"transport", "local"}});
            out["path"] = path;
            return print_json(out);
        }
        std::cout << std::left << std::setw(16) << "NAME" << std::setw(8) << "VIA" << "WHERE\n";
        std::cout << std::setw(16) << "local" << std::setw(8) << "local" << "this machine\n";
        for (const auto& d : l.devices) {
            std::string where = d.destination() + (d.port ? ":" + std::to_string(d.port) : "");
            if (!d.jump.empty()) where += " via " + d.jump;
            if (d.is_slurm())
                where = "srun " + (d.login.empty() ? std::string("here") : "on " + d.login) +
                        (d.partition.empty() ? "" : " -p " + d.partition) + (d.gpus.empty() ? "" : " --gpus " + d.gpus) +
                        (d.gres.empty() ? "" : " --gres " + d.gres);
            std::cout << std::setw(16) << d.name << std::setw(8) << d.transport << where << "  agent " << d.agent
                      << (d.notes.empty() ? "" : "  # " + d.notes) << "\n";
        }
        std::cout << "(" << path << ")\n";
    });

    add_check(*device);

    auto remove_name = std::make_shared<std::string>();
    auto* remove = device->add_subcommand("remove", "Remove a device from the list");
    remove->add_option("name", *remove_name, "device name")->required();
    remove->callback([remove_name] {
        const std::string path = remote::default_devices_path();
        remote::DeviceList l = remote::load_device_list(path);
        const auto before = l.devices.size();
        l.devices.erase(std::remove_if(l.devices.begin(), l.devices.end(),
                                       [&](const remote::DeviceEntry& d) { return d.name == *remove_name; }),
                        l.devices.end());
        if (l.devices.size() == before) throw CommandError("no device named '" + *remove_name + "' in " + path);
        remote::save_device_list(l, path);
        std::cout << "removed " << *remove_name << " from " << path << "\n";
    });

    auto close_name = std::make_shared<std::string>();
    auto* disconnect = device->add_subcommand("disconnect", "Close the device's shared ssh connection (ControlMaster)");
    disconnect->add_option("name", *close_name, "device name")->required();
    disconnect->callback([close_name] {
        remote::ConnectOptions o = connect_options(*close_name);
        if (o.device.is_slurm()) o.device = o.slurm.login;  // its login node's connection
        if (o.device.name.empty() || o.device.is_local() || !o.ssh.master) return;
        remote::ChildProcess child = remote::ChildProcess::start(remote::ssh_master_exit_argv(o.device, o.ssh));
        child.close_stdin();
        child.wait_for(5000);
    });
});

}  // namespace
}  // namespace tp::cli
