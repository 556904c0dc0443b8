#include "core/search/search_entry.h"

namespace tp {

Schedule schedule_with_cuts(const ModelInfo& model, const std::string& method, const std::vector<PruningPoint>& cuts) {
    Schedule s = unpruned_schedule(model);
    s.method = method;
    s.tokens_after_block = tokens_from_points(model.depth, model.tokens, cuts);
    s.name = method + ":";
    for (const auto& p : cuts) s.name += " " + std::to_string(p.block) + "→" + std::to_string(p.tokens);
    if (cuts.empty()) s.name += " no cut";
    return s;
}

SearchEntry evaluate_entry(const Schedule& schedule, const std::vector<const ProfileAnalysis*>& devices,
                           const std::vector<std::string>& names, const AccuracyModel& accuracy, int device,
                           bool latency_in_ms) {
    SearchEntry e;
    e.schedule = schedule;
    for (std::size_t d = 0; d < devices.size(); ++d) {
        const LatencyPrediction p = devices[d]->predict(schedule);
        DeviceLatency l;
        l.device = names[d];
        l.ms = p.latency_ms, l.low_ms = p.low_ms, l.high_ms = p.high_ms;
        l.unpruned_ms = p.unpruned_ms;
        if (p.unpruned_ms > 0) {
            l.pct = 100.0 * p.latency_ms / p.unpruned_ms;
            l.low_pct = 100.0 * p.low_ms / p.unpruned_ms;
            l.high_pct = 100.0 * p.high_ms / p.unpruned_ms;
        }
        e.devices.push_back(l);
    }
    int chosen = device;
    if (chosen < 0) {
        chosen = 0;
        for (std::size_t d = 1; d < e.devices.size(); ++d) {
            const auto& a = e.devices[d];
            const auto& b = e.devices[static_cast<std::size_t>(chosen)];
            if (latency_in_ms ? a.ms > b.ms : a.pct > b.pct) chosen = static_cast<int>(d);
        }
    }
    e.objective_device = chosen;
    const DeviceLatency& l = e.devices[static_cast<std::size_t>(chosen)];
    e.predicted_ms = l.ms, e.predicted_ms_low = l.low_ms, e.predicted_ms_high = l.high_ms;
    e.predicted_pct = l.pct, e.predicted_pct_low = l.low_pct, e.predicted_pct_high = l.high_pct;
    e.schedule.device = devices[static_cast<std::size_t>(chosen)]->profile().device;
    e.schedule.predicted_latency = LatencyPrediction{};
    e.schedule.predicted_latency->latency_ms = l.ms;
    e.schedule.predicted_latency->low_ms = l.low_ms;
    e.schedule.predicted_latency->high_ms = l.high_ms;
    const AccuracyPrediction a = accuracy.predict(schedule.tokens_after_block);
    e.predicted_top1 = a.top1.value, e.predicted_top1_low = a.top1.low, e.predicted_top1_high = a.top1.high;
    e.predicted_drop_pp = 100.0 * a.top1.drop;
    e.extrapolated = a.extrapolated;
    return e;
}

}  // namespace tp
