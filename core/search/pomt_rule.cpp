#include "core/search/pomt_rule.h"

#include <algorithm>
#include <cstdio>

#include "core/search/search_entry.h"
#include "core/util/format_error.h"

namespace tp {
namespace {

std::string rule_label(const PomtRuleSettings& s) {
    char buf[160];
    std::snprintf(buf, sizeof buf, "pomt rule (k=%d, α=%.2f)%s", s.block, s.alpha,
                  s.release_off_by_two ? ", release variant: deploys n*+2 tokens (the release's off-by-two)" : "");
    return buf;
}

}  // namespace

PomtRulePick pomt_rule(const ProfileAnalysis& device, const AccuracyModel& accuracy, const PomtRuleSettings& s) {
    const ModelInfo& model = device.profile().model;
    if (s.block < 0 || s.block >= model.depth)
        throw FormatError("/block", "block " + std::to_string(s.block) + " is outside 0.." + std::to_string(model.depth - 1));
    if (!(s.alpha >= 0 && s.alpha <= 1)) throw FormatError("/alpha", "α must lie in [0, 1]");
    const Curve* deployed = device.profile().find_curve(Scope{ScopeKind::Deployed, s.block, {}, 0, {}});
    if (deployed && deployed->points.empty()) deployed = nullptr;
    if (!deployed && !device.predictor()) std::rethrow_exception(device.predictor_failure());

    PomtRulePick pick;
    pick.label = rule_label(s);
    const std::string curve = "deployed:" + std::to_string(s.block);
    pick.latency_source = deployed ? curve + " (measured)" : "predicted (the profile has no " + curve + " curve)";
    for (int n = model.tokens; n >= 2; --n) {
        PomtRuleStep step;
        step.tokens = n;
        const auto cut = n < model.tokens ? std::vector<PruningPoint>{{s.block, n}} : std::vector<PruningPoint>{};
        const Schedule schedule = schedule_with_cuts(model, "pomt", cut);
        if (deployed) {
            // The deployed curve runs the full length through block k and n after it: the rule's L(n),
            // read only where measured.
            auto it = std::find_if(deployed->points.begin(), deployed->points.end(),
                                   [n](const CurvePoint& p) { return p.tokens == n; });
            if (it == deployed->points.end()) continue;
            step.latency_ms = it->median_ms;
            step.measured = true;
        } else {
            step.latency_ms = device.predictor()->predict_ms(schedule.tokens_after_block, "pomt");
        }
        step.top1 = accuracy.predict_top1(schedule.tokens_after_block);
        pick.scan.push_back(step);
    }
    if (pick.scan.empty()) throw FormatError("/profile", curve + " has no point between 2 and the input length");
    double max_l = 0, max_a = 0;
    for (const auto& p : pick.scan) max_l = std::max(max_l, p.latency_ms), max_a = std::max(max_a, p.top1);
    double best = 0;
    bool have = false;
    for (auto& p : pick.scan) {
        p.utility = s.alpha * (1.0 - (max_l > 0 ? p.latency_ms / max_l : 0.0)) + (1.0 - s.alpha) * (max_a > 0 ? p.top1 / max_a : 0.0);
        if (!have || p.utility > best) best = p.utility, pick.chosen_tokens = p.tokens, have = true;  // first maximum, n downward
    }
    pick.deployed_tokens = std::min(model.tokens, pick.chosen_tokens + (s.release_off_by_two ? 2 : 0));
    const auto cut = pick.deployed_tokens < model.tokens ? std::vector<PruningPoint>{{s.block, pick.deployed_tokens}}
                                                         : std::vector<PruningPoint>{};
    pick.schedule = schedule_with_cuts(model, "pomt", cut);
    pick.schedule.parameters["alpha"] = s.alpha;
    pick.schedule.name = pick.label + ": " + std::to_string(s.block) + "→" + std::to_string(pick.deployed_tokens);
    pick.schedule.notes = "chosen by the " + pick.label + "; L(n) from " + pick.latency_source;
    return pick;
}

}  // namespace tp
