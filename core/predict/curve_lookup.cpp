#include "core/predict/curve_lookup.h"

#include <algorithm>
#include <cmath>

namespace tp {

const char* to_string(LookupSource source) {
    switch (source) {
        case LookupSource::Plateau: return "plateau";
        case LookupSource::EdgeGap: return "edge-gap";
        case LookupSource::Interpolated: return "interpolated";
        case LookupSource::Extrapolated: return "extrapolated";
    }
    return "?";
}

namespace {

double periodic_factor(const PeriodicFinding& period, int tokens) {
    if (!period.found || period.period <= 0 ||
        period.residue_effect_pct.size() != static_cast<std::size_t>(period.period))
        return 1.0;
    return 1.0 + period.residue_effect_pct[static_cast<std::size_t>(tokens % period.period)] / 100.0;
}

// Linear interpolation between measured medians; flat outside the measured range.
void fill_from_medians(const Curve& curve, std::vector<double>& ms, std::vector<unsigned char>& source) {
    const auto& pts = curve.points;
    for (std::size_t n = 1; n < ms.size(); ++n) {
        const int t = static_cast<int>(n);
        auto hi = std::lower_bound(pts.begin(), pts.end(), t,
                                   [](const CurvePoint& p, int v) { return p.tokens < v; });
        if (hi == pts.end()) {
            ms[n] = pts.back().median_ms;
            source[n] = static_cast<unsigned char>(LookupSource::Extrapolated);
        } else if (hi->tokens == t) {
            ms[n] = hi->median_ms;
            source[n] = static_cast<unsigned char>(LookupSource::Plateau);
        } else if (hi == pts.begin()) {
            ms[n] = hi->median_ms;
            source[n] = static_cast<unsigned char>(LookupSource::Extrapolated);
        } else {
            auto lo = hi - 1;
            double w = double(t - lo->tokens) / double(hi->tokens - lo->tokens);
            ms[n] = lo->median_ms + w * (hi->median_ms - lo->median_ms);
            source[n] = static_cast<unsigned char>(LookupSource::Interpolated);
        }
    }
}

}  // namespace

CurveLookup::CurveLookup(const Curve& curve, const StepAnalysis& steps, int max_tokens) {
    if (curve.points.empty() || max_tokens < 1) return;
    ms_.assign(static_cast<std::size_t>(max_tokens) + 1, 0.0);
    source_.assign(ms_.size(), static_cast<unsigned char>(LookupSource::Extrapolated));
    first_measured_ = curve.points.front().tokens;
    last_measured_ = curve.points.back().tokens;

    const auto& plateaus = steps.plateaus;
    if (plateaus.empty()) {
        fill_from_medians(curve, ms_, source_);
        return;
    }
    for (int t = 1; t <= max_tokens; ++t) {
        double level = 0;
        LookupSource src = LookupSource::Plateau;
        if (t < plateaus.front().first_tokens) {
            level = plateaus.front().level_at(t);
            src = LookupSource::Extrapolated;
        } else if (t > plateaus.back().last_tokens) {
            level = plateaus.back().level_at(t);
            src = LookupSource::Extrapolated;
        } else {
            // First plateau whose range ends at or after t: t is either inside it or in the gap before it.
            auto it = std::lower_bound(plateaus.begin(), plateaus.end(), t,
                                       [](const Plateau& p, int v) { return p.last_tokens < v; });
            if (t >= it->first_tokens) {
                level = it->level_at(t);
            } else {
                const Plateau& before = *(it - 1);
                level = std::max(before.level_at(t), it->level_at(t));
                src = LookupSource::EdgeGap;
            }
        }
        ms_[static_cast<std::size_t>(t)] = std::max(0.0, level * periodic_factor(steps.period, t));
        source_[static_cast<std::size_t>(t)] = static_cast<unsigned char>(src);
    }
}

}  // namespace tp
