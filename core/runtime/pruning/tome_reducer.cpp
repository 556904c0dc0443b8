// ToMe (facebookresearch/ToMe, bipartite_soft_matching + merge_wavg) with a class token, in LibTorch.
#include <limits>

#include "core/runtime/pruning/methods.h"
#include "core/runtime/pruning/token_selection.h"

namespace tp::runtime {
namespace {

class TomeReducer : public TokenReducer {
public:
    explicit TomeReducer(bool proportional_attention) : proportional_attention_(proportional_attention) {}
    std::string name() const override { return "tome"; }
    BlockNeeds needs(int) const override { return {false, /*keys=*/true, false}; }
    bool proportional_attention() const override { return proportional_attention_; }

    void reduce(BlockState& state, int tokens_out) override {
        const int64_t n = state.x.size(1);
        if (!reduction_needed(state, tokens_out, static_cast<int>(n - (n - 1) / 2), name())) return;
        if (!state.size.defined()) state.size = torch::ones({state.x.size(0), n, 1}, state.x.options());
        const auto match = tome_match(state.keys, n - tokens_out);
        // Size-weighted average: merge x*size and size by sum, then divide.
        const auto weighted = tome_merge_sum(state.x * state.size, match);
        state.size = tome_merge_sum(state.size, match);
        state.x = weighted / state.size;
    }

private:
    bool proportional_attention_;
};

}  // namespace

TomeMatch tome_match(const torch::Tensor& keys, int64_t r) {
    auto metric = keys.mean(1);
    metric = metric / metric.norm(2, -1, /*keepdim=*/true);
    const int64_t n = metric.size(1);
    const auto a = metric.slice(1, 0, n, 2);
    const auto b = metric.slice(1, 1, n, 2);
    auto scores = a.matmul(b.transpose(1, 2));  // (B, |A|, |B|) cosine similarities
    scores.slice(1, 0, 1).fill_(-std::numeric_limits<float>::infinity());  // CLS is never merged
    auto [node_max, node_idx] = scores.max(-1);
    const auto edges = rank_descending(node_max);
    const int64_t count_a = a.size(1);
    TomeMatch match;
    match.source = edges.narrow(1, 0, r);
    match.unmerged = std::get<0>(torch::sort(edges.narrow(1, r, count_a - r), -1));
    match.destination = node_idx.gather(1, match.source);
    return match;
}

torch::Tensor tome_merge_sum(const torch::Tensor& x, const TomeMatch& match) {
    const int64_t n = x.size(1);
    const auto a = x.slice(1, 0, n, 2);
    const auto b = x.slice(1, 1, n, 2);
    const auto sources = gather_tokens(a, match.source);
    const auto index = match.destination.unsqueeze(-1).expand({x.size(0), match.destination.size(1), x.size(-1)});
    const auto merged_b = b.scatter_add(1, index, sources);
    return torch::cat({gather_tokens(a, match.unmerged), merged_b}, 1);
}

std::unique_ptr<TokenReducer> make_tome_reducer(bool proportional_attention) {
    return std::make_unique<TomeReducer>(proportional_attention);
}

}  // namespace tp::runtime
