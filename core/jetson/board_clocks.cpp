#include "core/jetson/board_clocks.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>

#include <poll.h>
#include <unistd.h>

#include "core/remote/child_process.h"

namespace tp::jetson {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

constexpr std::size_t kMaxSysfsBytes = 4096;     // sysfs attributes are one page at most
constexpr std::size_t kMaxToolBytes = 64 * 1024;
constexpr int kMaxTripPoints = 32;
constexpr int kMaxZones = 256;
constexpr std::size_t kMaxFrequencies = 256;

std::mutex g_root_mutex;
std::string g_root;

std::string trim(std::string s) {
    auto space = [](unsigned char c) { return std::isspace(c) != 0; };
    while (!s.empty() && space(static_cast<unsigned char>(s.back()))) s.pop_back();
    std::size_t i = 0;
    while (i < s.size() && space(static_cast<unsigned char>(s[i]))) ++i;
    return s.substr(i);
}

// Printable, short: how a bad value is quoted in a message.
std::string shown(const std::string& s) {
    std::string out;
    for (char c : s.substr(0, 40)) out += std::isprint(static_cast<unsigned char>(c)) ? c : '?';
    if (s.size() > 40) out += "...";
    return "'" + out + "'";
}

// A small file whole (at most kMaxSysfsBytes, the rest ignored), trimmed; nullopt when absent.
std::optional<std::string> read_small(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    if (!in) return std::nullopt;
    std::string buf(kMaxSysfsBytes, '\0');
    in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
    if (in.bad()) return std::nullopt;
    buf.resize(static_cast<std::size_t>(in.gcount()));
    return trim(buf);
}

std::optional<long long> parse_integer(const std::string& s) {
    long long v = 0;
    const char* end = s.data() + s.size();
    auto [ptr, ec] = std::from_chars(s.data(), end, v);
    if (ec != std::errc() || ptr != end || s.empty()) return std::nullopt;
    return v;
}

// An integer attribute: nullopt and a line in `unreadable` when it is there but not a number or
// out of [lo, hi]; nullopt alone when it is absent.
std::optional<long long> read_integer(const fs::path& p, const std::string& label, long long lo, long long hi,
                                      std::vector<std::string>& unreadable) {
    auto text = read_small(p);
    if (!text) return std::nullopt;
    auto v = parse_integer(*text);
    if (!v) {
        unreadable.push_back(label + ": not a number (" + shown(*text) + ")");
        return std::nullopt;
    }
    if (*v < lo || *v > hi) {
        unreadable.push_back(label + ": out of range (" + std::to_string(*v) + ")");
        return std::nullopt;
    }
    return v;
}

std::optional<double> read_mhz(const fs::path& p, const std::string& label, std::vector<std::string>& unreadable) {
    auto hz = read_integer(p, label, 0, 100'000'000'000LL, unreadable);  // up to 100 GHz
    if (!hz) return std::nullopt;
    return static_cast<double>(*hz) / 1e6;
}

std::string lower(std::string s) {
    for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

std::string fixed1(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f", v);
    return buf;
}

// Which Jetson GPU a name stands for: its last '.'-separated part, e.g. "ga10b" in 17000000.ga10b.
std::string gpu_part(const std::string& name) {
    static const char* const kGpus[] = {"gk20a", "gm20b", "gp10b", "gv11b", "ga10b", "gb10b", "gpu"};
    const std::string n = lower(name);
    const auto dot = n.rfind('.');
    const std::string tail = dot == std::string::npos ? n : n.substr(dot + 1);
    for (const char* g : kGpus)
        if (tail == g) return g;
    return {};
}

}  // namespace

std::string sysfs_root() {
    {
        std::lock_guard<std::mutex> lock(g_root_mutex);
        if (!g_root.empty()) return g_root;
    }
    if (const char* env = std::getenv("TAILPRUNE_SYSFS_ROOT"); env && *env) return env;
    return "/";
}

void set_sysfs_root(const std::string& root) {
    std::lock_guard<std::mutex> lock(g_root_mutex);
    g_root = root;
}

bool is_gpu_devfreq_name(const std::string& name) { return !gpu_part(name).empty(); }

bool GpuDevfreq::locked() const {
    return min_mhz && max_mhz && std::fabs(*min_mhz - *max_mhz) < 0.5;
}

static GpuDevfreq read_devfreq_at(const fs::path& e, const std::string& root, const std::string& gpu) {
    GpuDevfreq g;
    g.node = e.filename().string();
    g.path = e.string();
    g.gpu = gpu;
    g.cur_mhz = read_mhz(e / "cur_freq", "cur_freq", g.unreadable);
    g.min_mhz = read_mhz(e / "min_freq", "min_freq", g.unreadable);
    g.max_mhz = read_mhz(e / "max_freq", "max_freq", g.unreadable);
    if (auto gov = read_small(e / "governor")) {
        const bool plain = !gov->empty() && gov->size() <= 64 &&
                           std::all_of(gov->begin(), gov->end(), [](char c) {
                               return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.';
                           });
        if (plain) g.governor = *gov;
        else g.unreadable.push_back("governor: unreadable (" + shown(*gov) + ")");
    }
    for (const fs::path& load : {e / "device/load", fs::path(root) / "sys/devices/gpu.0/load"}) {
        std::error_code lec;
        if (!fs::exists(load, lec)) continue;
        if (auto permille = read_integer(load, "load", 0, 1000, g.unreadable)) g.load_percent = *permille / 10.0;
        break;
    }
    if (auto list = read_small(e / "available_frequencies")) {
        std::istringstream words(*list);
        std::string w;
        while (words >> w && g.available_mhz.size() < kMaxFrequencies) {
            auto v = parse_integer(w);
            if (!v || *v < 0) {
                g.unreadable.push_back("available_frequencies: not a list of numbers (" + shown(w) + ")");
                g.available_mhz.clear();
                break;
            }
            g.available_mhz.push_back(static_cast<double>(*v) / 1e6);
        }
        std::sort(g.available_mhz.begin(), g.available_mhz.end());
    }
    return g;
}

std::optional<GpuDevfreq> find_gpu_devfreq(const std::string& root) {
    const fs::path dir = fs::path(root) / "sys/class/devfreq";
    std::error_code ec;
    std::vector<fs::path> entries;
    for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
        entries.push_back(it->path());
        if (entries.size() > 1024) break;
    }
    std::sort(entries.begin(), entries.end());
    for (const fs::path& e : entries) {
        std::string gpu = gpu_part(e.filename().string());
        if (gpu.empty())
            if (auto name = read_small(e / "name")) gpu = gpu_part(fs::path(*name).filename().string());
        if (gpu.empty()) {
            std::error_code lec;
            const fs::path device = fs::read_symlink(e / "device", lec);
            if (!lec) gpu = gpu_part(device.filename().string());
        }
        if (gpu.empty()) continue;
        return read_devfreq_at(e, root, gpu);
    }
    return std::nullopt;
}

std::vector<ThermalZone> read_thermal_zones(const std::string& root) {
    const fs::path dir = fs::path(root) / "sys/class/thermal";
    std::error_code ec;
    std::vector<std::pair<int, fs::path>> found;
    for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
        const std::string name = it->path().filename().string();
        if (name.rfind("thermal_zone", 0) != 0) continue;
        auto index = parse_integer(name.substr(12));
        if (!index || *index < 0) continue;
        found.emplace_back(static_cast<int>(*index), it->path());
        if (found.size() >= static_cast<std::size_t>(kMaxZones)) break;
    }
    std::sort(found.begin(), found.end());
    std::vector<ThermalZone> zones;
    for (const auto& [index, path] : found) {
        ThermalZone z;
        z.zone = path.filename().string();
        auto type = read_small(path / "type");
        z.type = type && !type->empty() && type->size() <= 64 ? *type : z.zone;
        std::vector<std::string> problems;
        // -40 to 200 C: Xavier reports -256000 for a zone it cannot read.
        if (auto milli = read_integer(path / "temp", "temp", -40000, 200000, problems)) z.temp_c = *milli / 1000.0;
        else if (!problems.empty()) z.unreadable = problems.front();
        for (int t = 0; t < kMaxTripPoints; ++t) {
            const std::string base = "trip_point_" + std::to_string(t);
            auto kind = read_small(path / (base + "_type"));
            if (!kind) break;
            if (*kind != "passive") continue;
            std::vector<std::string> ignored;
            if (auto milli = read_integer(path / (base + "_temp"), base, -40000, 200000, ignored)) {
                const double c = *milli / 1000.0;
                if (!z.passive_trip_c || c < *z.passive_trip_c) z.passive_trip_c = c;
            }
        }
        zones.push_back(std::move(z));
    }
    return zones;
}

