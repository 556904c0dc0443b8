#include "core/remote/device_list.h"

#include <cstdlib>
#include <filesystem>
#include <regex>

#include "core/util/format_error.h"
#include "core/util/json_reader.h"

namespace tp::remote {

using nlohmann::json;
namespace fs = std::filesystem;

namespace {

constexpr const char* kFormat = "tailprune-devices";

// Names go into file names (control sockets, caches) and onto command lines: keep them plain.
bool plain_name(const std::string& name) {
    static const std::regex re("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
    return std::regex_match(name, re);
}

bool env_key(const std::string& key) {
    static const std::regex re("[A-Za-z_][A-Za-z0-9_]{0,127}");
    return std::regex_match(key, re);
}

// What OpenSSH would read as an option, or what could never be a host or user name.
bool unsafe_ssh_word(const std::string& word) {
    if (word.empty()) return false;
    if (word[0] == '-') return true;
    for (char c : word)
        if (static_cast<unsigned char>(c) < 0x21 || c == '\'' || c == '"' || c == '\\' || c == '`' || c == '$' || c == ';')
            return true;
    return false;
}

std::vector<std::pair<const char*, const std::string*>> slurm_fields(const DeviceEntry& d) {
    return {{"login", &d.login},         {"srun", &d.srun}, {"partition", &d.partition}, {"account", &d.account},
            {"time_limit", &d.time_limit}, {"gres", &d.gres}, {"gpus", &d.gpus}, {"sessions_dir", &d.sessions_dir}};
}

// A Slurm device: the agent starts as `srun -n1 ... AGENT agent` here or on the login device.
// Every value becomes one argv word (`--partition=VALUE`); none may hold control characters.
void validate_slurm(const DeviceEntry& d) {
    if (d.name == "local") throw FormatError("name", "'local' is this machine and cannot be a slurm device");
    if (!d.host.empty() || !d.user.empty() || d.port || !d.jump.empty() || !d.identity_file.empty() ||
        !d.ssh_config.empty() || !d.known_hosts.empty())
        throw FormatError(!d.host.empty() ? "host" : "login",
                          "a slurm device reaches a login node through an ssh device named in 'login', not "
                          "host/user/port/jump/identity_file/ssh_config/known_hosts of its own");
    if (d.agent.empty())
        throw FormatError("agent", "a slurm device needs the agent's absolute path on the compute nodes (a shared "
                                   "folder)");
    if (!d.login.empty() && !plain_name(d.login))
        throw FormatError("login", "'" + d.login + "' is not a device name (an ssh device of this list)");
    if (d.login == "local") throw FormatError("login", "leave 'login' out to run srun on this machine");
    for (const auto& [field, value] : slurm_fields(d)) {
        if (field == std::string("login")) continue;
        for (char c : *value)
            if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f)
                throw FormatError(field, "holds a control character");
        if (!value->empty() && (*value)[0] == '-') throw FormatError(field, "'" + *value + "' must not start with '-'");
    }
    // Slurm's own forms, so a typo is named here rather than by srun at the first allocation.
    static const std::regex time_re("[0-9]+(:[0-9]+){0,2}|[0-9]+-[0-9]+(:[0-9]+){0,2}|INFINITE|UNLIMITED|infinite|unlimited");
    if (!d.time_limit.empty() && !std::regex_match(d.time_limit, time_re))
        throw FormatError("time_limit", "'" + d.time_limit +
                                            "' is not a Slurm time (MM, MM:SS, HH:MM:SS, D-HH, D-HH:MM, D-HH:MM:SS or "
                                            "UNLIMITED)");
    static const std::regex gpus_re("([A-Za-z0-9_.-]+:)?[0-9]+");
    if (!d.gpus.empty() && !std::regex_match(d.gpus, gpus_re))
        throw FormatError("gpus", "'" + d.gpus + "' is not a GPU count ([type:]N, e.g. 1 or a100:1)");
    if (!d.srun.empty() && d.srun.find('/') != std::string::npos && d.srun[0] != '/')
        throw FormatError("srun", "'" + d.srun + "' must be an absolute path or a plain program name");
    if (!d.sessions_dir.empty() && d.sessions_dir[0] != '/')
        throw FormatError("sessions_dir", "'" + d.sessions_dir + "' must be an absolute path (a shared folder)");
    if (d.cpus_per_task < 0 || d.cpus_per_task > 4096) throw FormatError("cpus_per_task", "must be between 1 and 4096");
    for (std::size_t i = 0; i < d.srun_flags.size(); ++i) {
        const std::string& f = d.srun_flags[i];
        const std::string where = "srun_flags/" + std::to_string(i);
        if (f.empty() || f[0] != '-') throw FormatError(where, "'" + f + "' is not an srun option (starts with '-')");
        for (char c : f)
            if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) throw FormatError(where, "holds a control character");
        // The protocol needs srun's plain stdio pipe: no pseudo-terminal, no line-unbuffered relay.
        const std::string name = f.substr(0, f.find('='));
        if (name == "--pty" || name == "-u" || name == "--unbuffered")
            throw FormatError(where, "'" + f + "' breaks the agent's stdio pipe (no --pty, no -u)");
    }
}

DeviceEntry entry_from_json(const JsonReader& r) {
    r.only_keys({"name", "transport", "user", "host", "port", "identity_file", "jump", "ssh_config", "known_hosts",
                 "agent", "env", "notes", "login", "srun", "partition", "account", "time_limit", "gres", "gpus",
                 "cpus_per_task", "srun_flags", "sessions_dir"});
    DeviceEntry d;
    d.name = r.str("name");
    d.transport = r.str_or("transport", "ssh");
    d.user = r.str_or("user", "");
    d.host = r.str_or("host", "");
    const long long port = r.integer_or("port", 0);
    if (port < 0 || port > 65535) r.fail("port", "must be between 1 and 65535");
    d.port = static_cast<int>(port);
    d.identity_file = r.str_or("identity_file", "");
    d.jump = r.str_or("jump", "");
    d.ssh_config = r.str_or("ssh_config", "");
    d.known_hosts = r.str_or("known_hosts", "");
    d.agent = r.str_or("agent", "");
    d.notes = r.str_or("notes", "");
    d.login = r.str_or("login", "");
    d.srun = r.str_or("srun", "");
    d.partition = r.str_or("partition", "");
    d.account = r.str_or("account", "");
    d.time_limit = r.str_or("time_limit", "");
    d.gres = r.str_or("gres", "");
    d.gpus = r.str_or("gpus", "");
    d.sessions_dir = r.str_or("sessions_dir", "");
    const long long cpus = r.integer_or("cpus_per_task", 0);
    if (cpus < 0 || cpus > 4096) r.fail("cpus_per_task", "must be between 1 and 4096");
    d.cpus_per_task = static_cast<int>(cpus);
    if (const json* flags_node = r.opt_array("srun_flags")) {
        const json& flags = *flags_node;
        for (std::size_t i = 0; i < flags.size(); ++i) {
            if (!flags[i].is_string()) r.fail("srun_flags/" + std::to_string(i), "must be a string");
            d.srun_flags.push_back(flags[i].get<std::string>());
        }
    }
    if (auto env = r.opt_object("env")) {
        for (auto it = env->node().begin(); it != env->node().end(); ++it) {
            if (!it.value().is_string()) env->fail(it.key(), "must be a string");
            d.env[it.key()] = it.value().get<std::string>();
        }
    }
    try {
        validate(d);
    } catch (const FormatError& e) {
        throw FormatError(r.path() + "/" + e.where(), e.problem());
    }
    return d;
}

}  // namespace

