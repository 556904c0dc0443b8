#include "core/runtime/pruning/token_selection.h"

#include "core/util/format_error.h"

namespace tp::runtime {

bool reduction_needed(const BlockState& state, int tokens_out, int min_out, const std::string& method) {
    const int tokens_in = static_cast<int>(state.x.size(1));
    if (tokens_out == tokens_in) return false;
    if (tokens_out > tokens_in || tokens_out < min_out)
        throw FormatError("block " + std::to_string(state.block),
                          method + " cannot reduce " + std::to_string(tokens_in) + " tokens to " +
                              std::to_string(tokens_out) + " (it needs " + std::to_string(min_out) + ".." +
                              std::to_string(tokens_in) + ")");
    return true;
}

torch::Tensor rank_descending(const torch::Tensor& scores) {
    return std::get<1>(torch::sort(scores, /*stable=*/true, /*dim=*/-1, /*descending=*/true));
}

torch::Tensor cls_and_patches(const torch::Tensor& patch_positions) {
    auto ordered = std::get<0>(torch::sort(patch_positions, /*dim=*/-1)) + 1;
    auto cls = torch::zeros({patch_positions.size(0), 1}, patch_positions.options());
    return torch::cat({cls, ordered}, 1);
}

torch::Tensor gather_tokens(const torch::Tensor& x, const torch::Tensor& index) {
    return x.gather(1, index.unsqueeze(-1).expand({index.size(0), index.size(1), x.size(-1)}));
}

void keep_tokens(BlockState& state, const torch::Tensor& index) {
    state.x = gather_tokens(state.x, index);
    if (state.size.defined()) state.size = gather_tokens(state.size, index);
}

void keep_top_patches(BlockState& state, const torch::Tensor& patch_scores, int64_t keep) {
    auto top = rank_descending(patch_scores).narrow(1, 0, keep);
    keep_tokens(state, cls_and_patches(top));
}

}  // namespace tp::runtime
