// tailprune steps FILE: the measured steps (edges), plateaus and periodic finding of one curve.
#include <cmath>
#include <cstdio>
#include <iostream>

#include "app/cli/cli_util.h"
#include "app/cli/command_registry.h"
#include "core/analysis/curve_source_analysis.h"
#include "core/steps/curve_source.h"
#include "core/steps/step_detector.h"
#include "core/steps/step_json.h"

namespace tp::cli {
namespace {

std::string fmt(const char* format, double a, double b = 0, double c = 0) {
    char buf[96];
    std::snprintf(buf, sizeof buf, format, a, b, c);
    return buf;
}

void print_steps(const CurveSource& src, const StepAnalysis& a) {
    const Curve& c = src.curve;
    std::cout << "Curve '" << c.name << "': " << c.points.size() << " points";
    if (!c.points.empty()) std::cout << ", tokens " << c.points.front().tokens << ".." << c.points.back().tokens;
    std::cout << fmt(", noise sigma %.4g ms", a.noise_sigma_ms) << (c.partial ? "  [PARTIAL]" : "") << "\n";
    if (src.curve_names.size() > 1) {
        std::cout << "  (other curves:";
        for (const auto& n : src.curve_names)
            if (n != c.name) std::cout << " " << n;
        std::cout << "; choose with --curve)\n";
    }
    std::cout << "\nMeasured steps: " << a.edges.size() << "\n";
    if (!a.edges.empty())
        std::cout << "  tokens  after  level before -> after (ms)   height ms   height %  confidence\n";
    for (const auto& e : a.edges)
        std::cout << fmt("  %6.0f", e.tokens) << fmt("  %5.0f", e.last_before)
                  << fmt("  %10.4f -> %-10.4f", e.level_before_ms, e.level_after_ms)
                  << fmt("  %+10.4f", e.height_ms) << fmt("  %+8.2f%%", e.height_pct) << fmt("  %9.1f", e.confidence)
                  << (e.jump_ms < 0 ? "  (drop)" : "") << "\n";
    // The staircase apart from the residue pattern (both can be there at once).
    const StaircaseFinding& st = a.staircase;
    std::cout << "Staircase: ";
    if (!st.found) std::cout << "none (no rising step)";
    else std::cout << st.rising_steps << " rising step" << (st.rising_steps == 1 ? "" : "s") << " (level shifts that persist)";
    if (st.drops > 0) std::cout << ", " << st.drops << " drop" << (st.drops == 1 ? "" : "s") << " (not steps)";
    if (st.rising_steps >= 2)
        std::cout << fmt("; median spacing %.0f tokens (%.0f measured points)", st.median_spacing_tokens, st.median_spacing_points);
    std::cout << "\n";
    if (st.seen_as_period > 0)
        std::cout << "  (the residues mod " << st.seen_as_period
                  << " looked periodic, but the level never comes back down: a staircase, not a residue pattern)\n";
    if (st.tile_tokens > 0)
        std::cout << "  (the rising steps sit on a grid of " << st.tile_tokens
                  << " tokens: every count on it was tested as an edge)\n";
    std::cout << "\nPlateaus: " << a.plateaus.size() << "\n";
    for (const auto& p : a.plateaus)
        std::cout << fmt("  tokens %4.0f..%-4.0f", p.first_tokens, p.last_tokens) << fmt(" %4.0f points", p.points)
                  << fmt("  level %.4f ms at %.0f", p.mean_level_ms(), (p.first_tokens + p.last_tokens) / 2)
                  << fmt(", slope %+.3g ms/token", p.slope_ms_per_token) << "\n";
    std::cout << "\nPeriodic structure: ";
    const PeriodicFinding& f = a.period;
    if (!f.found) {
        std::cout << "none found\n";
    } else {
        std::cout << "token count mod " << f.period << fmt(" (confidence %.1f)\n", f.confidence);
        auto list = [&](const char* what, const std::vector<int>& residues, double mean) {
            if (residues.empty()) return;
            std::cout << "  " << what << " residues:";
            for (int r : residues) std::cout << " " << r << fmt(" (%+.2f%%)", f.residue_effect_pct[std::size_t(r)]);
            std::cout << fmt("  mean %+.2f%% of the local trend\n", mean);
        };
        list("fast", f.fast_residues, f.fast_pct);
        list("slow", f.slow_residues, f.slow_pct);
    }
    if (!c.points.empty()) {
        const int top = c.points.back().tokens;
        const int below = a.one_more_token_below(top);
        if (below > 0) {
            const Plateau* p = a.plateau_at(below);
            std::cout << "\nOne more token: from " << top << " tokens, the nearest lower plateau ends at " << below
                      << fmt(" tokens (%.4f ms there vs %.4f ms)\n", p->level_at(below), a.plateau_at(top)->level_at(top));
        }
    }
}

const CommandRegistrar reg(40, [](CLI::App& app) {
    auto file = std::make_shared<std::string>();
    auto curve = std::make_shared<std::string>();
    auto sensitivity = std::make_shared<double>(StepSettings{}.sensitivity);
    auto json = std::make_shared<bool>(false);
    auto* cmd = app.add_subcommand("steps", "Find the latency steps (edges), plateaus and periodic pattern of a curve");
    cmd->add_option("FILE", *file, "profile JSON or CSV (tokens,median_ms[,p10_ms,p90_ms,samples])")
        ->required()->check(CLI::ExistingFile);
    cmd->add_option("--curve", *curve, "curve name in a profile (default: 'model' or the first)");
    cmd->add_option("--sensitivity", *sensitivity, "penalty constant c in c·sigma²·ln n; higher finds fewer steps")
        ->check(CLI::Range(0.01, 1000.0));
    cmd->add_flag("--json", *json, "print JSON: {\"steps\":[...],\"plateaus\":[...],\"period\":{...},\"staircase\":{...}}");
    cmd->callback([=] {
        const CurveSource src = load_curve_source(*file, *curve);
        if (src.curve.points.empty()) throw CommandError("curve '" + src.curve.name + "' in " + *file + " has no points");
        AnalysisSettings settings;
        settings.steps.sensitivity = *sensitivity;
        const ProfileAnalysis analysis = analyse_curve_source(src, *file, settings);
        const StepAnalysis& a = *analysis.steps(src.curve);
        if (*json) {
            nlohmann::json doc = steps_to_json(a);
            doc["curve"] = src.curve.name;
            print_json(doc);
        } else {
            print_steps(src, a);
        }
    });
});

}  // namespace
}  // namespace tp::cli