void set_destination(DeviceEntry& d, const std::string& user_at_host) {
    const auto at = user_at_host.rfind('@');
    d.user = at == std::string::npos ? "" : user_at_host.substr(0, at);
    d.host = at == std::string::npos ? user_at_host : user_at_host.substr(at + 1);
}

bool add_env_assignment(DeviceEntry& d, const std::string& assignment) {
    const auto eq = assignment.find('=');
    if (eq == std::string::npos || eq == 0) return false;
    d.env[assignment.substr(0, eq)] = assignment.substr(eq + 1);
    return true;
}

std::string DeviceEntry::destination() const { return user.empty() ? host : user + "@" + host; }

const DeviceEntry* DeviceList::find(const std::string& name) const {
    for (const auto& d : devices)
        if (d.name == name) return &d;
    return nullptr;
}

DeviceEntry local_device() {
    DeviceEntry d;
    d.name = "local";
    d.transport = "local";
    d.notes = "this machine";
    return d;
}

std::string default_devices_path() {
    if (const char* env = std::getenv("TAILPRUNE_DEVICES"); env && *env) return env;
    if (const char* xdg = std::getenv("XDG_CONFIG_HOME"); xdg && *xdg) return std::string(xdg) + "/tailprune/devices.json";
    const char* home = std::getenv("HOME");
    return std::string(home && *home ? home : ".") + "/.config/tailprune/devices.json";
}

