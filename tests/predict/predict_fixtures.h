#pragma once
// Synthetic profiles with known structure for the predictor tests: every curve is an exact function
// of the token count, and the step analysis handed to the predictor is the known truth, so expected
// predictions can be computed by hand.
#include <cmath>
#include <functional>
#include <map>
#include <string>

#include "core/model/profile.h"
#include "core/predict/latency_predictor.h"
#include "tests/model_fixtures.h"

namespace tp::test {

inline Curve curve_of(const Scope& scope, int first, int last, int stride, const std::function<double(int)>& ms) {
    Curve c;
    c.scope = scope;
    c.name = to_string(scope);
    for (int t = first; t <= last; t += stride) {
        CurvePoint p;
        p.tokens = t;
        p.samples = 10;
        p.median_ms = p.mean_ms = p.p10_ms = p.p90_ms = p.min_ms = ms(t);
        c.points.push_back(p);
    }
    return c;
}

inline Scope scope(ScopeKind kind, int block = -1) {
    Scope s;
    s.kind = kind;
    s.block = block;
    return s;
}
inline Scope fixed_scope(const std::string& part) {
    Scope s;
    s.kind = ScopeKind::Fixed;
    s.part = part;
    return s;
}
inline Scope prune_scope(const std::string& method, int block, int tokens_in) {
    Scope s;
    s.kind = ScopeKind::PruneOp;
    s.method = method;
    s.block = block;
    s.tokens_in = tokens_in;
    return s;
}

// Linear ramps: attention of block b costs 0.010·(b+1)·n µs-scale units, MLP 0.020·n, so a
// pruning block's split is visible in the result.
inline double attn_ms(int block, int n) { return 0.01 * (block + 1) * n; }
inline double mlp_ms(int /*block*/, int n) { return 0.02 * n; }

// A profile with block, attention and MLP curves for every block (measured at every count),
// fixed parts and optionally a pruning-op curve.
inline Profile linear_profile(int depth = 8, int tokens = 50) {
    Profile p;
    p.id = "fixture";
    p.device.name = "fixture-cpu";
    p.device.host = "local";
    p.model = small_vit_model(depth, tokens);
    p.curves.push_back(curve_of(fixed_scope("embed"), tokens, tokens, 1, [](int) { return 0.3; }));
    p.curves.push_back(curve_of(fixed_scope("head"), 1, tokens, 1, [](int n) { return 0.1 + 0.001 * n; }));
    for (int b = 0; b < depth; ++b) {
        p.curves.push_back(curve_of(scope(ScopeKind::Block, b), 1, tokens, 1,
                                    [b](int n) { return attn_ms(b, n) + mlp_ms(b, n); }));
        p.curves.push_back(curve_of(scope(ScopeKind::Attention, b), 1, tokens, 1, [b](int n) { return attn_ms(b, n); }));
        p.curves.push_back(curve_of(scope(ScopeKind::Mlp, b), 1, tokens, 1, [b](int n) { return mlp_ms(b, n); }));
    }
    return p;
}

// Step analysis where every point is its own level: a plateau per measured count with zero slope
// (no edge gaps to fill between consecutive counts) — for curves measured at every count.
inline StepAnalysis pointwise_analysis(const Curve& c) {
    StepAnalysis a;
    for (std::size_t i = 0; i < c.points.size(); ++i) {
        const auto& pt = c.points[i];
        Plateau pl;
        pl.first_tokens = pl.last_tokens = pt.tokens;
        pl.points = 1;
        pl.intercept_ms = pt.median_ms;
        a.plateaus.push_back(pl);
    }
    return a;
}

inline StepAnalysis no_steps(const Curve&) { return {}; }

}  // namespace tp::test
