// tailprune explain FILE --sms N --batch B: the measured steps of a curve, labelled with predicted
// tile/wave boundaries of the block's GEMMs (or a measured kernel census when the profile has one).
#include <cstdio>
#include <iostream>
#include <sstream>

#include "app/cli/cli_util.h"
#include "app/cli/command_registry.h"
#include "core/analysis/curve_source_analysis.h"
#include "core/steps/curve_source.h"
#include "core/steps/step_detector.h"
#include "core/steps/step_json.h"
#include "core/steps/tile_explainer.h"

namespace tp::cli {
namespace {

struct ExplainOptions {
    std::string file, curve, tiles;
    int sms = 0, batch = 0, embed_dim = 0, mlp_ratio_x100 = 0, ctas_per_sm = 1;
    double sensitivity = StepSettings{}.sensitivity;
    bool json = false;
};

std::vector<TileSize> parse_tiles(const std::string& text) {
    std::vector<TileSize> out;
    std::stringstream in(text);
    std::string item;
    while (std::getline(in, item, ',')) {
        TileSize t;
        char x = 0, extra = 0;
        if (std::sscanf(item.c_str(), "%d%c%d%c", &t.m, &x, &t.n, &extra) != 3 || (x != 'x' && x != 'X') || t.m <= 0 || t.n <= 0)
            throw CommandError("--tiles: '" + item + "' is not a tile size like 128x64 (rows x columns)", 2);
        out.push_back(t);
    }
    if (out.empty()) throw CommandError("--tiles: give at least one tile size, e.g. 64x64,128x128", 2);
    return out;
}

void print_text(const CurveSource& src, const StepAnalysis& a, const std::vector<EdgeExplanation>& labels,
                const std::vector<PredictedBoundary>& predicted, const ExplainSettings& s, const std::vector<GemmShape>& gemms) {
    char buf[160];
    std::cout << "Curve '" << src.curve.name << "', " << s.sm_count << " SMs, batch " << s.batch << ", GEMMs:";
    for (const auto& g : gemms) std::cout << " " << g.name << " " << g.n << "x" << g.k;
    std::cout << " (M = batch x tokens)\n\nMeasured steps and their explanation: " << a.edges.size() << "\n";
    for (std::size_t i = 0; i < a.edges.size(); ++i) {
        const Edge& e = a.edges[i];
        std::snprintf(buf, sizeof buf, "  measured %4d tokens (after %d): %+.4f ms (%+.2f%%), confidence %.1f\n", e.tokens,
                      e.last_before, e.height_ms, e.height_pct, e.confidence);
        std::cout << buf << "    explained: " << labels[i].label << "  [" << labels[i].source;
        if (labels[i].predicted_tokens) std::cout << ", predicted at " << labels[i].predicted_tokens;
        std::cout << "]\n";
    }
    std::cout << "\nPredicted boundaries (tile model, not measured): " << predicted.size() << "\n";
    for (const auto& b : predicted) std::cout << "  " << b.tokens << "  " << b.label() << "\n";
}

const CommandRegistrar reg(41, [](CLI::App& app) {
    auto o = std::make_shared<ExplainOptions>();
    auto* cmd = app.add_subcommand("explain", "Label measured steps with predicted GEMM tile/wave boundaries");
    cmd->add_option("FILE", o->file, "profile JSON or CSV")->required()->check(CLI::ExistingFile);
    cmd->add_option("--sms", o->sms, "streaming multiprocessors (default: the profile's device)")->check(CLI::PositiveNumber);
    cmd->add_option("--batch", o->batch, "batch size (default: the profile's model)")->check(CLI::PositiveNumber);
    cmd->add_option("--curve", o->curve, "curve name in a profile (default: 'model' or the first)");
    cmd->add_option("--embed-dim", o->embed_dim, "embedding width C (default: the profile's model, else 384)")
        ->check(CLI::PositiveNumber);
    cmd->add_option("--mlp-ratio-x100", o->mlp_ratio_x100, "MLP hidden = C x this / 100 (default 400)")
        ->check(CLI::PositiveNumber);
    cmd->add_option("--tiles", o->tiles, "candidate tile sizes, e.g. 64x64,128x64,128x128,256x128");
    cmd->add_option("--ctas-per-sm", o->ctas_per_sm, "CTAs resident per SM (default 1)")->check(CLI::PositiveNumber);
    cmd->add_option("--sensitivity", o->sensitivity, "step detector sensitivity")->check(CLI::Range(0.01, 1000.0));
    cmd->add_flag("--json", o->json, "print JSON with measured steps and explanations apart");
    cmd->callback([o] {
        const CurveSource src = load_curve_source(o->file, o->curve);
        if (src.curve.points.empty()) throw CommandError("curve '" + src.curve.name + "' in " + o->file + " has no points");
        ExplainSettings s;
        s.sm_count = o->sms ? o->sms : src.profile ? src.profile->device.sm_count : 0;
        s.batch = o->batch ? o->batch : src.profile ? src.profile->model.batch : 0;
        if (s.sm_count <= 0) throw CommandError("give --sms N (the file does not say how many SMs the device has)", 2);
        if (s.batch <= 0) throw CommandError("give --batch B (the file does not say the batch size)", 2);
        s.ctas_per_sm = o->ctas_per_sm;
        if (!o->tiles.empty()) s.tiles = parse_tiles(o->tiles);
        const int c = o->embed_dim ? o->embed_dim : src.profile ? src.profile->model.embed_dim : 384;
        const int r = o->mlp_ratio_x100 ? o->mlp_ratio_x100 : src.profile ? src.profile->model.mlp_ratio_x100 : 400;
        const auto gemms = vit_block_gemms(c, r);

        AnalysisSettings settings;
        settings.steps.sensitivity = o->sensitivity;
        const ProfileAnalysis analysis = analyse_curve_source(src, o->file, settings);
        StepAnalysis a = *analysis.steps(src.curve);
        const auto predicted =
            predict_boundaries(gemms, s, src.curve.points.front().tokens, src.curve.points.back().tokens);
        static const std::vector<KernelCensus> no_census;
        const auto labels =
            explain_edges(a, predicted, s, src.profile ? src.profile->census : no_census, src.curve.name);
        if (o->json) {
            nlohmann::json doc = {{"curve", src.curve.name}, {"sms", s.sm_count}, {"batch", s.batch},
                                  {"measured", steps_to_json(a)}, {"explained", explanations_to_json(labels, predicted)}};
            print_json(doc);
        } else {
            print_text(src, a, labels, predicted, s, gemms);
        }
    });
});

}  // namespace
}  // namespace tp::cli