const ThermalZone* zone_for(const std::vector<ThermalZone>& zones, const std::string& kind) {
    const std::string want = kind == "cuda" ? "gpu" : "cpu";
    for (const char* key : {want.c_str(), "tj"})
        for (const auto& z : zones)
            if (z.temp_c && lower(z.type).find(key) != std::string::npos) return &z;
    const ThermalZone* hottest = nullptr;
    for (const auto& z : zones)
        if (z.temp_c && (!hottest || *z.temp_c > *hottest->temp_c)) hottest = &z;
    return hottest;
}

PowerMode parse_nvpmodel_query(const std::string& output) {
    PowerMode m;
    std::istringstream lines(output.substr(0, kMaxToolBytes));
    std::string line;
    bool after_mode = false;
    while (std::getline(lines, line)) {
        line = trim(line);
        const std::string key = "NV Power Mode:";
        if (line.rfind(key, 0) == 0) {
            std::string name = trim(line.substr(key.size()));
            const bool printable = std::all_of(name.begin(), name.end(), [](char c) {
                return std::isprint(static_cast<unsigned char>(c)) != 0;
            });
            if (name.empty() || name.size() > 64 || !printable) {
                m = PowerMode{};
                m.problem = "nvpmodel -q: unreadable power mode (" + shown(name) + ")";
                return m;
            }
            m.name = name;
            after_mode = true;
            continue;
        }
        if (after_mode && !line.empty()) {
            if (auto id = parse_integer(line); id && *id >= 0 && *id < 1000) m.id = static_cast<int>(*id);
            after_mode = false;
        }
    }
    if (m.name.empty()) m.problem = "nvpmodel -q printed no power mode";
    return m;
}

