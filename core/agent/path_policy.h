#pragma once
// Which files a request may name. The agent takes requests from whoever reaches it over SSH (or a
// relay); a request must not make it read or write outside the folders meant for it. Allowed by
// default: the user's home, the model folder ($TAILPRUNE_MODELS, else the shipped models), the
// datasets folder (/usr/share/datasets), the system's temporary folder and the agent's cache
// (~/.cache/tailprune); TAILPRUNE_AGENT_ROOTS (':'-separated) adds more. Paths are resolved
// (symbolic links and '..' included) before they are compared.
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace tp::agent {

struct PathPolicy {
    std::vector<std::string> roots;  // resolved folders
};

PathPolicy default_path_policy();

// Throws tp::FormatError naming `field` when `path` resolves outside every root.
void check_path_allowed(const PathPolicy& policy, const std::string& path, const std::string& field);

// The paths a request body names: "weights", "output", "data_dir", and "dataset" when it is a folder.
void check_request_paths(const PathPolicy& policy, const nlohmann::json& body);

}  // namespace tp::agent
