#pragma once
// Named variants of the accuracy model's fit settings, compared by cross-validation on the
// calibration evaluations (bench_accuracy_cv) and replayed on the held-out measurements
// (bench_accuracy_prediction --variant NAME) for docs/accuracy-model.md's "what each change did".
// The shipped model is "default" (= "absorb-late" since session 13, "additive" before); the
// held-out figures never choose between them, and a variant whose predictions are not monotone in
// the tokens kept is not shipped.
#include <map>
#include <string>

#include "core/accuracy/accuracy_model.h"

namespace tp::test {

inline std::map<std::string, AccuracyFitSettings> accuracy_variants() {
    std::map<std::string, AccuracyFitSettings> v;
    v["default"] = AccuracyFitSettings{};  // the shipped fit: absorption, block 0 in full
    v["thinning-by-loo"] = AccuracyFitSettings::with_thinning();  // β, its reference, γ fitted or 0: by leave-one-out
    auto with = [](std::vector<double> betas, std::vector<bool> references, std::vector<bool> gamma) {
        AccuracyFitSettings s = AccuracyFitSettings::additive();
        s.thinning_candidates = std::move(betas);
        s.thinning_references = std::move(references);
        s.gamma_fitted = std::move(gamma);
        return s;
    };
    const std::vector<double> betas = AccuracyFitSettings::with_thinning().thinning_candidates;
    v["additive"] = AccuracyFitSettings::additive();           // before issue 26's thinning: global γ
    v["additive-no-gamma"] = with({0.0}, {false}, {false});
    v["additive-gamma-by-loo"] = with({0.0}, {false}, {true, false});
    v["thinning-final"] = with(betas, {false}, {true});        // β relative to the final count, γ fitted
    v["thinning-final-no-gamma"] = with(betas, {false}, {false});
    v["thinning-next"] = with(betas, {true}, {true});          // β relative to the next cut's count
    v["thinning-next-no-gamma"] = with(betas, {true}, {false});
    AccuracyFitSettings no_margin = AccuracyFitSettings::with_thinning();  // β > 0 kept at any improvement
    no_margin.thinning_margin = 0.0;
    v["thinning-no-margin"] = no_margin;
    AccuracyFitSettings signed_thinning = AccuracyFitSettings::with_thinning();  // β < 0: later cuts compound
    signed_thinning.thinning_candidates = {-2.0, -1.0, -0.5, 0.0, 0.5, 1.0, 2.0, 3.0};
    v["thinning-signed"] = signed_thinning;
    AccuracyFitSettings late = AccuracyFitSettings::with_thinning();  // block 0 charged in full (session 12)
    late.thinning_first_block = 1;
    v["thinning-late"] = late;
    AccuracyFitSettings absorb = AccuracyFitSettings::additive();  // absorption (monotone; session 13): ρ and γ by leave-one-out
    absorb.absorption_candidates = {0.25, 0.5, 0.75};
    absorb.gamma_fitted = {true, false};
    v["absorb-by-loo"] = absorb;
    absorb.thinning_first_block = 1;  // block 0 charged in full
    v["absorb-late"] = absorb;
    for (double beta : {1.0, 2.0, 3.0})                        // β forced (the leave-one-out curve)
        v["beta-" + std::to_string(static_cast<int>(beta)) + "-final"] = with({beta}, {false}, {true});
    return v;
}

}  // namespace tp::test