std::optional<bool> ClocksShow::locked() const {
    if (!gpu_min_mhz || !gpu_max_mhz) return std::nullopt;
    return std::fabs(*gpu_min_mhz - *gpu_max_mhz) < 0.5;
}

ClocksShow parse_jetson_clocks_show(const std::string& output) {
    ClocksShow s;
    std::istringstream lines(output.substr(0, kMaxToolBytes));
    std::string line;
    bool gpu_line = false;
    while (std::getline(lines, line)) {
        line = trim(line);
        if (line.rfind("NV Power Mode:", 0) == 0) {
            s.power_mode.clear();
            for (char c : trim(line.substr(14)).substr(0, 64))
                if (std::isprint(static_cast<unsigned char>(c))) s.power_mode += c;
        }
        if (line.rfind("GPU ", 0) != 0) continue;
        gpu_line = true;
        std::istringstream words(line.substr(4));
        std::string w;
        while (words >> w) {
            const auto eq = w.find('=');
            if (eq == std::string::npos) continue;
            auto hz = parse_integer(w.substr(eq + 1));
            if (!hz || *hz < 0) continue;
            const std::string key = w.substr(0, eq);
            const double mhz = static_cast<double>(*hz) / 1e6;
            if (key == "MinFreq") s.gpu_min_mhz = mhz;
            else if (key == "MaxFreq") s.gpu_max_mhz = mhz;
            else if (key == "CurrentFreq") s.gpu_cur_mhz = mhz;
        }
    }
    if (!gpu_line) s.problem = "jetson_clocks --show printed no GPU line";
    else if (!s.gpu_min_mhz || !s.gpu_max_mhz) s.problem = "jetson_clocks --show: unreadable GPU line";
    return s;
}

std::optional<std::string> find_program(const std::string& name) {
    if (name.empty() || name.find('/') != std::string::npos) return std::nullopt;
    std::vector<std::string> dirs;
    if (const char* path = std::getenv("PATH")) {
        std::string p = path;
        for (std::size_t start = 0; start <= p.size();) {
            std::size_t end = p.find(':', start);
            if (end == std::string::npos) end = p.size();
            if (end > start) dirs.push_back(p.substr(start, end - start));
            start = end + 1;
        }
    }
    dirs.push_back("/usr/bin");
    dirs.push_back("/usr/sbin");
    for (const auto& d : dirs) {
        const fs::path candidate = fs::path(d) / name;
        std::error_code ec;
        if (fs::is_regular_file(candidate, ec) && ::access(candidate.c_str(), X_OK) == 0)
            return fs::absolute(candidate, ec).lexically_normal().string();
    }
    return std::nullopt;
}

