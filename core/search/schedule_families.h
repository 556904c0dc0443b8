#pragma once
// The baselines' own schedule families, searched beside the 1–3-cut schedules: ToMe merging a
// constant r tokens in every block (its paper's schedule), and Top-K dropping r tokens in every
// block (the POMT release's Top-K baseline).
#include <string>
#include <vector>

#include "core/model/schedule.h"

namespace tp {

struct FamilySchedule {
    Schedule schedule;
    std::string family;  // e.g. "tome constant r=8"
};

// tome: r = 1 .. (tokens-1)/2 (tome_tokens_after_block, each block capped at half); topk: r = 1 ..
// tokens-1, n_b = max(1, tokens - r·(b+1)). Other methods have none. Distinct schedules only.
std::vector<FamilySchedule> family_schedules(const std::string& method, const ModelInfo& model);

}  // namespace tp
