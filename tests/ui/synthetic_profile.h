#pragma once
// Synthetic staircase profiles for the studio's tests (never written into profiles/): a GEMM-like
// latency that jumps every `period` tokens, a small slope, deterministic noise and a p10–p90 band.
#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "core/model/profile.h"
#include "core/model/scope.h"

namespace tp::test {

struct StaircaseSpec {
    std::string device = "Synthetic GPU A";
    std::string host = "local";
    int tokens = 197;
    int period = 32;          // an edge at 1 + k*period
    double base_ms = 2.0;
    double step_ms = 0.25;    // height of every step
    double slope_ms = 0.0005; // per token, within plateaus
    double noise = 0.002;     // relative
    unsigned seed = 7;
    bool strips = true;       // SM clock and temperature per point
    std::vector<std::string> scopes{"model", "block:3"};
};

// Token counts of the edges the spec puts in: 1 + k*period for k >= 1, below `tokens`.
inline std::vector<int> staircase_edges(const StaircaseSpec& s) {
    std::vector<int> out;
    for (int t = 1 + s.period; t <= s.tokens; t += s.period) out.push_back(t);
    return out;
}

inline Profile staircase_profile(const StaircaseSpec& s) {
    Profile p;
    p.id = "synthetic-" + std::to_string(s.period);
    p.device.name = s.device;
    p.device.kind = "cuda";
    p.device.host = s.host;
    p.device.sm_count = 16;
    p.model.name = "deit_tiny_patch16_224";
    p.model.tokens = s.tokens;
    p.model.depth = 12;
    p.settings.mode = "graph";
    p.settings.date = "2026-11-23T05:00:00Z";
    std::mt19937 rng(s.seed);
    std::normal_distribution<double> gauss(0.0, 1.0);
    for (std::size_t c = 0; c < s.scopes.size(); ++c) {
        Curve curve;
        curve.scope = parse_scope(s.scopes[c]);
        curve.name = s.scopes[c];
        const double scale = c == 0 ? 1.0 : 1.0 / 12.0;  // a block is about a twelfth of the model
        for (int n = 1; n <= s.tokens; ++n) {
            CurvePoint pt;
            pt.tokens = n;
            pt.samples = 40;
            const double level = scale * (s.base_ms + s.step_ms * ((n - 1) / s.period) + s.slope_ms * n);
            pt.median_ms = level * (1.0 + s.noise * gauss(rng));
            pt.mean_ms = pt.median_ms;
            pt.p10_ms = pt.median_ms * 0.985;
            pt.p90_ms = pt.median_ms * 1.02;
            pt.min_ms = pt.p10_ms * 0.99;
            pt.stop_reason = "noise";
            if (s.strips) {
                pt.sm_clock_mhz = 1980.0 - 0.2 * n;
                pt.temperature_c = 55.0 + 0.05 * n;
            }
            curve.points.push_back(pt);
        }
        normalise_and_check(curve);
        p.curves.push_back(std::move(curve));
    }
    validate(p);
    return p;
}

}  // namespace tp::test