ToolRun run_tool(const std::vector<std::string>& argv, int timeout_ms) {
    ToolRun r;
    std::optional<remote::ChildProcess> child;
    try {
        child.emplace(remote::ChildProcess::start(argv));
    } catch (const std::exception& e) {
        r.err = e.what();
        return r;
    }
    r.started = true;
    child->close_stdin();
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    bool out_open = true, err_open = true;
    while (out_open || err_open) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now()).count();
        if (left <= 0) break;
        pollfd fds[2] = {{child->stdout_fd(), static_cast<short>(out_open ? POLLIN : 0), 0},
                         {child->stderr_fd(), static_cast<short>(err_open ? POLLIN : 0), 0}};
        if (poll(fds, 2, static_cast<int>(std::min<long long>(left, 200))) < 0 && errno != EINTR) break;
        if (out_open) out_open = remote::read_available(child->stdout_fd(), r.out);
        if (err_open) err_open = remote::read_available(child->stderr_fd(), r.err);
        if (r.out.size() > kMaxToolBytes) r.out.resize(kMaxToolBytes);
        if (r.err.size() > kMaxToolBytes) r.err.resize(kMaxToolBytes);
    }
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now()).count();
    auto status = child->wait_for(static_cast<int>(std::max<long long>(left, 0)));
    if (!status) {
        r.timed_out = true;
        child->signal(SIGKILL);
        child->wait();
        r.status = 255;
    } else {
        r.status = *status;
    }
    return r;
}

std::optional<bool> BoardState::locked() const {
    if (gpu && gpu->min_mhz && gpu->max_mhz) return gpu->locked();
    return clocks_show.locked();
}

std::string BoardState::clocks_text() const {
    auto l = locked();
    if (!l) return "unknown";
    if (*l) {
        const auto mhz = gpu && gpu->max_mhz ? gpu->max_mhz : clocks_show.gpu_max_mhz;
        return "locked at " + fixed1(mhz.value_or(0)) + " MHz";
    }
    const auto lo = gpu && gpu->min_mhz ? gpu->min_mhz : clocks_show.gpu_min_mhz;
    const auto hi = gpu && gpu->max_mhz ? gpu->max_mhz : clocks_show.gpu_max_mhz;
    if (lo && hi && *hi < *lo)  // a cooling device lowered the maximum under the minimum
        return "capped at " + fixed1(*hi) + " MHz, under its minimum " + fixed1(*lo) + " MHz (throttled)";
    std::string text = "unlocked (";
    if (gpu && !gpu->governor.empty()) text += gpu->governor + ", ";
    return text + fixed1(lo.value_or(0)) + "-" + fixed1(hi.value_or(0)) + " MHz)";
}

std::string BoardState::power_mode_text() const {
    if (power_mode.name.empty()) return "unknown (" + power_mode.problem + ")";
    return power_mode.name + (power_mode.id ? " (mode " + std::to_string(*power_mode.id) + ")" : "");
}

json BoardState::to_json() const {
    auto opt = [](const std::optional<double>& v) { return v ? json(*v) : json(nullptr); };
    json out = {{"jetson", is_jetson()}, {"sysfs_root", root}};
    if (gpu) {
        out["gpu"] = {{"devfreq", gpu->node},
                      {"gpu", gpu->gpu},
                      {"cur_mhz", opt(gpu->cur_mhz)},
                      {"min_mhz", opt(gpu->min_mhz)},
                      {"max_mhz", opt(gpu->max_mhz)},
                      {"governor", gpu->governor},
                      {"load_percent", opt(gpu->load_percent)},
                      {"available_mhz", gpu->available_mhz},
                      {"unreadable", gpu->unreadable}};
    }
    json zones = json::array();
    for (const auto& z : this->zones) {
        json j = {{"zone", z.zone}, {"type", z.type}, {"temp_c", opt(z.temp_c)}};
        if (z.passive_trip_c) j["passive_trip_c"] = *z.passive_trip_c;
        if (!z.unreadable.empty()) j["unreadable"] = z.unreadable;
        zones.push_back(j);
    }
    out["thermal_zones"] = zones;
    out["power_mode"] = {{"name", power_mode.name}, {"id", power_mode.id ? json(*power_mode.id) : json(nullptr)}};
    if (!power_mode.problem.empty()) out["power_mode"]["problem"] = power_mode.problem;
    const auto l = locked();
    out["locked"] = l ? json(*l) : json(nullptr);
    out["clocks"] = clocks_text();
    if (!clocks_show.problem.empty()) out["jetson_clocks_show"] = clocks_show.problem;
    return out;
}

