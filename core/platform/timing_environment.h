#pragma once
// Torch-free: the CPU side of a fair measurement (architecture note, "CPU traps"). The allocator
// is settled (glibc would otherwise hand LibTorch's large buffers back to the OS on every call),
// OpenBLAS's own thread count is set (at::set_num_threads does not reach it), and what cannot be
// changed without changing the answer (governor, OPENBLAS_CORETYPE, load) is recorded.
#include <map>
#include <optional>
#include <string>

namespace tp::platform {

// mallopt(M_MMAP_THRESHOLD, 256 MiB; 32 MiB where glibc refuses more) and mallopt(M_TRIM_THRESHOLD,
// 1 GiB): freed activation buffers stay in the heap between forwards, so page faults stop after
// warm-up (glibc's defaults hand them back to the OS on every call: the shipped model's batch-64
// forward at 50 tokens took 3-5x longer, issue 30). Returns false if glibc refused. Idempotent.
bool settle_allocator();
// What settle_allocator() set, for records: "mallopt M_MMAP_THRESHOLD=256MiB M_TRIM_THRESHOLD=1GiB",
// or "glibc defaults" before it ran or where it failed.
std::string allocator_settings();

// OpenBLAS's thread count through its C API, found at run time (dlsym), so a build against any
// BLAS works. Returns the count OpenBLAS reports afterwards, or nullopt when no OpenBLAS is loaded.
std::optional<int> set_blas_threads(int threads);
std::optional<int> blas_threads();
std::string blas_description();  // openblas_get_config() or "unknown (not OpenBLAS)"

// Mean current frequency of the online CPUs (cpufreq, else /proc/cpuinfo), when readable.
std::optional<double> current_cpu_mhz();

struct CpuDescription {
    std::string model;            // /proc/cpuinfo "model name"
    int logical_cpus = 0;
    double memory_gb = 0;
    std::optional<double> max_mhz;
    std::string governor;         // scaling_governor of cpu0, empty when not exposed
    std::string hostname;
    std::string kernel;           // uname -sr
};
CpuDescription describe_cpu();

// 1-minute load average (/proc/loadavg); nullopt when unreadable.
std::optional<double> load_average();

// Environment variables that change CPU timings, recorded verbatim (unset ones are left out):
// OPENBLAS_CORETYPE, OPENBLAS_NUM_THREADS, OMP_NUM_THREADS, MKL_NUM_THREADS, GOMP_CPU_AFFINITY, ...
std::map<std::string, std::string> timing_environment_variables();

}  // namespace tp::platform
