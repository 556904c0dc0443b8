#include "core/model/clock_flags.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace tp {

namespace {

struct Seen {
    const Curve* curve;
    const CurvePoint* point;
};

std::string mhz(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f", v);
    return buf;
}

// "model at 12, 13, 40 tokens; block:3 at 7 tokens" for at most `limit` points.
std::string examples(const std::vector<Seen>& points, std::size_t limit = 6) {
    std::string out;
    const Curve* current = nullptr;
    std::size_t shown = 0;
    bool more = false;
    for (const Seen& s : points) {
        if (shown == limit) {
            more = true;
            break;
        }
        if (s.curve != current) {
            if (current) out += " tokens; ";
            out += s.curve->name + " at ";
            current = s.curve;
        } else {
            out += ", ";
        }
        out += std::to_string(s.point->tokens);
        ++shown;
    }
    if (shown) out += more ? ", ... tokens" : " tokens";
    return out;
}

std::string env(const Profile& p, const char* key) {
    auto it = p.settings.environment.find(key);
    return it == p.settings.environment.end() ? std::string() : it->second;
}

std::string count_of(std::size_t n, std::size_t total) {
    return std::to_string(n) + " of " + std::to_string(total) + " point" + (total == 1 ? "" : "s");
}

}  // namespace

std::vector<ClockFlag> compute_clock_flags(const Profile& profile) {
    std::vector<Seen> all;
    for (const Curve& c : profile.curves)
        for (const CurvePoint& p : c.points) all.push_back({&c, &p});
    std::vector<ClockFlag> flags;
    const std::string governor = env(profile, clock_env::kGovernor);

    // Unlocked: devfreq's limits differ, so the governor may move the clock between points.
    std::vector<Seen> unlocked;
    double lo = 0, hi = 0;
    for (const Seen& s : all) {
        const CurvePoint& p = *s.point;
        // A maximum capped below the minimum is throttling (below), not a free governor.
        if (!p.gpu_min_mhz || !p.gpu_max_mhz || *p.gpu_max_mhz - *p.gpu_min_mhz < 0.5) continue;
        if (unlocked.empty() || *p.gpu_min_mhz < lo) lo = *p.gpu_min_mhz;
        if (unlocked.empty() || *p.gpu_max_mhz > hi) hi = *p.gpu_max_mhz;
        unlocked.push_back(s);
    }
    if (!unlocked.empty())
        flags.push_back({"clocks_unlocked", "GPU clocks were not locked at " + count_of(unlocked.size(), all.size()) +
                                                ": the " + (governor.empty() ? std::string("devfreq") : governor) +
                                                " governor could move them between " + mhz(lo) + " and " + mhz(hi) +
                                                " MHz (lock them with: tailprune device lock-clocks DEVICE)"});
    else if (all.empty() && env(profile, clock_env::kClocks).rfind("unlocked", 0) == 0)
        flags.push_back({"clocks_unlocked", "GPU clocks were " + env(profile, clock_env::kClocks) + " at the start"});

    // Changed: points measured away from the sweep's usual clock.
    bool devfreq = false;
    std::vector<std::pair<double, Seen>> clocks;
    for (const Seen& s : all)
        if (s.point->gpu_mhz) devfreq = true;
    for (const Seen& s : all) {
        const auto v = devfreq ? s.point->gpu_mhz : s.point->sm_clock_mhz;
        if (v && *v > 0) clocks.push_back({*v, s});
    }
    if (clocks.size() >= 2) {
        std::vector<double> values;
        for (const auto& c : clocks) values.push_back(c.first);
        std::nth_element(values.begin(), values.begin() + static_cast<long>(values.size() / 2), values.end());
        const double ref = values[values.size() / 2];
        const double tolerance = devfreq ? kDevfreqClockTolerance : kSmClockTolerance;
        std::vector<Seen> off;
        double low = ref, high = ref;
        for (const auto& [v, s] : clocks) {
            if (std::fabs(v - ref) / ref <= tolerance) continue;
            off.push_back(s);
            low = std::min(low, v);
            high = std::max(high, v);
        }
        if (!off.empty())
            flags.push_back({"clock_changed", "GPU clock changed during the sweep: most points ran at " + mhz(ref) +
                                                  " MHz, " + count_of(off.size(), clocks.size()) + " at other clocks (" +
                                                  mhz(low) + " to " + mhz(high) + " MHz): " + examples(off)});
    }

    // Throttled: a thermal zone at its passive trip point; the GPU's maximum lowered during the
    // sweep (thermal or power capping); a locked GPU running below its locked clock.
    std::vector<Seen> tripped;
    std::string trip_text;
    for (const Seen& s : all)
        if (!s.point->over_trip.empty()) {
            if (trip_text.empty()) trip_text = s.point->over_trip;
            tripped.push_back(s);
        }
    if (!tripped.empty())
        flags.push_back({"throttled", "thermal throttling: a zone was at its passive trip point at " +
                                          count_of(tripped.size(), all.size()) + " (first: " + trip_text + "): " +
                                          examples(tripped)});
    double cap = 0;
    for (const Seen& s : all)
        if (s.point->gpu_max_mhz) cap = std::max(cap, *s.point->gpu_max_mhz);
    std::vector<Seen> capped, below;
    double lowest_cap = cap, lowest_run = 0;
    for (const Seen& s : all) {
        const CurvePoint& p = *s.point;
        if (p.gpu_max_mhz && *p.gpu_max_mhz < cap - 0.5) {
            capped.push_back(s);
            lowest_cap = std::min(lowest_cap, *p.gpu_max_mhz);
        }
        if (p.gpu_mhz && p.gpu_min_mhz && p.gpu_max_mhz && std::fabs(*p.gpu_max_mhz - *p.gpu_min_mhz) < 0.5 &&
            *p.gpu_mhz < *p.gpu_min_mhz - 0.5) {
            if (below.empty() || *p.gpu_mhz < lowest_run) lowest_run = *p.gpu_mhz;
            below.push_back(s);
        }
    }
    if (!capped.empty())
        flags.push_back({"throttled", "the GPU's maximum clock was lowered from " + mhz(cap) + " to " + mhz(lowest_cap) +
                                          " MHz (thermal or power capping) at " +
                                          count_of(capped.size(), all.size()) + ": " + examples(capped)});
    if (!below.empty())
        flags.push_back({"throttled", "the GPU ran below its locked clock (down to " + mhz(lowest_run) + " MHz) at " +
                                          count_of(below.size(), all.size()) + ": " + examples(below)});

    const std::string mode = env(profile, clock_env::kPowerMode), mode_end = env(profile, clock_env::kPowerModeEnd);
    if (!mode.empty() && !mode_end.empty() && mode != mode_end && mode.rfind("unknown", 0) != 0 &&
        mode_end.rfind("unknown", 0) != 0)
        flags.push_back({"power_mode_changed", "the power mode changed during the sweep: " + mode + " at the start, " +
                                                   mode_end + " at the end"});
    return flags;
}

}  // namespace tp
