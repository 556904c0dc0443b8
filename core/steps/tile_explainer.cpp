#include "core/steps/tile_explainer.h"

#include <algorithm>
#include <cstdlib>
#include <map>
#include <stdexcept>

namespace tp {
namespace {

long long ceil_div(long long a, long long b) { return (a + b - 1) / b; }

const KernelCensus* census_at(const std::vector<KernelCensus>& census, const std::string& curve, int tokens) {
    for (const auto& c : census)
        if (c.tokens == tokens && (curve.empty() || c.curve.empty() || c.curve == curve)) return &c;
    return nullptr;
}

// What changed between the kernels launched at the two token counts around an edge.
std::string census_label(const KernelCensus& before, const KernelCensus& after, int sm_count) {
    auto name = [](const KernelLaunch& k) { return short_kernel_name(k.name); };
    std::vector<std::string> changes;
    const std::size_t common = std::min(before.kernels.size(), after.kernels.size());
    for (std::size_t i = 0; i < common; ++i) {
        const KernelLaunch& a = before.kernels[i];
        const KernelLaunch& b = after.kernels[i];
        if (a.name != b.name) {
            changes.push_back("kernel switch: " + name(a) + " → " + name(b));
        } else if (a.grid != b.grid) {
            std::string text = name(a) + ": grid " + std::to_string(a.grid) + "→" + std::to_string(b.grid) + " CTAs";
            if (sm_count > 0) {
                const long long wa = ceil_div(a.grid, sm_count), wb = ceil_div(b.grid, sm_count);
                if (wa != wb) text = name(a) + ": waves " + std::to_string(wa) + "→" + std::to_string(wb) + " (grid " +
                                     std::to_string(a.grid) + "→" + std::to_string(b.grid) + ")";
            }
            changes.push_back(text);
        }
    }
    if (before.kernels.size() != after.kernels.size())
        changes.push_back("kernel count " + std::to_string(before.kernels.size()) + "→" + std::to_string(after.kernels.size()));
    // A whole-model census repeats each block's changes: say each once, with its count.
    std::vector<std::pair<std::string, int>> unique;
    for (const auto& c : changes) {
        auto it = std::find_if(unique.begin(), unique.end(), [&](const auto& u) { return u.first == c; });
        if (it == unique.end()) unique.push_back({c, 1});
        else ++it->second;
    }
    std::string out;
    for (const auto& [text, count] : unique)
        out += (out.empty() ? "" : "; ") + text + (count > 1 ? " ×" + std::to_string(count) : "");
    return out;
}

}  // namespace

std::string short_kernel_name(const std::string& name) {
    // Drop template arguments and the parameter list (both may nest), then keep the last
    // qualified component: "void at::native::(anonymous namespace)::ln_kernel<c10::Half>(int, ...)"
    // becomes "ln_kernel".
    std::string flat;
    int angle = 0, paren = 0;
    for (std::size_t i = 0; i < name.size(); ++i) {
        const char c = name[i];
        const bool anonymous = name.compare(i, 21, "(anonymous namespace)") == 0;
        if (anonymous && angle == 0 && paren == 0) {
            i += 20;
            continue;
        }
        if (c == '<') ++angle;
        else if (c == '>' && angle > 0) --angle;
        else if (c == '(') ++paren;
        else if (c == ')' && paren > 0) --paren;
        else if (angle == 0 && paren == 0) flat += c;
    }
    const auto space = flat.find_last_of(' ');
    if (space != std::string::npos && space + 1 < flat.size()) flat = flat.substr(space + 1);
    const auto colons = flat.rfind("::");
    if (colons != std::string::npos && colons + 2 < flat.size()) flat = flat.substr(colons + 2);
    return flat.empty() ? name : flat;
}

std::vector<GemmShape> vit_block_gemms(int embed_dim, int mlp_ratio_x100) {
    const long long c = embed_dim, hidden = (long long)embed_dim * mlp_ratio_x100 / 100;
    return {{"qkv", 3 * c, c}, {"proj", c, c}, {"fc1", hidden, c}, {"fc2", c, hidden}};
}

std::string PredictedBoundary::label() const {
    return gemm + ": " + (wave ? "waves " : "M-tiles ") + std::to_string(from) + "→" + std::to_string(to) + " (tile " +
           std::to_string(tile.m) + "x" + std::to_string(tile.n) + ")";
}

std::vector<PredictedBoundary> predict_boundaries(const std::vector<GemmShape>& gemms, const ExplainSettings& s,
                                                  int first, int last) {
    if (s.batch <= 0) throw std::invalid_argument("batch must be positive, got " + std::to_string(s.batch));
    if (s.sm_count <= 0) throw std::invalid_argument("SM count must be positive, got " + std::to_string(s.sm_count));
    std::vector<PredictedBoundary> out;
    const long long slots = (long long)s.sm_count * std::max(1, s.ctas_per_sm);
    for (const auto& tile : s.tiles) {
        if (tile.m <= 0 || tile.n <= 0) throw std::invalid_argument("tile sizes must be positive");
        for (const auto& g : gemms) {
            const long long n_tiles = ceil_div(g.n, tile.n);
            for (int t = std::max(2, first); t <= last; ++t) {
                const long long m_before = ceil_div((long long)s.batch * (t - 1), tile.m);
                const long long m_after = ceil_div((long long)s.batch * t, tile.m);
                if (m_before == m_after) continue;
                const long long w_before = ceil_div(m_before * n_tiles, slots), w_after = ceil_div(m_after * n_tiles, slots);
                PredictedBoundary b;
                b.tokens = t;
                b.gemm = g.name;
                b.tile = tile;
                b.wave = w_before != w_after;
                b.from = b.wave ? w_before : m_before;
                b.to = b.wave ? w_after : m_after;
                out.push_back(b);
            }
        }
    }
    std::stable_sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.tokens < b.tokens; });
    return out;
}

