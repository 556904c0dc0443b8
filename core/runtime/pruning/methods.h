#pragma once
// Internal to core/runtime (LibTorch): the token-reduction methods behind make_reducer, and the
// scoring steps they are built from (exposed so tests can check them on hand-made tensors).
// Shapes: attention (B, H, N, N) post-softmax, rows = queries; keys/values (B, H, N, Dh); CLS at 0.
#include <cstdint>
#include <memory>
#include <vector>

#include <torch/torch.h>

#include "core/runtime/token_reduction.h"

namespace tp::runtime {

// Random: CLS and a seeded random subset of patch positions, drawn on the host once per
// (block, tokens in, tokens out) and the same for every image.
std::unique_ptr<TokenReducer> make_random_reducer(std::uint64_t seed);
// The `keep` patch positions (0-based among `patches`, ascending) random pruning keeps.
std::vector<std::int64_t> random_patch_positions(std::uint64_t seed, int block, int patches, int keep);

// Top-K: keeps CLS and the patch tokens the CLS query attends to most (head-averaged).
std::unique_ptr<TokenReducer> make_topk_reducer();
torch::Tensor topk_patch_scores(const torch::Tensor& attention);  // (B, N-1)

// POMT: score = attention received (max over heads, summed over patch queries, divided by the
// sample's maximum) + softmax over patch tokens of (sum over channels of max over heads of V).
// With merge: CLS, the top N_out-2 patch tokens, and the mean of the others appended last.
std::unique_ptr<TokenReducer> make_pomt_reducer(bool merge);
torch::Tensor pomt_patch_scores(const torch::Tensor& attention, const torch::Tensor& values);  // (B, N-1)

// ToMe: bipartite soft matching on head-averaged keys, size-weighted merge, output
// [unmerged A (ascending), B]; proportional attention optional.
std::unique_ptr<TokenReducer> make_tome_reducer(bool proportional_attention);
struct TomeMatch {
    torch::Tensor unmerged;     // (B, |A|-r) positions in A (even tokens) left alone, ascending
    torch::Tensor source;       // (B, r) positions in A merged away
    torch::Tensor destination;  // (B, r) positions in B (odd tokens) each source merges into
};
// ToMe's bipartite soft matching of `r` tokens on keys (B, H, N, Dh) averaged over heads; CLS (A's
// first token) is never a source. Ties rank the lower position first.
TomeMatch tome_match(const torch::Tensor& keys, int64_t r);
// x (B, N, C) -> (B, N-r, C) as [unmerged A, B], each destination plus the sum of its sources.
torch::Tensor tome_merge_sum(const torch::Tensor& x, const TomeMatch& match);

// Zero-TPrune.
struct ZeroTPruneSettings {
    int depth = 12;
    int iterations_early = 30, iterations_middle = 5, iterations_late = 1;
    double early_fraction = 0.25, late_fraction = 0.25;
    double variance_min = 0.01, variance_max = 0.7;
    double similarity_share = 0.5;
    bool renormalize = true;
    bool cls_boost = true;
    bool concat_keys = false;
    int iterations(int block) const;
};
ZeroTPruneSettings zerotprune_settings(const std::map<std::string, double>& resolved_parameters, int depth);
std::unique_ptr<TokenReducer> make_zerotprune_reducer(const ZeroTPruneSettings& settings);
// Per-head weighted PageRank s <- P^T s from s0 = 1/N (CLS sqrt(N) times heavier with cls_boost,
// then normalised to sum 1): (B, H, N).
torch::Tensor weighted_pagerank(const torch::Tensor& attention, int iterations, bool cls_boost);
// Heads whose variance of N*s lies in [variance_min, variance_max] (all heads if none does),
// combined by root mean square: (B, N).
torch::Tensor combine_heads(const torch::Tensor& head_scores, double variance_min, double variance_max);

}  // namespace tp::runtime