void validate(const DeviceEntry& d) {
    if (!plain_name(d.name))
        throw FormatError("name", "'" + d.name + "' is not a device name (letters, digits, '.', '_', '-'; up to 64)");
    if (d.transport != "local" && d.transport != "ssh" && d.transport != "slurm")
        throw FormatError("transport", "'" + d.transport + "' is not a transport (local | ssh | slurm)");
    if (!d.is_slurm()) {
        for (const auto& [field, value] : slurm_fields(d))
            if (!value->empty()) throw FormatError(field, "only a slurm device has '" + std::string(field) + "'");
        if (d.cpus_per_task) throw FormatError("cpus_per_task", "only a slurm device has 'cpus_per_task'");
        if (!d.srun_flags.empty()) throw FormatError("srun_flags", "only a slurm device has 'srun_flags'");
    }
    if (d.is_slurm()) {
        validate_slurm(d);
    } else if (d.is_local()) {
        if (!d.host.empty()) throw FormatError("host", "a local device has no host");
    } else {
        if (d.name == "local") throw FormatError("name", "'local' is this machine and cannot be an ssh device");
        if (d.host.empty()) throw FormatError("host", "an ssh device needs a host");
        if (unsafe_ssh_word(d.host))
            throw FormatError("host", "'" + d.host + "' is not a host name (no leading '-', spaces or shell characters)");
        if (unsafe_ssh_word(d.user))
            throw FormatError("user", "'" + d.user + "' is not a user name (no leading '-', spaces or shell characters)");
        if (unsafe_ssh_word(d.jump))
            throw FormatError("jump", "'" + d.jump + "' is not a jump host (no leading '-', spaces or shell characters)");
        // No agent path yet is allowed: `device install` builds one there and records its path.
    }
    if (!d.agent.empty() && d.agent[0] != '/') throw FormatError("agent", "'" + d.agent + "' must be an absolute path");
    if (d.agent.find('\0') != std::string::npos) throw FormatError("agent", "the agent path holds a NUL character");
    for (const auto& [key, value] : d.env) {
        if (!env_key(key)) throw FormatError("env/" + key, "'" + key + "' is not an environment variable name");
        if (value.find('\0') != std::string::npos) throw FormatError("env/" + key, "holds a NUL character");
    }
    for (const auto* file : {&d.identity_file, &d.ssh_config, &d.known_hosts})
        if (!file->empty() && ((*file)[0] == '-' || file->find('\n') != std::string::npos))
            throw FormatError(file == &d.identity_file ? "identity_file" : file == &d.ssh_config ? "ssh_config" : "known_hosts",
                              "'" + *file + "' is not a usable file name");
}

void validate_in_list(const DeviceEntry& d, const DeviceList& list) {
    if (!d.is_slurm() || d.login.empty()) return;
    if (d.login == d.name) throw FormatError("login", "'" + d.login + "' is this device itself; name its login node");
    const DeviceEntry* login = list.find(d.login);
    std::string known;
    for (const std::string& n : login_candidates(list)) known += (known.empty() ? "" : ", ") + n;
    if (!login)
        throw FormatError("login", "no device named '" + d.login + "' in the list (ssh devices: " +
                                       (known.empty() ? std::string("none yet; add the login node first") : known) + ")");
    if (login->transport != "ssh")
        throw FormatError("login", "'" + d.login + "' is a " + login->transport +
                                       " device; the login node must be an ssh device (ssh devices: " +
                                       (known.empty() ? std::string("none yet") : known) + ")");
}