std::vector<EdgeExplanation> explain_edges(StepAnalysis& analysis, const std::vector<PredictedBoundary>& predicted,
                                           const ExplainSettings& settings, const std::vector<KernelCensus>& census,
                                           const std::string& curve) {
    std::vector<EdgeExplanation> out;
    for (Edge& e : analysis.edges) {
        EdgeExplanation x;
        x.edge_tokens = e.tokens;
        const KernelCensus* before = census_at(census, curve, e.last_before);
        const KernelCensus* after = census_at(census, curve, e.tokens);
        if (before && after) {
            const std::string label = census_label(*before, *after, settings.sm_count);
            if (!label.empty()) { x.label = label; x.source = "kernel census"; }
        }
        if (x.source.empty()) {
            // Nearest boundary to the interval (last_before, tokens]; waves before M-tiles, larger tiles
            // (fewer, coarser boundaries) before smaller on a tie.
            const PredictedBoundary* best = nullptr;
            int best_distance = settings.snap_tokens + 1;
            for (const auto& b : predicted) {
                const int d = b.tokens <= e.last_before ? e.last_before + 1 - b.tokens : b.tokens > e.tokens ? b.tokens - e.tokens : 0;
                if (d > settings.snap_tokens) continue;
                const bool better = !best || d < best_distance ||
                                    (d == best_distance && (b.wave > best->wave ||
                                                            (b.wave == best->wave && b.tile.m * b.tile.n > best->tile.m * best->tile.n)));
                if (better) { best = &b; best_distance = d; }
            }
            if (best) {
                x.label = best->label();
                x.source = "tile model";
                x.predicted_tokens = best->tokens;
            } else {
                x.label = "kernel switch?";
                x.source = "none";
            }
        }
        e.explanation = x.label;
        out.push_back(x);
    }
    return out;
}

}  // namespace tp
