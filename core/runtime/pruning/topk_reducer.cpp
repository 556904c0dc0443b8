#include "core/runtime/pruning/methods.h"
#include "core/runtime/pruning/token_selection.h"

namespace tp::runtime {
namespace {

class TopKReducer : public TokenReducer {
public:
    std::string name() const override { return "topk"; }
    BlockNeeds needs(int) const override { return {/*attention=*/true, false, false}; }
    void reduce(BlockState& state, int tokens_out) override {
        if (!reduction_needed(state, tokens_out, 1, name())) return;
        keep_top_patches(state, topk_patch_scores(state.attention), tokens_out - 1);
    }
};

}  // namespace

torch::Tensor topk_patch_scores(const torch::Tensor& attention) {
    // CLS query row, patch keys, averaged over heads.
    return attention.select(2, 0).narrow(-1, 1, attention.size(-1) - 1).mean(1);
}

std::unique_ptr<TokenReducer> make_topk_reducer() { return std::make_unique<TopKReducer>(); }

}  // namespace tp::runtime
