#pragma once
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/agent/stopping_rule.h"
#include "core/model/curve.h"

namespace tp::agent {

// What one round of one point produced.
struct RoundResult {
    std::vector<double> samples_ms;   // kept samples
    StopReason reason = StopReason::Noise;
    int discarded = 0;                // e.g. taken far below the normal clock
    std::optional<double> sm_clock_mhz, temperature_c, power_w, cpu_mhz;  // means over the round
    // Boards without NVML (Jetsons): devfreq clock, limits and load, hottest zone, a tripped zone.
    std::optional<double> gpu_mhz, gpu_min_mhz, gpu_max_mhz, gpu_load, hottest_c;
    std::string over_trip;
};

// Combines a point's rounds: order statistics over all kept samples, the interval across rounds
// (statistics.h) as rel_noise, the weakest round's stop reason, sensor means (but the lowest
// devfreq limits and the hottest zone, so a capped or hot round shows), and up to
// CurvePoint::kMaxRawSamples raw samples spread evenly over the whole set.
CurvePoint build_point(int tokens, const std::vector<RoundResult>& rounds);

// Collects round results of many points until each has `rounds` of them.
class PointCollector {
public:
    explicit PointCollector(int rounds) : rounds_(rounds) {}
    // Adds a round; returns the finished point when this was its last round.
    std::optional<CurvePoint> add(int curve, int tokens, RoundResult result);
    int pending() const { return static_cast<int>(open_.size()); }

private:
    int rounds_;
    std::map<std::pair<int, int>, std::vector<RoundResult>> open_;
};

}  // namespace tp::agent
