#include "core/agent/path_policy.h"

#include <cstdlib>
#include <filesystem>
#include <sstream>

#include "core/util/format_error.h"

namespace tp::agent {
namespace {

namespace fs = std::filesystem;

std::string env(const char* name) {
    const char* v = std::getenv(name);
    return v ? v : "";
}

// Resolved as far as the path exists (an output file does not exist yet; its folder must).
std::string resolved(const std::string& path) {
    std::error_code ec;
    const fs::path p = fs::weakly_canonical(fs::absolute(path, ec), ec);
    return ec ? std::string() : p.lexically_normal().string();
}

bool inside(const std::string& path, const std::string& root) {
    if (root.empty() || path.empty()) return false;
    if (root == "/") return true;
    return path == root || (path.size() > root.size() && path.compare(0, root.size(), root) == 0 && path[root.size()] == '/');
}

}  // namespace

PathPolicy default_path_policy() {
    std::vector<std::string> wanted;
    const std::string home = env("HOME");
    if (!home.empty()) {
        wanted.push_back(home);
        wanted.push_back(home + "/.cache/tailprune");
    }
    wanted.push_back(env("TAILPRUNE_MODELS").empty() ? std::string(TAILPRUNE_SOURCE_DIR) + "/resources/models"
                                                      : env("TAILPRUNE_MODELS"));
    wanted.push_back("/usr/share/datasets");
    wanted.push_back(env("TMPDIR").empty() ? "/tmp" : env("TMPDIR"));
    std::stringstream extra(env("TAILPRUNE_AGENT_ROOTS"));
    for (std::string item; std::getline(extra, item, ':');)
        if (!item.empty()) wanted.push_back(item);
    PathPolicy policy;
    for (const auto& w : wanted) {
        const std::string r = resolved(w);
        if (!r.empty()) policy.roots.push_back(r);
    }
    return policy;
}

void check_path_allowed(const PathPolicy& policy, const std::string& path, const std::string& field) {
    const std::string r = resolved(path);
    for (const auto& root : policy.roots)
        if (inside(r, root)) return;
    std::string roots;
    for (const auto& root : policy.roots) roots += (roots.empty() ? "" : ", ") + root;
    throw FormatError(field, "'" + path + "' is outside the folders this agent may use (" + roots +
                                 "); TAILPRUNE_AGENT_ROOTS on the agent's machine adds folders");
}

void check_request_paths(const PathPolicy& policy, const nlohmann::json& body) {
    if (!body.is_object()) return;
    for (const char* field : {"weights", "output", "data_dir"}) {
        const auto it = body.find(field);
        if (it != body.end() && it->is_string() && !it->get<std::string>().empty())
            check_path_allowed(policy, it->get<std::string>(), field);
    }
    const auto dataset = body.find("dataset");
    if (dataset != body.end() && dataset->is_string() && dataset->get<std::string>().find('/') != std::string::npos)
        check_path_allowed(policy, dataset->get<std::string>(), "dataset");
}

}  // namespace tp::agent
