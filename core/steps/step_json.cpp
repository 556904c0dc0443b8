#include "core/steps/step_json.h"

namespace tp {

nlohmann::json steps_to_json(const StepAnalysis& a) {
    nlohmann::json steps = nlohmann::json::array(), plateaus = nlohmann::json::array();
    for (const auto& e : a.edges)
        steps.push_back({{"tokens", e.tokens}, {"last_before", e.last_before}, {"height_ms", e.height_ms},
                         {"height_pct", e.height_pct}, {"level_before_ms", e.level_before_ms},
                         {"level_after_ms", e.level_after_ms}, {"confidence", e.confidence}, {"jump_ms", e.jump_ms}});
    for (const auto& p : a.plateaus)
        plateaus.push_back({{"first_tokens", p.first_tokens}, {"last_tokens", p.last_tokens}, {"points", p.points},
                            {"intercept_ms", p.intercept_ms}, {"slope_ms_per_token", p.slope_ms_per_token},
                            {"mean_level_ms", p.mean_level_ms()}});
    const PeriodicFinding& f = a.period;
    nlohmann::json period = {{"found", f.found}};
    if (f.found)
        period.update({{"period", f.period}, {"fast_residues", f.fast_residues}, {"slow_residues", f.slow_residues},
                       {"fast_pct", f.fast_pct}, {"slow_pct", f.slow_pct}, {"residue_effect_pct", f.residue_effect_pct},
                       {"confidence", f.confidence}});
    const StaircaseFinding& st = a.staircase;
    nlohmann::json staircase = {{"found", st.found}, {"rising_steps", st.rising_steps}, {"drops", st.drops},
                                {"median_spacing_tokens", st.median_spacing_tokens},
                                {"median_spacing_points", st.median_spacing_points}, {"seen_as_period", st.seen_as_period},
                                {"tile_tokens", st.tile_tokens}};
    return {{"noise_sigma_ms", a.noise_sigma_ms}, {"steps", steps}, {"plateaus", plateaus}, {"period", period},
            {"staircase", staircase}};
}

nlohmann::json explanations_to_json(const std::vector<EdgeExplanation>& explanations,
                                    const std::vector<PredictedBoundary>& predicted) {
    nlohmann::json labels = nlohmann::json::array(), boundaries = nlohmann::json::array();
    for (const auto& x : explanations) {
        nlohmann::json j = {{"tokens", x.edge_tokens}, {"label", x.label}, {"source", x.source}};
        if (x.predicted_tokens > 0) j["predicted_tokens"] = x.predicted_tokens;
        labels.push_back(j);
    }
    for (const auto& b : predicted)
        boundaries.push_back({{"tokens", b.tokens}, {"gemm", b.gemm}, {"tile", std::to_string(b.tile.m) + "x" + std::to_string(b.tile.n)},
                              {"kind", b.wave ? "waves" : "m_tiles"}, {"from", b.from}, {"to", b.to}, {"label", b.label()}});
    return {{"edge_labels", labels}, {"predicted_boundaries", boundaries}};
}

}  // namespace tp
