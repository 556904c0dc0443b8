#include "core/platform/timing_environment.h"

#include <cstdlib>
#include <fstream>
#include <mutex>
#include <sstream>
#include <thread>

#include <dlfcn.h>
#include <malloc.h>
#include <sys/utsname.h>
#include <unistd.h>

namespace tp::platform {

namespace {

std::string read_first_line(const std::string& path) {
    std::ifstream in(path);
    std::string line;
    std::getline(in, line);
    return line;
}

template <typename Fn>
Fn blas_symbol(const char* name) {
    return reinterpret_cast<Fn>(::dlsym(RTLD_DEFAULT, name));
}

}  // namespace

namespace {
std::mutex g_allocator_mutex;
std::string g_allocator_settings = "glibc defaults";
}  // namespace

bool settle_allocator() {
    std::lock_guard<std::mutex> lock(g_allocator_mutex);
    int mmap_mib = 256;
    bool ok = ::mallopt(M_MMAP_THRESHOLD, mmap_mib * 1024 * 1024) == 1;
    if (!ok) {
        mmap_mib = 32;  // the ceiling glibc documents (HEAP_MAX_SIZE / 2) on 64-bit
        ok = ::mallopt(M_MMAP_THRESHOLD, mmap_mib * 1024 * 1024) == 1;
    }
    ok = ::mallopt(M_TRIM_THRESHOLD, 1024 * 1024 * 1024) == 1 && ok;
    if (ok) g_allocator_settings = "mallopt M_MMAP_THRESHOLD=" + std::to_string(mmap_mib) + "MiB M_TRIM_THRESHOLD=1GiB";
    return ok;
}

std::string allocator_settings() {
    std::lock_guard<std::mutex> lock(g_allocator_mutex);
    return g_allocator_settings;
}

std::optional<int> blas_threads() {
    auto get = blas_symbol<int (*)()>("openblas_get_num_threads");
    if (!get) return std::nullopt;
    return get();
}

std::optional<int> set_blas_threads(int threads) {
    auto set = blas_symbol<void (*)(int)>("openblas_set_num_threads");
    if (!set) return std::nullopt;
    set(threads);
    return blas_threads();
}

std::string blas_description() {
    auto config = blas_symbol<char* (*)()>("openblas_get_config");
    if (!config) return "unknown (not OpenBLAS)";
    std::string text = config();
    while (!text.empty() && text.back() == ' ') text.pop_back();
    return "OpenBLAS " + text;
}

std::optional<double> current_cpu_mhz() {
    const unsigned cpus = std::max(1u, std::thread::hardware_concurrency());
    double sum = 0;
    unsigned count = 0;
    for (unsigned c = 0; c < cpus; ++c) {
        std::string khz = read_first_line("/sys/devices/system/cpu/cpu" + std::to_string(c) + "/cpufreq/scaling_cur_freq");
        if (khz.empty()) continue;
        sum += std::atof(khz.c_str()) / 1000.0;
        ++count;
    }
    if (count) return sum / count;
    std::ifstream in("/proc/cpuinfo");
    std::string line;
    while (std::getline(in, line))
        if (line.rfind("cpu MHz", 0) == 0) {
            auto colon = line.find(':');
            if (colon != std::string::npos) {
                sum += std::atof(line.c_str() + colon + 1);
                ++count;
            }
        }
    if (count) return sum / count;
    return std::nullopt;
}

CpuDescription describe_cpu() {
    CpuDescription d;
    d.logical_cpus = static_cast<int>(std::thread::hardware_concurrency());
    std::ifstream cpuinfo("/proc/cpuinfo");
    std::string line;
    while (std::getline(cpuinfo, line))
        if (line.rfind("model name", 0) == 0) {
            auto colon = line.find(':');
            d.model = colon == std::string::npos ? "" : line.substr(colon + 2);
            break;
        }
    if (d.model.empty()) d.model = "unknown CPU";
    std::ifstream meminfo("/proc/meminfo");
    while (std::getline(meminfo, line))
        if (line.rfind("MemTotal:", 0) == 0) {
            d.memory_gb = std::atof(line.c_str() + 9) / (1024.0 * 1024.0);
            break;
        }
    std::string max_khz = read_first_line("/sys/devices/system/cpu/cpu0/cpufreq/cpuinfo_max_freq");
    if (!max_khz.empty()) d.max_mhz = std::atof(max_khz.c_str()) / 1000.0;
    d.governor = read_first_line("/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor");
    char host[256] = {};
    if (::gethostname(host, sizeof host - 1) == 0) d.hostname = host;
    struct utsname u {};
    if (::uname(&u) == 0) d.kernel = std::string(u.sysname) + " " + u.release;
    return d;
}

std::optional<double> load_average() {
    std::string line = read_first_line("/proc/loadavg");
    if (line.empty()) return std::nullopt;
    return std::atof(line.c_str());
}

std::map<std::string, std::string> timing_environment_variables() {
    static const char* const names[] = {"OPENBLAS_CORETYPE", "OPENBLAS_NUM_THREADS", "OPENBLAS_VERBOSE",
                                        "OMP_NUM_THREADS",   "MKL_NUM_THREADS",      "GOMP_CPU_AFFINITY",
                                        "OMP_PROC_BIND",     "CUDA_VISIBLE_DEVICES", "CUDA_LAUNCH_BLOCKING",
                                        "MALLOC_ARENA_MAX",  "LD_PRELOAD"};
    std::map<std::string, std::string> out;
    for (const char* n : names)
        if (const char* v = std::getenv(n)) out[n] = v;
    return out;
}

}  // namespace tp::platform
