#pragma once
// Internal to core/runtime (LibTorch): the selection steps every method shares. All of them work
// per sample with static shapes and never synchronise with the host.
#include <torch/torch.h>

#include "core/runtime/token_reduction.h"

namespace tp::runtime {

// Whether block state.block has anything to reduce: false when tokens_out equals the length
// entering it; throws tp::FormatError naming the block when tokens_out is not in min_out..N.
bool reduction_needed(const BlockState& state, int tokens_out, int min_out, const std::string& method);

// Positions of `scores` (B, M) ranked highest first; equal scores keep the lower position first
// (stable sort), so the ranking never depends on the batch or the backend's tie order.
torch::Tensor rank_descending(const torch::Tensor& scores);

// Token indices (B, K+1) for CLS followed by the patch tokens `patch_positions` (B, K) (0-based among
// the patch tokens, i.e. token index - 1), in their original order.
torch::Tensor cls_and_patches(const torch::Tensor& patch_positions);

// x (B, N, C) gathered at token indices (B, K) -> (B, K, C).
torch::Tensor gather_tokens(const torch::Tensor& x, const torch::Tensor& index);

// Keeps the tokens `index` (B, K) of state.x and, when defined, state.size.
void keep_tokens(BlockState& state, const torch::Tensor& index);

// Keeps CLS and the `keep` highest-scoring patch tokens (patch_scores: (B, N-1)), in original order.
void keep_top_patches(BlockState& state, const torch::Tensor& patch_scores, int64_t keep);

}  // namespace tp::runtime
