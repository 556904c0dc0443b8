#include "core/search/search_space.h"

#include <algorithm>
#include <map>

#include "core/model/method_rules.h"
#include "core/schedule/cut_curves.h"
#include "core/schedule/cut_targets.h"

namespace tp {

const CutCandidate* SearchSpace::find(int block, int tokens) const {
    if (block < 0 || block >= static_cast<int>(per_block.size())) return nullptr;
    for (const auto& c : per_block[static_cast<std::size_t>(block)])
        if (c.tokens == tokens) return &c;
    return nullptr;
}

std::vector<std::string> device_names(const std::vector<const ProfileAnalysis*>& devices) {
    std::vector<std::string> names;
    for (const auto* a : devices) names.push_back(a->profile().device.name.empty() ? "device" : a->profile().device.name);
    for (std::size_t i = 0; i < names.size(); ++i) {
        const bool shared = std::count(names.begin(), names.end(), names[i]) > 1;
        if (shared) names[i] += " #" + std::to_string(i + 1);
    }
    return names;
}

SearchSpace build_search_space(const std::vector<const ProfileAnalysis*>& devices) {
    SearchSpace space;
    if (devices.empty()) return space;
    const ModelInfo& model = devices.front()->profile().model;
    space.depth = model.depth;
    space.input_tokens = model.tokens;
    const auto names = device_names(devices);
    for (int b = 0; b < space.depth; ++b) {
        std::map<int, std::vector<std::string>, std::greater<int>> merged;
        for (std::size_t d = 0; d < devices.size(); ++d)
            for (const CutTarget& t : cut_targets(*devices[d], b))
                if (t.tokens >= 1 && t.tokens < space.input_tokens)
                    merged[t.tokens].push_back(names[d] + ": " + t.finding + " (" + t.curve + ")");
        if (merged.empty()) {
            const Curve* curve = cut_curve(devices.front()->profile(), b);
            const std::string why = "grid: no edge or residue on " + (curve ? curve->name : std::string("any curve"));
            const int step = std::max(1, space.input_tokens / 16);
            for (int n = space.input_tokens - step; n >= 1; n -= step) merged[n].push_back(why);
        }
        std::vector<CutCandidate> list;
        for (auto& [tokens, findings] : merged) list.push_back({tokens, std::move(findings)});
        space.per_block.push_back(std::move(list));
    }
    return space;
}

long long count_schedules(const SearchSpace& space, const std::string& method, int max_points) {
    // ways[b][i]: partial schedules whose last cut is candidate i of block b, for the current count of cuts.
    const int depth = space.depth;
    std::vector<int> floor_after(static_cast<std::size_t>(space.input_tokens) + 1);
    for (int n = 1; n <= space.input_tokens; ++n) floor_after[static_cast<std::size_t>(n)] = min_tokens_after_pruning(method, n);
    std::vector<std::vector<long long>> ways(static_cast<std::size_t>(depth));
    long long total = 0;
    for (int b = 0; b < depth; ++b) {
        const auto& cands = space.per_block[static_cast<std::size_t>(b)];
        ways[static_cast<std::size_t>(b)].assign(cands.size(), 0);
        for (std::size_t i = 0; i < cands.size(); ++i)
            if (cands[i].tokens >= floor_after[static_cast<std::size_t>(space.input_tokens)]) ways[b][i] = 1, ++total;
    }
    for (int k = 2; k <= max_points; ++k) {
        std::vector<std::vector<long long>> next(static_cast<std::size_t>(depth));
        for (int b = 0; b < depth; ++b) {
            const auto& cands = space.per_block[static_cast<std::size_t>(b)];
            next[static_cast<std::size_t>(b)].assign(cands.size(), 0);
            for (std::size_t i = 0; i < cands.size(); ++i)
                for (int p = 0; p < b; ++p) {
                    const auto& prev = space.per_block[static_cast<std::size_t>(p)];
                    for (std::size_t j = 0; j < prev.size(); ++j)
                        if (ways[p][j] && prev[j].tokens > cands[i].tokens &&
                            cands[i].tokens >= floor_after[static_cast<std::size_t>(prev[j].tokens)])
                            next[b][i] += ways[p][j];
                }
            for (long long w : next[static_cast<std::size_t>(b)]) total += w;
        }
        ways = std::move(next);
    }
    return total;
}

}  // namespace tp
