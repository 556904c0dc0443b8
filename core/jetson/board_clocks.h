#pragma once
// Clock state of boards without NVML (issue 22): Jetsons expose their GPU through devfreq, their
// temperatures through thermal zones, and their power mode and clock lock through `nvpmodel` and
// `jetson_clocks`. Qt-free and torch-free; every value is optional, a missing file or tool is
// normal (not a Jetson), and a file with garbage in it is reported as unreadable, never a crash.
//
// Everything is read below a sysfs root ("/" on a real board) so tests and `--env` can point the
// agent at a fixture tree: set_sysfs_root(), else $TAILPRUNE_SYSFS_ROOT, else "/".
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace tp::jetson {

std::string sysfs_root();
void set_sysfs_root(const std::string& root);  // empty: back to $TAILPRUNE_SYSFS_ROOT or "/"

// The GPU's devfreq node (/sys/class/devfreq/*: the entry whose name or device is the GPU, e.g.
// 17000000.ga10b on an Orin, 17000000.gv11b on a Xavier, 57000000.gpu on a Nano).
struct GpuDevfreq {
    std::string node;                       // the devfreq entry's name, "17000000.ga10b"
    std::string path;                       // its folder
    std::string gpu;                        // the part that told it is the GPU: "ga10b"
    std::optional<double> cur_mhz, min_mhz, max_mhz;
    std::string governor;                   // nvhost_podgov, performance, userspace, ...
    std::optional<double> load_percent;     // device/load is per mille on Jetsons
    std::vector<double> available_mhz;
    std::vector<std::string> unreadable;    // "cur_freq: not a number ('12ab')", one per bad file

    bool locked() const;                    // min == max (what jetson_clocks sets)
};
std::optional<GpuDevfreq> find_gpu_devfreq(const std::string& root);
// Whether a devfreq entry or device name is a Jetson GPU's ("17000000.ga10b", "gv11b", "57000000.gpu").
bool is_gpu_devfreq_name(const std::string& name);

struct ThermalZone {
    std::string zone;                       // thermal_zone3
    std::string type;                       // gpu-thermal, cpu-thermal, tj-thermal, ...
    std::optional<double> temp_c;           // temp is milli-degrees Celsius
    std::optional<double> passive_trip_c;   // the lowest "passive" trip point: throttling starts there
    std::string unreadable;                 // why temp_c is missing when the file exists
};
std::vector<ThermalZone> read_thermal_zones(const std::string& root);
// The zone that stands for `kind` ("cuda": the GPU's zone, "cpu": the CPU's), else the junction
// zone (tj), else the hottest readable one; nullptr when none is readable.
const ThermalZone* zone_for(const std::vector<ThermalZone>& zones, const std::string& kind);

struct PowerMode {
    std::string name;                       // "MAXN", "30W"
    std::optional<int> id;                  // the number nvpmodel prints under it
    std::string problem;                    // why unknown ("nvpmodel not installed", ...)
};
PowerMode parse_nvpmodel_query(const std::string& output);

// What `jetson_clocks --show` says of the GPU (it needs root on JetPack; without it the lock state
// comes from devfreq's min and max).
struct ClocksShow {
    std::optional<double> gpu_min_mhz, gpu_max_mhz, gpu_cur_mhz;
    std::string power_mode;
    std::string problem;
    std::optional<bool> locked() const;
};
ClocksShow parse_jetson_clocks_show(const std::string& output);

// A helper program's result: argv run directly (never a shell), bounded time and output.
struct ToolRun {
    bool started = false;
    int status = -1;                        // exit code, 128+signal, 255 when killed at the deadline
    bool timed_out = false;
    std::string out, err;                   // at most 64 KiB each
};
ToolRun run_tool(const std::vector<std::string>& argv, int timeout_ms);
// `name` found in PATH (then /usr/bin, /usr/sbin): its absolute path, or nothing.
std::optional<std::string> find_program(const std::string& name);

// Everything at once, with the tools run (nvpmodel -q, jetson_clocks --show; 3 s each at most).
// Reads for a sweep's start and end and for the agent's `clock_state`, not for every point.
struct BoardState {
    std::string root;
    std::optional<GpuDevfreq> gpu;
    std::vector<ThermalZone> zones;
    PowerMode power_mode;
    ClocksShow clocks_show;

    bool is_jetson() const { return gpu.has_value(); }
    std::optional<bool> locked() const;     // devfreq min == max, else --show's, else unknown
    // "locked at 1300.5 MHz", "unlocked (nvhost_podgov, 306.0-1300.5 MHz)", "unknown"
    std::string clocks_text() const;
    std::string power_mode_text() const;    // "MAXN (mode 0)" or "unknown (why)"
    nlohmann::json to_json() const;         // the agent's `clock_state` answer and hello's "board"
};
BoardState read_board_state(const std::string& root, bool run_tools = true);

// One cheap reading per measured point (sysfs only): the GPU's clock, limits and load, the
// temperature of the zone that stands for the measured device, the hottest zone, and a zone at or
// over its passive trip point.
struct ClockSample {
    std::optional<double> gpu_mhz, gpu_min_mhz, gpu_max_mhz, gpu_load;
    std::optional<double> temperature_c, hottest_c;
    std::string over_trip;                  // "gpu-thermal 101.0 C >= trip 99.0 C", empty when none
};
class ClockSampler {
public:
    // nullopt where the root has no GPU devfreq node (not a Jetson). `kind`: the measured device's.
    static std::optional<ClockSampler> open(const std::string& root, const std::string& kind);
    ClockSample sample() const;
    const std::string& temperature_zone() const { return zone_type_; }  // whose temperature_c it is
    const GpuDevfreq& gpu() const { return gpu_; }

private:
    // Found once at open (the folder scans, types, trip points, the load file); a sample then
    // reads only the changing files: cur/min/max_freq, load and each zone's temp.
    std::string root_, kind_, zone_type_, load_path_;
    GpuDevfreq gpu_;
    std::vector<ThermalZone> zones_;
};

}  // namespace tp::jetson
