#pragma once
// Small search problems whose answers a test can check by brute force: synthetic device profiles of
// the small fmnist-shaped ViT (8 blocks, 50 tokens) with known staircases or residue patterns, and
// accuracy models fitted on a known truth (tests/accuracy/accuracy_fixtures.h).
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/accuracy/accuracy_model.h"
#include "core/analysis/profile_analysis.h"
#include "tests/accuracy/accuracy_fixtures.h"
#include "tests/editor/editor_fixtures.h"

namespace tp::test {

// [0] a GPU with 8-token tiles, [1] a GPU with 12-token tiles, [2] a CPU whose n mod 4 = 0 runs fast.
inline std::vector<DeviceShape> small_device_shapes() {
    std::vector<DeviceShape> d(3);
    d[0] = {"gpu-tile8", "cuda", 16, 8, 0.20, 0.060, 0.0002, 0.002, 0, {}, 21};
    d[1] = {"gpu-tile12", "cuda", 46, 12, 0.10, 0.030, 0.0001, 0.002, 0, {}, 22};
    d[2] = {"cpu-mod4", "cpu", 2, 0, 0.30, 0.0, 0.0150, 0.003, 4, {-6.0, 0.5, 0.5, 7.0}, 23};
    return d;
}

// The analyses of the small devices (built once), with deployed curves after blocks 1 and 3.
inline const ProfileAnalysis& small_device(int index) {
    static std::map<int, std::unique_ptr<ProfileAnalysis>> built;
    auto& slot = built[index];
    if (!slot) {
        const auto shape = small_device_shapes()[static_cast<std::size_t>(index)];
        slot = std::make_unique<ProfileAnalysis>(std::make_shared<const Profile>(synthetic_profile(shape, small_vit_model(), {1, 3})), "");
    }
    return *slot;
}

// An accuracy model of `method` fitted on exact evaluations of the truth (built once per method).
inline const AccuracyModel& small_accuracy(const std::string& method) {
    static std::map<std::string, std::unique_ptr<AccuracyModel>> built;
    auto& slot = built[method];
    if (!slot) slot = std::make_unique<AccuracyModel>(AccuracyModel::fit(synthetic_calibration(method, Truth{}, 0, 7), method));
    return *slot;
}

// The thinning rules a search must handle exactly (AdditiveCosts::add_segment_damage), by name:
// "additive", "final" (β = 1 against the final count), "next-late" (β = 0.5 against the next cut,
// block 0 charged in full), "final-late" (β = 2 against the final count, block 0 in full),
// "absorb" (absorption ρ = 0.5), "absorb-late" (the same, block 0 in full).
inline AccuracyFitSettings thinning_rule(const std::string& name) {
    AccuracyFitSettings s;
    if (name == "additive") return s;
    if (name == "absorb" || name == "absorb-late") {  // absorption ρ = 0.5 (core/accuracy/absorption.h)
        s.thinning_candidates = {};
        s.absorption_candidates = {0.5};
        s.thinning_first_block = name == "absorb" ? 0 : 1;
        return s;
    }
    s.thinning_candidates = {name == "final" ? 1.0 : name == "next-late" ? 0.5 : 2.0};
    s.thinning_references = {name == "next-late"};
    s.thinning_first_block = name == "final" ? 0 : 1;
    return s;
}

// An accuracy model of `method` fitted with that rule forced on exact evaluations of a truth that
// thins (built once per method and rule).
inline const AccuracyModel& small_accuracy(const std::string& method, const std::string& rule) {
    if (rule == "additive") return small_accuracy(method);
    static std::map<std::string, std::unique_ptr<AccuracyModel>> built;
    auto& slot = built[method + "/" + rule];
    if (!slot) {
        Truth truth;
        truth.thinning = 1.0;
        truth.thinning_first_block = rule == "final" || rule == "absorb" ? 0 : 1;
        slot = std::make_unique<AccuracyModel>(AccuracyModel::fit(synthetic_calibration(method, truth, 0, 7), method, thinning_rule(rule)));
    }
    return *slot;
}

// The calibration plan's evaluations of `method` on any model, scored exactly by the truth (with
// the unpruned baseline): an accuracy calibration for the deit_small-shaped devices of the editor's
// tests and of bench_search.
inline AccuracyCalibration exact_calibration(const ModelInfo& model, const std::vector<std::string>& methods) {
    AccuracyCalibration cal;
    cal.model = model;
    cal.subset.size = 1000000;
    const Truth truth;
    auto add = [&](const std::string& method, const std::string& kind, const std::vector<int>& tokens) {
        AccuracyEvaluation e;
        e.method = method;
        e.kind = kind;
        e.tokens_after_block = tokens;
        e.images = 1000000;
        e.top1 = truth.value(tokens, model.tokens);
        e.top5 = std::min(1.0, e.top1 + 0.05);
        cal.evaluations.push_back(e);
    };
    add("none", "baseline", std::vector<int>(std::size_t(model.depth), model.tokens));
    for (const auto& method : methods)
        for (const auto& p : calibration_plan(model, method)) add(p.method, p.kind, p.tokens_after_block);
    return cal;
}

}  // namespace tp::test
