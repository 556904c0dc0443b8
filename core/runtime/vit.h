#pragma once
// Internal to core/runtime (includes LibTorch): a timm-compatible VisionTransformer.
// Parameter names are exactly timm's (patch_embed.proj, cls_token, pos_embed, blocks.N.norm1,
// blocks.N.attn.qkv, blocks.N.attn.proj, blocks.N.norm2, blocks.N.mlp.fc1, blocks.N.mlp.fc2, norm,
// head) and so are the semantics (LayerNorm eps 1e-6, exact GELU, qkv layout (3, H, Dh), CLS
// pooling), so a timm state dict loads unchanged.
//
// Pieces for the profiler: embed() / embed_tokens() and head() are the fixed parts;
// block(), attention_half() and mlp_half() run one block (or half of it) on any (B, n, C) tensor.
// Pruned forward: forward(images, tokens_after_block, reducer) calls the reducer inside each block
// whose output length is smaller than its input (after the attention residual, before norm2/MLP).
#include <optional>
#include <string>
#include <vector>

#include <torch/torch.h>

#include "core/model/device.h"
#include "core/runtime/token_reduction.h"

namespace tp::runtime {

struct AttentionImpl : torch::nn::Module {
    AttentionImpl(int dim, int heads);
    torch::nn::Linear qkv{nullptr}, proj{nullptr};
    int heads;
};
TORCH_MODULE(Attention);

struct MlpImpl : torch::nn::Module {
    MlpImpl(int dim, int hidden);
    torch::nn::Linear fc1{nullptr}, fc2{nullptr};
};
TORCH_MODULE(Mlp);

struct BlockImpl : torch::nn::Module {
    BlockImpl(int dim, int heads, int hidden);
    torch::nn::LayerNorm norm1{nullptr}, norm2{nullptr};
    Attention attn{nullptr};
    Mlp mlp{nullptr};
};
TORCH_MODULE(Block);

struct PatchEmbedImpl : torch::nn::Module {
    PatchEmbedImpl(int channels, int dim, int patch);
    torch::nn::Conv2d proj{nullptr};
};
TORCH_MODULE(PatchEmbed);

// What one attention half computed beyond its output, on request.
struct AttentionExtras {
    torch::Tensor attention;  // (B, H, N, N) post-softmax
    torch::Tensor keys;       // (B, H, N, Dh)
    torch::Tensor values;     // (B, H, N, Dh)
};

class VisionTransformerImpl : public torch::nn::Module {
public:
    // Validates the architecture (throws tp::FormatError). Weights are timm-initialised
    // (truncated normal std 0.02 for linear layers and pos_embed, cls_token std 1e-6).
    explicit VisionTransformerImpl(const ModelInfo& model);

    const ModelInfo& info() const { return info_; }
    int depth() const { return info_.depth; }
    int tokens() const { return tokens_; }          // full sequence length incl. CLS

    // --- whole model -------------------------------------------------------------------------
    // (B, C, H, W) images -> (B, classes) logits, unpruned.
    torch::Tensor forward(const torch::Tensor& images);
    // Pruned: tokens_after_block has depth() entries (see core/model/schedule.h). A block whose
    // output is shorter than its input calls reducer->reduce (the reducer must be non-null then).
    torch::Tensor forward(const torch::Tensor& images, const std::vector<int>& tokens_after_block,
                          TokenReducer* reducer);
    // Input pruning: every block runs at n tokens (CLS + n-1 patch tokens picked after pos-embed).
    torch::Tensor forward_at(const torch::Tensor& images, int n, bool random_tokens = false,
                             std::optional<uint64_t> seed = std::nullopt);

    // --- pieces ------------------------------------------------------------------------------
    // Patch embedding + CLS + pos_embed: (B, C, H, W) -> (B, tokens(), dim).
    torch::Tensor embed(const torch::Tensor& images);
    // embed() then keep CLS and n-1 patch tokens: the first n-1, or n-1 drawn at random
    // (host-side generator seeded by `seed`, same indices for the whole batch, in order).
    torch::Tensor embed_tokens(const torch::Tensor& images, int n, bool random_tokens = false,
                               std::optional<uint64_t> seed = std::nullopt);
    // Final norm, CLS pooling, classifier: (B, n, dim) -> (B, classes).
    torch::Tensor head_forward(const torch::Tensor& x);
    // One block on (B, n, dim): x + attn(norm1 x), then x + mlp(norm2 x).
    torch::Tensor block(int k, const torch::Tensor& x);
    // x + attn(norm1 x). `bias` (optional) is added to the attention logits, broadcast to
    // (B, H, n, n); `extras` (optional) receives what `needs` asks for.
    torch::Tensor attention_half(int k, const torch::Tensor& x, const BlockNeeds& needs = {},
                                 AttentionExtras* extras = nullptr, const torch::Tensor& bias = {});
    // x + mlp(norm2 x).
    torch::Tensor mlp_half(int k, const torch::Tensor& x);

    // --- parameters --------------------------------------------------------------------------
    torch::Tensor cls_token, pos_embed;
    PatchEmbed patch_embed{nullptr};
    torch::nn::ModuleList blocks{nullptr};
    torch::nn::LayerNorm norm{nullptr};
    torch::nn::Linear head{nullptr};

private:
    ModelInfo info_;
    int tokens_ = 0;
    std::vector<Block> block_list_;  // typed view of `blocks`
};
TORCH_MODULE(VisionTransformer);

// Indices (0-based, into the patch tokens) kept by embed_tokens: the first n-1 or a sorted
// random draw. Exposed so tests and the profiler can reproduce a draw.
std::vector<int64_t> kept_patch_indices(int patch_tokens, int n, bool random_tokens, std::optional<uint64_t> seed);

}  // namespace tp::runtime
