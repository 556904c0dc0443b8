#include "core/agent/point_builder.h"

#include "core/agent/statistics.h"

namespace tp::agent {

namespace {

std::optional<double> mean_of(const std::vector<RoundResult>& rounds, std::optional<double> RoundResult::*field) {
    double sum = 0;
    int count = 0;
    for (const auto& r : rounds)
        if (r.*field) {
            sum += *(r.*field);
            ++count;
        }
    if (count == 0) return std::nullopt;
    return sum / count;
}

std::optional<double> extreme_of(const std::vector<RoundResult>& rounds, std::optional<double> RoundResult::*field,
                                 bool lowest) {
    std::optional<double> out;
    for (const auto& r : rounds)
        if (r.*field && (!out || (lowest ? *(r.*field) < *out : *(r.*field) > *out))) out = r.*field;
    return out;
}

}  // namespace

CurvePoint build_point(int tokens, const std::vector<RoundResult>& rounds) {
    CurvePoint p;
    p.tokens = tokens;
    std::vector<double> all, round_medians;
    for (const auto& r : rounds) {
        all.insert(all.end(), r.samples_ms.begin(), r.samples_ms.end());
        if (!r.samples_ms.empty()) round_medians.push_back(median(r.samples_ms));
        p.discarded += r.discarded;
    }
    SampleSummary s = summarize(all);
    p.samples = s.count;
    p.median_ms = s.median;
    p.mean_ms = s.mean;
    p.p10_ms = s.p10;
    p.p90_ms = s.p90;
    p.min_ms = s.min;
    p.rel_noise = interval_across_rounds(round_medians, all).rel_half_width;
    if (!rounds.empty()) {
        StopReason reason = rounds.front().reason;
        for (const auto& r : rounds) reason = weaker(reason, r.reason);
        p.stop_reason = to_string(reason);
    }
    const std::size_t keep = std::min(all.size(), CurvePoint::kMaxRawSamples);
    for (std::size_t i = 0; i < keep; ++i) p.raw_ms.push_back(all[i * all.size() / keep]);
    p.sm_clock_mhz = mean_of(rounds, &RoundResult::sm_clock_mhz);
    p.temperature_c = mean_of(rounds, &RoundResult::temperature_c);
    p.power_w = mean_of(rounds, &RoundResult::power_w);
    p.cpu_mhz = mean_of(rounds, &RoundResult::cpu_mhz);
    p.gpu_mhz = mean_of(rounds, &RoundResult::gpu_mhz);
    p.gpu_min_mhz = extreme_of(rounds, &RoundResult::gpu_min_mhz, true);
    p.gpu_max_mhz = extreme_of(rounds, &RoundResult::gpu_max_mhz, true);
    p.gpu_load = mean_of(rounds, &RoundResult::gpu_load);
    p.hottest_c = extreme_of(rounds, &RoundResult::hottest_c, false);
    for (const auto& r : rounds)
        if (p.over_trip.empty()) p.over_trip = r.over_trip;
    return p;
}

std::optional<CurvePoint> PointCollector::add(int curve, int tokens, RoundResult result) {
    auto key = std::make_pair(curve, tokens);
    auto& list = open_[key];
    list.push_back(std::move(result));
    if (static_cast<int>(list.size()) < rounds_) return std::nullopt;
    CurvePoint p = build_point(tokens, list);
    open_.erase(key);
    return p;
}

}  // namespace tp::agent
