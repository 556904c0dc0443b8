#include "editor_fixtures.h"

#include <cmath>
#include <functional>
#include <random>

namespace tp::test {
namespace {

double block_ms(const DeviceShape& d, double tokens) {
    double ms = d.block_base_ms + d.slope_ms * tokens;
    if (d.tile > 0) ms += d.step_ms * std::ceil(tokens / d.tile);
    if (d.period > 0) ms *= 1.0 + d.residue_pct[static_cast<std::size_t>(static_cast<int>(tokens) % d.period)] / 100.0;
    return ms;
}

Curve make_curve(const Scope& scope, int max_tokens, const DeviceShape& d, std::mt19937_64& rng,
                 const std::function<double(int)>& truth) {
    Curve c;
    c.scope = scope;
    c.name = to_string(scope);
    std::normal_distribution<double> noise(0.0, d.noise_rel);
    for (int n = 1; n <= max_tokens; ++n) {
        const double t = truth(n);
        CurvePoint p;
        p.tokens = n;
        p.samples = 20;
        p.median_ms = t * (1.0 + noise(rng));
        p.mean_ms = p.median_ms;
        p.min_ms = p.median_ms * (1.0 - 2.0 * d.noise_rel);
        p.p10_ms = p.median_ms * (1.0 - 1.28 * d.noise_rel);
        p.p90_ms = p.median_ms * (1.0 + 1.28 * d.noise_rel);
        p.rel_noise = d.noise_rel;
        p.stop_reason = "noise";
        c.points.push_back(p);
    }
    normalise_and_check(c);
    return c;
}

}  // namespace

std::vector<DeviceShape> device_shapes() {
    std::vector<DeviceShape> d(5);
    d[0] = {"gpu-16sm-tile32", "cuda", 16, 32, 0.20, 0.060, 0.0002, 0.002, 0, {}, 11};
    d[1] = {"gpu-132sm-tile16", "cuda", 132, 16, 0.05, 0.004, 0.00002, 0.002, 0, {}, 12};
    d[2] = {"edge-8sm-tile64", "cuda", 8, 64, 0.80, 0.500, 0.0010, 0.003, 0, {}, 13};
    d[3] = {"cpu-2core", "cpu", 2, 0, 0.30, 0.0, 0.0150, 0.003, 4, {-6.0, 0.5, 0.5, 7.0}, 14};
    d[4] = {"gpu-46sm-tile48", "cuda", 46, 48, 0.10, 0.020, 0.0001, 0.002, 0, {}, 15};
    return d;
}

int level_first_tokens(const DeviceShape& d, int tokens) {
    if (d.tile <= 0) return 1;
    return (tokens - 1) / d.tile * d.tile + 1;
}

Profile synthetic_profile(const DeviceShape& d, const ModelInfo& model, const std::vector<int>& deployed_blocks) {
    Profile p;
    p.id = d.name;
    p.device.name = d.name;
    p.device.kind = d.kind;
    p.device.host = "local";
    p.device.sm_count = d.sm_count;
    p.model = model;
    p.settings.mode = d.kind == "cpu" ? "cpu" : "graph";
    p.settings.date = "2026-11-23T06:00:00Z";
    p.settings.tool_version = "test";
    std::mt19937_64 rng(d.seed);
    const int N = model.tokens;
    const double embed = 0.05 + 0.0001 * N;
    auto head = [](int n) { return 0.02 + 0.00001 * n; };
    p.curves.push_back(make_curve(Scope{ScopeKind::Fixed, -1, {}, 0, "embed"}, 1, d, rng, [&](int) { return embed; }));
    p.curves.back().points[0].tokens = N;  // the embedding always runs at the full length
    p.curves.push_back(make_curve(Scope{ScopeKind::Fixed, -1, {}, 0, "head"}, N, d, rng, head));
    p.curves.push_back(make_curve(Scope{ScopeKind::Model, -1, {}, 0, {}}, N, d, rng,
                                  [&](int n) { return embed + model.depth * block_ms(d, n) + head(n); }));
    for (int b = 0; b < model.depth; ++b)
        p.curves.push_back(
            make_curve(Scope{ScopeKind::Block, b, {}, 0, {}}, N, d, rng, [&](int n) { return block_ms(d, n); }));
    for (int k : deployed_blocks)
        p.curves.push_back(make_curve(Scope{ScopeKind::Deployed, k, {}, 0, {}}, N, d, rng, [&](int n) {
            // Blocks before the cut at full length, the cut block half/half, later blocks at n.
            return embed + k * block_ms(d, N) + 0.5 * (block_ms(d, N) + block_ms(d, n)) +
                   (model.depth - 1 - k) * block_ms(d, n) + head(n);
        }));
    validate(p);
    return p;
}

std::vector<std::shared_ptr<const Profile>> five_device_profiles() {
    std::vector<std::shared_ptr<const Profile>> out;
    for (const DeviceShape& d : device_shapes())
        out.push_back(std::make_shared<const Profile>(synthetic_profile(d, deit_small_model(), {1, 3, 5, 7})));
    return out;
}

}  // namespace tp::test