BoardState read_board_state(const std::string& root, bool run_tools) {
    BoardState s;
    s.root = root;
    s.gpu = find_gpu_devfreq(root);
    s.zones = read_thermal_zones(root);
    if (!run_tools) {
        s.power_mode.problem = "not queried";
        s.clocks_show.problem = "not queried";
        return s;
    }
    if (auto nvpmodel = find_program("nvpmodel")) {
        ToolRun r = run_tool({*nvpmodel, "-q"}, 3000);
        if (r.timed_out) s.power_mode.problem = "nvpmodel -q did not answer within 3 s";
        else if (r.status != 0)
            s.power_mode.problem = "nvpmodel -q failed (exit " + std::to_string(r.status) + "): " + trim(r.err).substr(0, 200);
        else s.power_mode = parse_nvpmodel_query(r.out);
    } else {
        s.power_mode.problem = "nvpmodel not installed";
    }
    if (auto jc = find_program("jetson_clocks")) {
        ToolRun r = run_tool({*jc, "--show"}, 3000);
        if (r.timed_out) s.clocks_show.problem = "jetson_clocks --show did not answer within 3 s";
        else if (r.status != 0)
            s.clocks_show.problem = "jetson_clocks --show failed (exit " + std::to_string(r.status) +
                                    ", it needs root): " + trim(r.err + r.out).substr(0, 200);
        else s.clocks_show = parse_jetson_clocks_show(r.out);
    } else {
        s.clocks_show.problem = "jetson_clocks not installed";
    }
    if (s.power_mode.name.empty() && !s.clocks_show.power_mode.empty()) {
        s.power_mode.name = s.clocks_show.power_mode;
        s.power_mode.problem.clear();
    }
    return s;
}

std::optional<ClockSampler> ClockSampler::open(const std::string& root, const std::string& kind) {
    auto gpu = find_gpu_devfreq(root);
    if (!gpu) return std::nullopt;
    ClockSampler s;
    s.root_ = root;
    s.kind_ = kind;
    s.gpu_ = *gpu;
    s.zones_ = read_thermal_zones(root);
    if (const ThermalZone* z = zone_for(s.zones_, kind)) s.zone_type_ = z->type;
    for (const fs::path& load : {fs::path(gpu->path) / "device/load", fs::path(root) / "sys/devices/gpu.0/load"}) {
        std::error_code ec;
        if (!fs::exists(load, ec)) continue;
        s.load_path_ = load.string();
        break;
    }
    return s;
}

ClockSample ClockSampler::sample() const {
    ClockSample s;
    std::vector<std::string> ignored;  // a value that cannot be read this time is simply absent
    const fs::path dir = gpu_.path;
    s.gpu_mhz = read_mhz(dir / "cur_freq", "cur_freq", ignored);
    s.gpu_min_mhz = read_mhz(dir / "min_freq", "min_freq", ignored);
    s.gpu_max_mhz = read_mhz(dir / "max_freq", "max_freq", ignored);
    if (!load_path_.empty())
        if (auto permille = read_integer(load_path_, "load", 0, 1000, ignored)) s.gpu_load = *permille / 10.0;
    const fs::path zones = fs::path(root_) / "sys/class/thermal";
    for (const auto& z : zones_) {
        const auto milli = read_integer(zones / z.zone / "temp", "temp", -40000, 200000, ignored);
        if (!milli) continue;
        const double c = *milli / 1000.0;
        if (z.type == zone_type_) s.temperature_c = c;
        if (!s.hottest_c || c > *s.hottest_c) s.hottest_c = c;
        if (s.over_trip.empty() && z.passive_trip_c && c >= *z.passive_trip_c)
            s.over_trip = z.type + " " + fixed1(c) + " C >= trip " + fixed1(*z.passive_trip_c) + " C";
    }
    return s;
}

}  // namespace tp::jetson
