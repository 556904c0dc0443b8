#pragma once
#include <optional>
#include <string>
#include <vector>

#include "core/model/device.h"

namespace tp::agent {

// Why a measurement of one point (in one round) ended. The profile stores the text form.
enum class StopReason {
    Noise,      // the median's 95% interval reached the target relative half-width
    Settled,    // the samples' spread stopped changing: more samples buy only 1/sqrt(n)
    Timeout,    // the per-point time limit ran out first (the target was not met)
    MaxSamples, // the sample cap was reached first
    Cancelled,  // stopped from outside (Ctrl-C, cancel request)
};
std::string to_string(StopReason reason);
// The least satisfactory of two reasons (timeout > max samples > settled > noise), so a point
// measured in several rounds records the weakest round.
StopReason weaker(StopReason a, StopReason b);

// Adaptive stopping in the spirit of nvbench's stdrel criterion (methods.md §5):
// - nothing stops before `min_samples` samples AND `min_time_s` of measured time;
// - then stop when the median's relative half-width <= target_rel_noise (Noise);
// - or when the robust relative spread of the samples, checked after each sample, stayed within
//   `settle_tolerance` (relative) over the last `settle_window` checks and at least twice the
//   minimum time has passed (Settled);
// - or when the measured time exceeds timeout_s (Timeout), or max_samples is reached.
// Samples are seconds of measured time. The time criteria count the cost of taking a sample:
// by default the sample itself; a scope timed in place inside a whole forward passes the
// forward's wall time, so a 20 µs op does not need 25 000 forwards to reach the minimum time.
struct StoppingConfig {
    StoppingRule rule;            // min_samples, min_time_s, target_rel_noise, timeout_s
    int max_samples = 100000;
    int settle_window = 16;
    double settle_tolerance = 0.05;
};

class AdaptiveStopper {
public:
    explicit AdaptiveStopper(StoppingConfig config);

    // Adds one sample (seconds) that cost `cost_seconds` (< 0: the sample itself); returns the
    // reason to stop now, if any.
    std::optional<StopReason> add(double seconds, double cost_seconds = -1);

    const std::vector<double>& samples() const { return samples_; }
    double measured_time_s() const { return total_s_; }
    double rel_half_width() const;   // the median's current 95% relative half-width
    double rel_spread() const;       // robust relative spread of the samples

private:
    bool spread_settled() const;

    StoppingConfig config_;
    std::vector<double> samples_;
    std::vector<double> spread_history_;
    double total_s_ = 0;
};

}  // namespace tp::agent
