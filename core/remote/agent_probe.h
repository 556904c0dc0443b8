#pragma once
// What a device has for building the agent, from agent_probe_script()'s `tp-probe: KEY=VALUE`
// lines, and what is missing, in words a person can act on (issue 22).
#include <map>
#include <string>
#include <vector>

namespace tp::remote {

struct DeviceProbe {
    std::map<std::string, std::string> facts;  // every KEY=VALUE the probe printed (last one wins)
    std::string arch, glibc, home, host;
    std::string cxx, cxx_version;
    int cxx_major = 0;
    bool cxx_is_clang = false;
    std::string cmake, cmake_version;
    bool ninja = false, make = false, ccache = false;
    std::string torch_prefix;                  // for CMAKE_PREFIX_PATH; empty: the system's (Debian's)
    std::string torch_source;                  // "system (…)" or "python3's torch X (…)", empty: none
    bool torch_cuda = false;                   // python's torch says CUDA is available
    std::string jetson;                        // /etc/nv_tegra_release's first line, if any
    int nproc = 1;
    long long mem_mb = 0, disk_free_mb = 0;
    std::vector<std::string> installed;        // ID-ARCH folders already under ~/.cache/tailprune/agent
    bool complete = false;                     // the probe ran to its end

    std::vector<std::string> missing;          // each one line: what, and how to get it
    std::vector<std::string> notes;            // worth saying, not blocking (bundled headers, low memory)
};

// Parses the probe's output (anything not starting with "tp-probe: " is login noise and skipped)
// and fills `missing` and `notes`. Never throws.
DeviceProbe parse_device_probe(const std::string& output);

// "3.22.1" >= "3.22"? Numeric by component; a non-number ends the comparison (false).
bool version_at_least(const std::string& version, int major, int minor);

// Parallel build jobs for the device: its cores, but at most one per ~1.8 GB of memory (a LibTorch
// translation unit needs ~1.5 GB to compile; a Jetson with 8 GB and 6 cores builds with 4).
int suggested_build_jobs(const DeviceProbe& probe);

// One paragraph for the CLI and the studio: "aarch64, glibc 2.35, g++ 11.4, CMake 3.26.4, Ninja,
// LibTorch from python3's torch 2.1.0 (CUDA), Jetson R36 ..., 6 cores, 7.4 GB".
std::string describe_probe(const DeviceProbe& probe);

}  // namespace tp::remote
