// POMT ("prune one more token"), as released (PruneOneMoreToken's POMTMetric/POMTForward) except
// that the attention score is normalised per sample instead of by the batch maximum, and kept tokens
// stay in their original order (a ViT's output does not depend on token order).
#include "core/runtime/pruning/methods.h"
#include "core/runtime/pruning/token_selection.h"

namespace tp::runtime {
namespace {

class PomtReducer : public TokenReducer {
public:
    explicit PomtReducer(bool merge) : merge_(merge) {}
    std::string name() const override { return merge_ ? "pomt" : "pomt_nomerge"; }
    BlockNeeds needs(int) const override { return {/*attention=*/true, /*keys=*/false, /*values=*/true}; }

    void reduce(BlockState& state, int tokens_out) override {
        if (!reduction_needed(state, tokens_out, merge_ ? 2 : 1, name())) return;
        const auto scores = pomt_patch_scores(state.attention, state.values);
        if (!merge_) {
            keep_top_patches(state, scores, tokens_out - 1);
            return;
        }
        const int64_t keep = tokens_out - 2;
        const int64_t patches = state.x.size(1) - 1;
        const auto ranked = rank_descending(scores);
        // The patch tokens not kept, averaged into one token appended last.
        const auto rest = ranked.narrow(1, keep, patches - keep) + 1;
        const auto merged = gather_tokens(state.x, rest).mean(1, /*keepdim=*/true);
        auto kept = cls_and_patches(ranked.narrow(1, 0, keep));
        torch::Tensor merged_size;
        if (state.size.defined()) merged_size = gather_tokens(state.size, rest).sum(1, /*keepdim=*/true);
        keep_tokens(state, kept);
        state.x = torch::cat({state.x, merged}, 1);
        if (state.size.defined()) state.size = torch::cat({state.size, merged_size}, 1);
    }

private:
    bool merge_;
};

}  // namespace

torch::Tensor pomt_patch_scores(const torch::Tensor& attention, const torch::Tensor& values) {
    const int64_t n = attention.size(-1);
    // Attention each patch token receives from the patch queries, strongest head per entry.
    auto received = attention.amax(1).narrow(1, 1, n - 1).narrow(2, 1, n - 1).sum(1);  // (B, N-1)
    received = received / received.amax(-1, /*keepdim=*/true).clamp_min(1e-30);
    // "Information content": softmax over all tokens of the summed value features, CLS shaved off after.
    auto magnitude = torch::softmax(values.amax(1).sum(-1), -1).narrow(-1, 1, n - 1);
    return received + magnitude;
}

std::unique_ptr<TokenReducer> make_pomt_reducer(bool merge) { return std::make_unique<PomtReducer>(merge); }

}  // namespace tp::runtime
