#include "core/remote/agent_probe.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <sstream>

namespace tp::remote {

namespace {

constexpr const char* kPrefix = "tp-probe: ";

long long to_number(const std::string& text) {
    char* end = nullptr;
    const long long v = std::strtoll(text.c_str(), &end, 10);
    return end && end != text.c_str() ? v : 0;
}

std::string value_of(const std::map<std::string, std::string>& facts, const std::string& key) {
    auto it = facts.find(key);
    return it == facts.end() ? std::string() : it->second;
}

void find_missing(DeviceProbe& p) {
    if (!p.complete)
        p.missing.push_back("the probe did not finish (the login shell is not POSIX sh, or the connection dropped)");
    if (p.home.empty() || p.home[0] != '/') p.missing.push_back("HOME is not set to an absolute path for this login");
    if (p.cxx.empty())
        p.missing.push_back("a C++17 compiler: install g++ (sudo apt install g++)");
    else if (!p.cxx_is_clang && p.cxx_major > 0 && p.cxx_major < 8)
        p.missing.push_back("a C++17 compiler: " + p.cxx_version + " is too old (g++ 8 or newer)");
    if (p.cmake.empty())
        p.missing.push_back("CMake 3.22 or newer: not found (sudo apt install cmake, or pip3 install --user cmake)");
    else if (!version_at_least(p.cmake_version, 3, 22))
        p.missing.push_back("CMake 3.22 or newer: " + p.cmake + " is " + p.cmake_version +
                            " (pip3 install --user cmake gives a newer one in ~/.local/bin, which the install finds)");
    if (!p.ninja && !p.make) p.missing.push_back("a build tool: install ninja-build or make");
    if (p.facts.count("tar") == 0) p.missing.push_back("tar: not found");
    if (p.torch_source.empty())
        p.missing.push_back("LibTorch: neither Debian's (sudo apt install libtorch-dev) nor a python3 torch "
                            "(`python3 -c 'import torch'` fails; on a Jetson install JetPack's PyTorch wheel)");
    if (p.facts.count("header:zlib.h") == 0) p.missing.push_back("zlib's headers: install zlib1g-dev");
    for (const auto& [header, name] : {std::pair<const char*, const char*>{"nlohmann/json.hpp", "nlohmann-json"},
                                       {"CLI/CLI.hpp", "CLI11"},
                                       {"stb/stb_image.h", "stb"}})
        if (p.facts.count(std::string("header:") + header) == 0)
            p.notes.push_back(std::string(name) + " is not installed there: the bundle's copy is used");
    if (p.disk_free_mb > 0 && p.disk_free_mb < 1024)
        p.missing.push_back("disk space: " + std::to_string(p.disk_free_mb) +
                            " MB free under ~/.cache/tailprune/agent (the build needs about 1 GB)");
    if (p.mem_mb > 0 && p.mem_mb < 3000)
        p.notes.push_back("little memory (" + std::to_string(p.mem_mb) + " MB): the build runs one job at a time and "
                          "LibTorch's translation units may swap");
}

}  // namespace

bool version_at_least(const std::string& version, int major, int minor) {
    int parts[2] = {0, 0};
    std::size_t pos = 0;
    for (int i = 0; i < 2; ++i) {
        std::size_t end = pos;
        while (end < version.size() && std::isdigit(static_cast<unsigned char>(version[end]))) ++end;
        if (end == pos) return false;
        parts[i] = std::atoi(version.substr(pos, end - pos).c_str());
        if (end >= version.size() || version[end] != '.') {
            if (i == 0) return parts[0] > major;  // "4" is newer than 3.22; "3" is not
            break;
        }
        pos = end + 1;
    }
    return parts[0] > major || (parts[0] == major && parts[1] >= minor);
}

DeviceProbe parse_device_probe(const std::string& output) {
    DeviceProbe p;
    std::istringstream in(output);
    std::string line;
    const std::string prefix = kPrefix;
    while (std::getline(in, line)) {
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (line.compare(0, prefix.size(), prefix) != 0) continue;
        const std::string rest = line.substr(prefix.size());
        const auto eq = rest.find('=');
        if (eq == std::string::npos || eq == 0) continue;
        const std::string key = rest.substr(0, eq), value = rest.substr(eq + 1);
        if (key == "installed") p.installed.push_back(value);
        else if (key == "end") p.complete = true;
        if (!value.empty()) p.facts[key] = value;
    }
    const auto& f = p.facts;
    p.arch = value_of(f, "arch");
    p.glibc = value_of(f, "glibc");
    p.home = value_of(f, "home");
    p.host = value_of(f, "host");
    p.cxx = value_of(f, "cxx");
    p.cxx_version = value_of(f, "cxx_version");
    p.cxx_major = static_cast<int>(to_number(value_of(f, "cxx_major")));
    p.cxx_is_clang = value_of(f, "cxx_id") == "clang";
    p.cmake = value_of(f, "cmake");
    p.cmake_version = value_of(f, "cmake_version");
    p.ninja = f.count("ninja") > 0;
    p.make = f.count("make") > 0;
    p.ccache = f.count("ccache") > 0;
    p.jetson = value_of(f, "jetson");
    p.nproc = std::max(1, static_cast<int>(to_number(value_of(f, "nproc"))));
    p.mem_mb = to_number(value_of(f, "mem_kb")) / 1024;
    p.disk_free_mb = to_number(value_of(f, "disk_free_kb")) / 1024;
    // Debian's LibTorch first (found without a prefix), else the one inside python3's torch,
    // which is how JetPack ships it.
    if (!value_of(f, "torch_system").empty()) {
        p.torch_source = "the system's (" + value_of(f, "torch_system") + ")";
    } else if (!value_of(f, "torch_python").empty()) {
        p.torch_prefix = value_of(f, "torch_python");
        p.torch_cuda = value_of(f, "torch_python_cuda") == "1";
        p.torch_source = "python3's torch " + value_of(f, "torch_python_version") + " (" + p.torch_prefix + ")";
    }
    find_missing(p);
    return p;
}

int suggested_build_jobs(const DeviceProbe& probe) {
    int by_memory = probe.mem_mb > 0 ? static_cast<int>(probe.mem_mb / 1800) : probe.nproc;
    return std::max(1, std::min(probe.nproc, by_memory));
}

std::string describe_probe(const DeviceProbe& p) {
    std::ostringstream out;
    out << (p.arch.empty() ? "?" : p.arch);
    if (!p.glibc.empty()) out << ", " << p.glibc;
    if (!p.cxx_version.empty()) out << ", " << p.cxx_version;
    if (!p.cmake_version.empty()) out << ", CMake " << p.cmake_version;
    out << (p.ninja ? ", Ninja" : p.make ? ", make" : "");
    if (p.ccache) out << ", ccache";
    if (!p.torch_source.empty()) out << ", LibTorch from " << p.torch_source << (p.torch_cuda ? " with CUDA" : "");
    if (!p.jetson.empty()) out << ", Jetson (" << p.jetson << ")";
    out << ", " << p.nproc << (p.nproc == 1 ? " core" : " cores");
    if (p.mem_mb > 0) out << ", " << (p.mem_mb + 512) / 1024 << " GB";
    return out.str();
}

}  // namespace tp::remote
