#pragma once
#include <optional>
#include <string>
#include <vector>

#include "core/model/scope.h"

namespace tp {

// Statistics of one measured token count.
struct CurvePoint {
    int tokens = 0;              // sequence length incl. CLS
    int samples = 0;             // samples kept
    double median_ms = 0;
    double mean_ms = 0;
    double p10_ms = 0;
    double p90_ms = 0;
    double min_ms = 0;
    double rel_noise = 0;        // relative half-width of the point's interval (across rounds)
    std::string stop_reason;     // which stopping criterion ended the point (noise, settled, timeout, samples, imported)
    std::vector<double> raw_ms;  // at most kMaxRawSamples raw samples
    int discarded = 0;           // samples discarded (e.g. taken below the normal clock)
    std::optional<double> sm_clock_mhz;
    std::optional<double> temperature_c;
    std::optional<double> power_w;
    std::optional<double> cpu_mhz;
    // Boards without NVML (Jetsons, issue 22): the GPU's devfreq clock, its limits (min == max:
    // locked), its load in percent, the hottest thermal zone, and a zone at or over its passive
    // trip point while the point was measured ("gpu-thermal 101.0 C >= trip 99.0 C").
    std::optional<double> gpu_mhz;
    std::optional<double> gpu_min_mhz;
    std::optional<double> gpu_max_mhz;
    std::optional<double> gpu_load;
    std::optional<double> hottest_c;
    std::string over_trip;

    static constexpr std::size_t kMaxRawSamples = 32;
};

// One latency curve for one scope: points sorted by tokens, unique token counts.
struct Curve {
    std::string name;            // unique within a profile, defaults to to_string(scope)
    Scope scope;
    std::vector<CurvePoint> points;
    bool partial = false;        // the sweep did not finish; points present are complete

    const CurvePoint* find(int tokens) const;
    std::vector<int> token_counts() const;
    std::vector<double> medians() const;
};

// Sorts by tokens; throws FormatError (naming the curve) on duplicate or non-positive token counts,
// negative or non-finite latencies, or p10 > median > p90 ordering violations.
void normalise_and_check(Curve& curve);

}  // namespace tp
