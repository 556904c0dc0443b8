#include "core/agent/stopping_rule.h"

#include <algorithm>

#include "core/agent/statistics.h"

namespace tp::agent {

std::string to_string(StopReason reason) {
    switch (reason) {
        case StopReason::Noise: return "noise";
        case StopReason::Settled: return "settled";
        case StopReason::Timeout: return "timeout";
        case StopReason::MaxSamples: return "samples";
        case StopReason::Cancelled: return "cancelled";
    }
    return "unknown";
}

namespace {
int weakness(StopReason r) {
    switch (r) {
        case StopReason::Noise: return 0;
        case StopReason::Settled: return 1;
        case StopReason::MaxSamples: return 2;
        case StopReason::Timeout: return 3;
        case StopReason::Cancelled: return 4;
    }
    return 4;
}
}  // namespace

StopReason weaker(StopReason a, StopReason b) { return weakness(a) >= weakness(b) ? a : b; }

AdaptiveStopper::AdaptiveStopper(StoppingConfig config) : config_(config) {
    config_.rule.min_samples = std::max(config_.rule.min_samples, 2);
    config_.max_samples = std::max(config_.max_samples, config_.rule.min_samples);
    config_.settle_window = std::max(config_.settle_window, 2);
}

double AdaptiveStopper::rel_spread() const { return robust_rel_spread(samples_); }

double AdaptiveStopper::rel_half_width() const {
    return median_rel_half_width(rel_spread(), static_cast<int>(samples_.size()));
}

bool AdaptiveStopper::spread_settled() const {
    auto w = static_cast<std::size_t>(config_.settle_window);
    if (spread_history_.size() < w) return false;
    auto first = spread_history_.end() - static_cast<std::ptrdiff_t>(w);
    auto [lo, hi] = std::minmax_element(first, spread_history_.end());
    double mid = (*lo + *hi) / 2;
    if (mid <= 0) return true;  // identical samples: nothing more to learn
    return (*hi - *lo) / mid <= config_.settle_tolerance;
}

std::optional<StopReason> AdaptiveStopper::add(double seconds, double cost_seconds) {
    samples_.push_back(seconds);
    total_s_ += cost_seconds >= 0 ? cost_seconds : seconds;
    const auto n = static_cast<int>(samples_.size());
    const bool minimum_met = n >= config_.rule.min_samples && total_s_ >= config_.rule.min_time_s;
    // The robust statistics cost O(n log n); past 64 samples evaluate them about 32 times per
    // doubling of n, so checking stays a small fraction of the measured work.
    const bool check_now = minimum_met && (n <= 64 || n % std::max(1, n / 32) == 0);
    if (check_now) {
        double spread = rel_spread();
        spread_history_.push_back(spread);
        if (median_rel_half_width(spread, n) <= config_.rule.target_rel_noise) return StopReason::Noise;
    }
    if (total_s_ >= config_.rule.timeout_s) return StopReason::Timeout;
    if (n >= config_.max_samples) return StopReason::MaxSamples;
    if (check_now && total_s_ >= 2 * config_.rule.min_time_s && spread_settled()) return StopReason::Settled;
    return std::nullopt;
}

}  // namespace tp::agent
