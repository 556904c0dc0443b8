#pragma once
#include <string>
#include <vector>

#include "core/model/profile.h"
#include "core/steps/step_detector.h"

namespace tp {

// Analytic explanation of tail-effect steps (methods.md §1): a GEMM with M = batch·tokens rows runs
// ceil(M/Tm)·ceil(N/Tn) tiles in ceil(tiles / (SMs·CTAs per SM)) waves; latency jumps where either
// count changes. This predicts candidate boundaries; it never replaces the measured edges.
struct GemmShape {
    std::string name;  // qkv, proj, fc1, fc2
    long long n = 0;   // output columns
    long long k = 0;   // reduction depth
};

struct TileSize {
    int m = 64, n = 64;
};

struct ExplainSettings {
    int sm_count = 0;
    int batch = 1;
    int ctas_per_sm = 1;
    std::vector<TileSize> tiles = {{64, 64}, {128, 64}, {128, 128}, {256, 128}};
    int snap_tokens = 2;  // an edge takes a predicted boundary at most this far outside (last_before, tokens]
};

// The block's GEMMs for a ViT: qkv 3C×C, proj C×C, fc1 hidden×C, fc2 C×hidden.
// A CUDA kernel's demangled name without return type, namespaces, template arguments and
// parameters ("void at::native::(anonymous namespace)::ln_kernel<float>(int)" -> "ln_kernel").
std::string short_kernel_name(const std::string& name);

std::vector<GemmShape> vit_block_gemms(int embed_dim, int mlp_ratio_x100);

struct PredictedBoundary {
    int tokens = 0;                // first token count with the new count
    std::string gemm;
    TileSize tile;
    bool wave = false;             // wave count changed (else only the M-tile count)
    long long from = 0, to = 0;    // M-tiles or waves before and after
    std::string label() const;     // "fc1: M-tiles 2→3 (tile 64x64)" / "fc1: waves 1→2 (tile 128x128)"
};

// Every token count in [first, last] where a GEMM's M-tile or wave count changes, per tile size.
std::vector<PredictedBoundary> predict_boundaries(const std::vector<GemmShape>& gemms, const ExplainSettings& settings,
                                                  int first_tokens, int last_tokens);

// How one measured edge is explained; `source` keeps measured and predicted apart.
struct EdgeExplanation {
    int edge_tokens = 0;
    std::string label;        // "fc1: waves 1→2 (tile 128x128)", "kernel switch: a → b", "kernel switch?"
    std::string source;       // "kernel census" (measured on the device), "tile model" (predicted) or "none"
    int predicted_tokens = 0; // the predicted boundary used (tile model only)
};

// Labels each edge: a measured kernel census at the edge's two token counts first (names or grid
// sizes that change), else the nearest predicted boundary (waves before M-tiles), else "kernel switch?".
// Also writes the label into each Edge::explanation.
std::vector<EdgeExplanation> explain_edges(StepAnalysis& analysis, const std::vector<PredictedBoundary>& predicted,
                                           const ExplainSettings& settings,
                                           const std::vector<KernelCensus>& census = {}, const std::string& curve = {});

}  // namespace tp
