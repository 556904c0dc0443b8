#include "core/predict/relevel.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <optional>

#include "core/util/format_error.h"
#include "core/util/median.h"

namespace tp {
namespace {

// `count` measured token counts of a curve, spread from its largest down to ~1/5 of its range.
std::vector<int> spread_counts(const Curve& curve, int count, double low_fraction) {
    std::vector<int> tokens;
    for (const auto& p : curve.points) tokens.push_back(p.tokens);
    std::sort(tokens.begin(), tokens.end());
    tokens.erase(std::unique(tokens.begin(), tokens.end()), tokens.end());
    std::vector<int> picked;
    if (tokens.empty() || count <= 0) return picked;
    const int last = static_cast<int>(tokens.size()) - 1;
    std::vector<bool> used(tokens.size(), false);
    for (int i = 0; i < count && static_cast<int>(picked.size()) < last + 1; ++i) {
        const double f = count == 1 ? 1.0 : 1.0 - (1.0 - low_fraction) * i / (count - 1);
        int at = static_cast<int>(std::lround(f * last));
        // Coarse curves: a count already taken gives way to the nearest free one below, else above.
        int below = at, above = at;
        while (below >= 0 && used[static_cast<std::size_t>(below)]) --below;
        while (above <= last && used[static_cast<std::size_t>(above)]) ++above;
        at = below >= 0 ? below : above;
        used[static_cast<std::size_t>(at)] = true;
        picked.push_back(tokens[static_cast<std::size_t>(at)]);
    }
    return picked;
}

const Curve* find_curve(const std::vector<Curve>& curves, const Scope& scope) {
    for (const auto& c : curves)
        if (c.scope == scope) return &c;
    return nullptr;
}

std::optional<double> median_at(const Curve& curve, int tokens) {
    for (const auto& p : curve.points)
        if (p.tokens == tokens && p.median_ms > 0) return p.median_ms;
    return std::nullopt;
}

}  // namespace

std::vector<Curve> fastest_of_passes(const std::vector<std::vector<Curve>>& passes) {
    std::vector<Curve> merged;
    for (const auto& pass : passes)
        for (const auto& curve : pass) {
            Curve* into = nullptr;
            for (auto& m : merged)
                if (m.scope == curve.scope) into = &m;
            if (!into) {
                merged.push_back(curve);
                continue;
            }
            for (const auto& p : curve.points) {
                auto same = std::find_if(into->points.begin(), into->points.end(),
                                         [&](const CurvePoint& q) { return q.tokens == p.tokens; });
                if (same == into->points.end()) into->points.push_back(p);
                else if (p.median_ms > 0 && (same->median_ms <= 0 || p.median_ms < same->median_ms)) *same = p;
            }
        }
    for (auto& c : merged)
        std::sort(c.points.begin(), c.points.end(), [](const CurvePoint& a, const CurvePoint& b) { return a.tokens < b.tokens; });
    return merged;
}

double pass_agreement(const std::vector<std::vector<Curve>>& passes) {
    if (passes.size() < 2 || passes.front().empty() || passes.front().front().points.empty()) return 0;
    const Curve& first = passes.front().front();
    const int tokens = first.points.front().tokens;
    std::vector<double> level;
    for (const auto& pass : passes)
        if (const Curve* c = find_curve(pass, first.scope))
            if (auto ms = median_at(*c, tokens)) level.push_back(*ms);
    if (level.size() < 2) return 0;
    std::sort(level.begin(), level.end());
    return level[1] / level[0] - 1.0;
}

std::string token_list(const std::vector<int>& tokens) {
    std::string out;
    for (int t : tokens) out += (out.empty() ? "" : ",") + std::to_string(t);
    return out;
}

std::vector<RelevelScope> plan_relevel(const Profile& profile, int model_sizes, int op_sizes) {
    std::vector<RelevelScope> plan;
    const Curve* model = find_curve(profile.curves, Scope{});
    if (!model || model->points.empty())
        throw FormatError("/curves", "the profile has no whole-model curve ('model' scope) to re-level against");
    plan.push_back({model->scope, spread_counts(*model, model_sizes, 0.2)});
    // One op curve per method: the largest input length, then the block nearest the middle.
    std::map<std::string, const Curve*> ops;
    const double middle = (profile.model.depth - 1) / 2.0;
    for (const auto& c : profile.curves) {
        if (c.scope.kind != ScopeKind::PruneOp || c.points.empty()) continue;
        const Curve*& best = ops[c.scope.method];
        auto better = [&](const Curve& a, const Curve& b) {
            if (a.scope.tokens_in != b.scope.tokens_in) return a.scope.tokens_in > b.scope.tokens_in;
            return std::abs(a.scope.block - middle) < std::abs(b.scope.block - middle);
        };
        if (!best || better(c, *best)) best = &c;
    }
    for (const auto& [method, curve] : ops) plan.push_back({curve->scope, spread_counts(*curve, op_sizes, 0.2)});
    return plan;
}

RelevelRecord fit_relevel(const Profile& profile, const std::vector<Curve>& measured) {
    RelevelRecord record;
    std::vector<double> x, y;                      // whole model: profile, measured
    std::map<std::string, std::vector<double>> op_ratios;
    for (const auto& curve : measured) {
        const Curve* reference = find_curve(profile.curves, curve.scope);
        if (!reference) continue;
        for (const auto& p : curve.points) {
            const auto old_ms = median_at(*reference, p.tokens);
            if (!old_ms || !(p.median_ms > 0)) continue;
            record.points.push_back({to_string(curve.scope), p.tokens, *old_ms, p.median_ms});
            if (curve.scope.kind == ScopeKind::Model) {
                x.push_back(*old_ms);
                y.push_back(p.median_ms);
            } else if (curve.scope.kind == ScopeKind::PruneOp) {
                op_ratios[curve.scope.method].push_back(p.median_ms / *old_ms);
            }
        }
    }
    if (x.empty()) throw FormatError("/curves", "no whole-model point was measured: nothing to re-level with");
    std::vector<double> ratios;
    for (std::size_t i = 0; i < x.size(); ++i) ratios.push_back(y[i] / x[i]);
    record.fit.scale = median(ratios);
    record.fit.offset_ms = 0;
    if (x.size() >= 3) {
        // Least squares y = a + b·x; kept only when it bends the ratio sensibly (b > 0, and the
        // sizes span at least 2×, so the offset is not an extrapolation artefact).
        double mx = 0, my = 0;
        for (std::size_t i = 0; i < x.size(); ++i) mx += x[i], my += y[i];
        mx /= double(x.size());
        my /= double(x.size());
        double sxx = 0, sxy = 0;
        for (std::size_t i = 0; i < x.size(); ++i) sxx += (x[i] - mx) * (x[i] - mx), sxy += (x[i] - mx) * (y[i] - my);
        const auto [lo, hi] = std::minmax_element(x.begin(), x.end());
        if (sxx > 0 && *hi >= 2 * *lo) {
            const double b = sxy / sxx, a = my - b * mx;
            if (b > 0 && std::abs(a) < 0.5 * *lo * b) {
                record.fit.scale = b;
                record.fit.offset_ms = a;
            }
        }
    }
    for (auto& [method, r] : op_ratios) record.fit.op_scale[method] = median(r);
    return record;
}

}  // namespace tp
