// Zero-TPrune (CVPR 2024): I' (one weighted-PageRank step) splits the patch tokens into the less
// important half A and the rest B; S drops the A tokens most similar to some B token; I runs the full
// weighted PageRank on the survivors and keeps the top tokens. The paper leaves the per-stage budget,
// row renormalisation after S and the key layout open: they are ZeroTPruneSettings.
#include <algorithm>
#include <cmath>

#include "core/runtime/pruning/methods.h"
#include "core/runtime/pruning/token_selection.h"

namespace tp::runtime {
namespace {

class ZeroTPruneReducer : public TokenReducer {
public:
    explicit ZeroTPruneReducer(const ZeroTPruneSettings& settings) : s_(settings) {}
    std::string name() const override { return "zerotprune"; }
    BlockNeeds needs(int) const override { return {/*attention=*/true, /*keys=*/true, false}; }

    void reduce(BlockState& state, int tokens_out) override {
        if (!reduction_needed(state, tokens_out, 1, name())) return;
        const auto& attention = state.attention;
        const int64_t n = state.x.size(1);
        const int64_t patches = n - 1;
        const int64_t removed = n - tokens_out;

        // I': importance after one step ranks the patch tokens; the lower half is A.
        const auto first = combine_heads(weighted_pagerank(attention, 1, s_.cls_boost), s_.variance_min, s_.variance_max);
        const auto ranked = rank_descending(first.narrow(1, 1, patches));
        const int64_t count_a = patches / 2;
        const int64_t count_b = patches - count_a;
        const int64_t by_similarity =
            std::min<int64_t>(count_a, std::llround(s_.similarity_share * static_cast<double>(removed)));

        // S: drop the A tokens most similar (cosine on keys) to their closest B token.
        torch::Tensor survivors = ranked;  // patch positions
        if (by_similarity > 0) {
            auto metric = s_.concat_keys ? state.keys.permute({0, 2, 1, 3}).reshape({state.keys.size(0), n, -1})
                                         : state.keys.mean(1);
            metric = (metric / metric.norm(2, -1, /*keepdim=*/true)).narrow(1, 1, patches);
            const auto pos_b = ranked.narrow(1, 0, count_b);
            const auto pos_a = ranked.narrow(1, count_b, count_a);
            const auto similarity =
                gather_tokens(metric, pos_a).matmul(gather_tokens(metric, pos_b).transpose(1, 2)).amax(-1);
            const auto redundant_first = rank_descending(similarity);
            const auto kept_a = pos_a.gather(1, redundant_first.narrow(1, by_similarity, count_a - by_similarity));
            survivors = torch::cat({pos_b, kept_a}, 1);
        }
        const auto survivor_tokens = cls_and_patches(survivors);  // (B, n_s), ascending, CLS first
        const int64_t n_s = survivor_tokens.size(1);
        if (tokens_out == n_s) {
            keep_tokens(state, survivor_tokens);
            return;
        }

        // I: full weighted PageRank on the survivors' attention graph.
        const int64_t batch = attention.size(0), heads = attention.size(1);
        const auto rows = survivor_tokens.view({batch, 1, n_s, 1}).expand({batch, heads, n_s, n});
        const auto cols = survivor_tokens.view({batch, 1, 1, n_s}).expand({batch, heads, n_s, n_s});
        auto graph = attention.gather(2, rows).gather(3, cols);
        if (s_.renormalize) graph = graph / graph.sum(-1, /*keepdim=*/true).clamp_min(1e-30);
        const auto importance = combine_heads(weighted_pagerank(graph, s_.iterations(state.block), s_.cls_boost),
                                              s_.variance_min, s_.variance_max);
        const auto top = rank_descending(importance.narrow(1, 1, n_s - 1)).narrow(1, 0, tokens_out - 1);
        keep_tokens(state, cls_and_patches(survivor_tokens.gather(1, top + 1) - 1));
    }

private:
    ZeroTPruneSettings s_;
};

}  // namespace

int ZeroTPruneSettings::iterations(int block) const {
    const int early = static_cast<int>(std::lround(early_fraction * depth));
    const int late = static_cast<int>(std::lround(late_fraction * depth));
    if (block < early) return iterations_early;
    if (block >= depth - late) return iterations_late;
    return iterations_middle;
}

ZeroTPruneSettings zerotprune_settings(const std::map<std::string, double>& p, int depth) {
    ZeroTPruneSettings s;
    s.depth = depth;
    s.iterations_early = static_cast<int>(p.at("iterations_early"));
    s.iterations_middle = static_cast<int>(p.at("iterations_middle"));
    s.iterations_late = static_cast<int>(p.at("iterations_late"));
    s.early_fraction = p.at("early_fraction");
    s.late_fraction = p.at("late_fraction");
    s.variance_min = p.at("variance_min");
    s.variance_max = p.at("variance_max");
    s.similarity_share = p.at("similarity_share");
    s.renormalize = p.at("renormalize") != 0;
    s.cls_boost = p.at("cls_boost") != 0;
    s.concat_keys = p.at("concat_keys") != 0;
    return s;
}

torch::Tensor weighted_pagerank(const torch::Tensor& attention, int iterations, bool cls_boost) {
    const int64_t n = attention.size(-1);
    auto start = torch::ones({n}, attention.options());
    if (cls_boost) start.index_fill_(0, torch::zeros({1}, attention.options().dtype(torch::kLong)), std::sqrt(double(n)));
    auto s = (start / start.sum()).view({1, 1, 1, n}).expand({attention.size(0), attention.size(1), 1, n}).contiguous();
    for (int i = 0; i < iterations; ++i) s = s.matmul(attention);  // s_j <- sum_i s_i P[i, j]
    return s.squeeze(2);
}

torch::Tensor combine_heads(const torch::Tensor& head_scores, double variance_min, double variance_max) {
    const double n = static_cast<double>(head_scores.size(-1));
    const auto variance = (head_scores * n).var(-1, /*unbiased=*/false);  // (B, H), on mean-1 scores
    auto use = ((variance >= variance_min) & (variance <= variance_max)).to(head_scores.scalar_type());
    use = torch::where(use.sum(1, /*keepdim=*/true) > 0, use, torch::ones_like(use));  // none left: all heads
    const auto mean_square = (use.unsqueeze(-1) * head_scores.square()).sum(1) / use.sum(1).unsqueeze(-1);
    return mean_square.sqrt();
}

std::unique_ptr<TokenReducer> make_zerotprune_reducer(const ZeroTPruneSettings& settings) {
    return std::make_unique<ZeroTPruneReducer>(settings);
}

}  // namespace tp::runtime
