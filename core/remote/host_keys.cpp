#include "core/remote/host_keys.h"

#include "core/remote/child_process.h"
#include "core/remote/ssh_command.h"

namespace tp::remote {

bool host_key_known(const DeviceEntry& d) {
    if (d.is_local()) return true;
    std::string out;
    return run_short_helper({"ssh-keygen", "-F", known_hosts_name(d), "-f", known_hosts_file(d)}, "", out, 5000) == 0 && !out.empty();
}

std::optional<std::string> host_key_fingerprint(const DeviceEntry& d) {
    if (d.is_local()) return std::nullopt;
    std::string out;
    if (run_short_helper({"ssh-keygen", "-l", "-F", known_hosts_name(d), "-f", known_hosts_file(d)}, "", out, 5000) != 0) return std::nullopt;
    // Lines: "# Host [127.0.0.1]:2222 found: line 1" then "[127.0.0.1]:2222 ED25519 SHA256:..."
    std::size_t start = 0;
    while (start < out.size()) {
        std::size_t end = out.find('\n', start);
        if (end == std::string::npos) end = out.size();
        const std::string line = out.substr(start, end - start);
        if (!line.empty() && line[0] != '#') {
            const auto sha = line.find("SHA256:");
            const auto sp = line.find(' ');
            const std::string type = sp == std::string::npos ? "" : line.substr(sp + 1, line.find(' ', sp + 1) - sp - 1);
            if (sha != std::string::npos)
                return line.substr(sha, line.find(' ', sha) == std::string::npos ? std::string::npos : line.find(' ', sha) - sha) +
                       (type.empty() ? "" : " (" + type + ")");
        }
        start = end + 1;
    }
    return std::nullopt;
}

}  // namespace tp::remote
