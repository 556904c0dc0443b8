#include "core/search/schedule_families.h"

#include <algorithm>

#include "core/model/method_rules.h"

namespace tp {

std::vector<FamilySchedule> family_schedules(const std::string& method, const ModelInfo& model) {
    std::vector<FamilySchedule> out;
    auto add = [&](std::vector<int> tokens, const std::string& family) {
        if (!out.empty() && out.back().schedule.tokens_after_block == tokens) return;
        Schedule s = unpruned_schedule(model);
        s.method = method;
        s.tokens_after_block = std::move(tokens);
        s.name = method + ": " + family;
        out.push_back({std::move(s), family});
    };
    if (method == "tome") {
        for (int r = 1; r <= (model.tokens - 1) / 2; ++r)
            add(tome_tokens_after_block(model.depth, model.tokens, r), "tome constant r=" + std::to_string(r));
    } else if (method == "topk") {
        for (int r = 1; r < model.tokens; ++r) {
            std::vector<int> tokens(static_cast<std::size_t>(model.depth));
            for (int b = 0; b < model.depth; ++b) tokens[static_cast<std::size_t>(b)] = std::max(1, model.tokens - r * (b + 1));
            add(std::move(tokens), "topk per-block r=" + std::to_string(r));
        }
    }
    return out;
}

}  // namespace tp