std::vector<std::string> login_candidates(const DeviceList& list) {
    std::vector<std::string> names;
    for (const auto& d : list.devices)
        if (d.transport == "ssh") names.push_back(d.name);
    return names;
}

DeviceList device_list_from_json(const json& doc) {
    JsonReader r(doc, "");
    if (!doc.is_object()) throw FormatError("", "a device list must be a JSON object");
    r.only_keys({"format", "format_version", "devices"});
    if (r.str("format") != kFormat) r.fail("format", std::string("must be \"") + kFormat + "\"");
    if (r.integer("format_version") != 1) r.fail("format_version", "must be 1 (this tailprune reads version 1)");
    DeviceList list;
    const json& devices = r.array("devices");
    for (std::size_t i = 0; i < devices.size(); ++i) {
        const std::string path = "/devices/" + std::to_string(i);
        if (!devices[i].is_object()) throw FormatError(path, "must be an object");
        DeviceEntry d = entry_from_json(JsonReader(devices[i], path));
        if (d.name == "local") throw FormatError(path + "/name", "'local' is built in; give the entry another name");
        if (list.find(d.name)) throw FormatError(path + "/name", "a device named '" + d.name + "' is listed twice");
        list.devices.push_back(std::move(d));
    }
    return list;
}

json to_json(const DeviceList& list) {
    json devices = json::array();
    for (const auto& d : list.devices) {
        json e = {{"name", d.name}, {"transport", d.transport}};
        if (!d.user.empty()) e["user"] = d.user;
        if (!d.host.empty()) e["host"] = d.host;
        if (d.port) e["port"] = d.port;
        if (!d.identity_file.empty()) e["identity_file"] = d.identity_file;
        if (!d.jump.empty()) e["jump"] = d.jump;
        if (!d.ssh_config.empty()) e["ssh_config"] = d.ssh_config;
        if (!d.known_hosts.empty()) e["known_hosts"] = d.known_hosts;
        if (!d.agent.empty()) e["agent"] = d.agent;
        if (!d.env.empty()) e["env"] = d.env;
        if (!d.notes.empty()) e["notes"] = d.notes;
        for (const auto& [field, value] : slurm_fields(d))
            if (!value->empty()) e[field] = *value;
        if (d.cpus_per_task) e["cpus_per_task"] = d.cpus_per_task;
        if (!d.srun_flags.empty()) e["srun_flags"] = d.srun_flags;
        devices.push_back(std::move(e));
    }
    return {{"format", kFormat}, {"format_version", 1}, {"devices", devices}};
}

DeviceList load_device_list(const std::string& path) {
    std::error_code ec;
    if (!fs::exists(path, ec)) return {};
    const std::string text = read_text_file(path);
    json doc = parse_json_text(text, path);
    try {
        return device_list_from_json(doc);
    } catch (const FormatError& e) {
        rethrow_with_line(e, text, path);
    }
}

void save_device_list(const DeviceList& list, const std::string& path) {
    const fs::path parent = fs::path(path).parent_path();
    std::error_code ec;
    if (!parent.empty()) fs::create_directories(parent, ec);
    write_text_file_atomically(path, to_json(list).dump(2) + "\n");
}

DeviceEntry find_device(const std::string& name, const std::string& path) {
    if (name == "local") return local_device();
    DeviceList list = load_device_list(path);
    if (const DeviceEntry* d = list.find(name)) return *d;
    std::string known = "local";
    for (const auto& d : list.devices) known += ", " + d.name;
    throw FormatError(path, "no device named '" + name + "' (known: " + known + "); add one with: tailprune device add " +
                                name + " --ssh USER@HOST --agent /abs/path/tailprune");
}

}  // namespace tp::remote
