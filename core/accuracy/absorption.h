#pragma once
// Absorption (docs/accuracy-model.md, issue 26): a later cut picks its tokens from what an earlier
// cut kept, so part of the earlier cut's damage is absorbed by the later one. Unlike thinning's
// (n_ref / n_b)^β, which falls as the later cut keeps fewer tokens (so one token fewer could raise
// the prediction), absorption is monotone by construction: a schedule's damage is the largest of
// its *prefixes'* — the schedule cut after its j-th cut, that cut's count kept to the end — each
// prefix charging the segments before its last cut a share ρ of their damage (blocks before
// `first_block` in full). Each prefix's damage rises as any count falls; so does their maximum.
// ρ = 1 is the additive model (the whole schedule is then the largest prefix).
#include <vector>

namespace tp {

// One prefix: the tokens each block is charged at, and the share of its damage charged.
struct ChargedView {
    std::vector<int> tokens;
    std::vector<double> weight;
};

// The prefixes of a schedule, one per cut at a block with an accuracy term (up to depth − 2),
// the whole schedule's last; a schedule without such a cut is its own only view (weights 1).
std::vector<ChargedView> absorption_views(const std::vector<int>& tokens_after_block, int depth, int input,
                                          double rho, int first_block);

}  // namespace tp
