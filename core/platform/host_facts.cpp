#include "core/platform/host_facts.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <sstream>

#include "core/util/sha256.h"

namespace tp::platform {
namespace {

std::string trim(std::string s) {
    const auto first = s.find_first_not_of(" \t\r\n");
    if (first == std::string::npos) return {};
    s.erase(0, first);
    s.erase(s.find_last_not_of(" \t\r\n") + 1);
    return s;
}

// "key : value" lines of /proc/cpuinfo for the first processor only.
std::map<std::string, std::string> first_cpu_fields() {
    std::map<std::string, std::string> fields;
    std::ifstream in("/proc/cpuinfo");
    std::string line;
    while (std::getline(in, line)) {
        if (trim(line).empty()) {
            if (!fields.empty()) break;
            continue;
        }
        const auto colon = line.find(':');
        if (colon == std::string::npos) continue;
        fields.emplace(trim(line.substr(0, colon)), trim(line.substr(colon + 1)));
    }
    return fields;
}

}  // namespace

std::string machine_id_hash() {
    std::ifstream in("/etc/machine-id");
    std::string id;
    std::getline(in, id);
    id = trim(id);
    if (id.empty()) return {};
    return sha256_hex("tailprune:" + id).substr(0, 16);
}

std::string cpu_signature() {
    const auto fields = first_cpu_fields();
    auto get = [&](const char* key) {
        auto it = fields.find(key);
        return it == fields.end() ? std::string() : it->second;
    };
    if (!get("cpu family").empty())
        return "family " + get("cpu family") + " model " + get("model") + " stepping " + get("stepping");
    if (!get("CPU implementer").empty())
        return "implementer " + get("CPU implementer") + " part " + get("CPU part") + " variant " + get("CPU variant");
    return {};
}

std::string nvidia_driver_version() {
    std::ifstream in("/proc/driver/nvidia/version");
    std::string line;
    std::getline(in, line);
    static const std::regex version(R"((\d+\.\d+(\.\d+)?))");
    std::smatch m;
    const auto kernel_module = line.find("Kernel Module");
    if (kernel_module == std::string::npos) return {};
    const std::string tail = line.substr(kernel_module);
    return std::regex_search(tail, m, version) ? m[1].str() : std::string();
}

std::vector<std::string> nvidia_gpu_models() {
    std::vector<std::string> models;
    std::error_code ec;
    std::vector<std::filesystem::path> gpus;
    for (const auto& entry : std::filesystem::directory_iterator("/proc/driver/nvidia/gpus", ec)) gpus.push_back(entry.path());
    std::sort(gpus.begin(), gpus.end());
    for (const auto& gpu : gpus) {
        std::ifstream in(gpu / "information");
        std::string line;
        while (std::getline(in, line))
            if (line.rfind("Model:", 0) == 0) models.push_back(trim(line.substr(6)));
    }
    return models;
}

}  // namespace tp::platform
