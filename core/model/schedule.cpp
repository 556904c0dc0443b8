#include "core/model/schedule.h"

#include <algorithm>

#include "core/util/format_error.h"

namespace tp {

const std::vector<std::string>& known_methods() {
    static const std::vector<std::string> methods = {"none", "pomt", "pomt_nomerge", "topk",
                                                     "zerotprune", "tome", "random"};
    return methods;
}

bool is_known_method(const std::string& method) {
    const auto& m = known_methods();
    return std::find(m.begin(), m.end(), method) != m.end();
}

std::vector<PruningPoint> Schedule::pruning_points() const {
    std::vector<PruningPoint> out;
    int previous = model.tokens;
    for (int b = 0; b < depth(); ++b) {
        if (tokens_after_block[b] < previous) out.push_back({b, tokens_after_block[b]});
        previous = tokens_after_block[b];
    }
    return out;
}

int Schedule::tokens_into(int block) const {
    if (block <= 0) return model.tokens;
    return tokens_after_block.at(static_cast<std::size_t>(std::min(block, depth())) - 1);
}

Schedule unpruned_schedule(const ModelInfo& model) {
    Schedule s;
    s.model = model;
    s.method = "none";
    s.name = "unpruned";
    s.tokens_after_block.assign(static_cast<std::size_t>(model.depth), model.tokens);
    return s;
}

std::vector<int> tokens_from_points(int depth, int input_tokens, const std::vector<PruningPoint>& points) {
    std::vector<int> tokens(static_cast<std::size_t>(std::max(depth, 0)), input_tokens);
    auto sorted = points;
    std::sort(sorted.begin(), sorted.end(), [](const auto& a, const auto& b) { return a.block < b.block; });
    for (const auto& p : sorted) {
        if (p.block < 0 || p.block >= depth)
            throw FormatError("pruning point", "block " + std::to_string(p.block) + " is outside 0.." +
                                                   std::to_string(depth - 1));
        for (int b = p.block; b < depth; ++b) tokens[static_cast<std::size_t>(b)] = p.tokens;
    }
    return tokens;
}

void validate(const Schedule& s) {
    if (s.format_version != Schedule::kFormatVersion)
        throw FormatError("/format_version", "unsupported schedule format version " + std::to_string(s.format_version));
    if (!is_known_method(s.method)) throw FormatError("/method", "unknown method '" + s.method + "'");
    if (s.status != "draft" && s.status != "approved" && s.status != "deployed")
        throw FormatError("/status", "must be draft, approved or deployed, found '" + s.status + "'");
    if (s.model.depth <= 0) throw FormatError("/model/depth", "must be positive");
    if (s.model.tokens < 1) throw FormatError("/model/tokens", "must be at least 1");
    if (s.depth() != s.model.depth)
        throw FormatError("/tokens_after_block", "has " + std::to_string(s.depth()) + " entries but the model has " +
                                                     std::to_string(s.model.depth) + " blocks");
    int previous = s.model.tokens;
    for (int b = 0; b < s.depth(); ++b) {
        const int t = s.tokens_after_block[static_cast<std::size_t>(b)];
        const std::string at = "/tokens_after_block/" + std::to_string(b);
        if (t < 1) throw FormatError(at, "block " + std::to_string(b) + " keeps " + std::to_string(t) +
                                             " tokens; at least 1 (CLS) must remain");
        if (t > previous)
            throw FormatError(at, "block " + std::to_string(b) + " keeps " + std::to_string(t) +
                                      " tokens but only " + std::to_string(previous) +
                                      " enter it (token counts must not increase)");
        previous = t;
    }
}

}  // namespace tp
