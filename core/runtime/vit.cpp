#include "core/runtime/vit.h"

#include <algorithm>
#include <numeric>
#include <random>

#include "core/util/format_error.h"
#include "core/runtime/torch_compat.h"
#include "core/formats/vit_config.h"

namespace tp::runtime {
namespace F = torch::nn::functional;

AttentionImpl::AttentionImpl(int dim, int heads_) : heads(heads_) {
    qkv = register_module("qkv", torch::nn::Linear(torch::nn::LinearOptions(dim, 3 * dim).bias(true)));
    proj = register_module("proj", torch::nn::Linear(dim, dim));
}

MlpImpl::MlpImpl(int dim, int hidden) {
    fc1 = register_module("fc1", torch::nn::Linear(dim, hidden));
    fc2 = register_module("fc2", torch::nn::Linear(hidden, dim));
}

BlockImpl::BlockImpl(int dim, int heads, int hidden) {
    norm1 = register_module("norm1", torch::nn::LayerNorm(torch::nn::LayerNormOptions({dim}).eps(1e-6)));
    attn = register_module("attn", Attention(dim, heads));
    norm2 = register_module("norm2", torch::nn::LayerNorm(torch::nn::LayerNormOptions({dim}).eps(1e-6)));
    mlp = register_module("mlp", Mlp(dim, hidden));
}

PatchEmbedImpl::PatchEmbedImpl(int channels, int dim, int patch) {
    proj = register_module("proj", torch::nn::Conv2d(torch::nn::Conv2dOptions(channels, dim, patch).stride(patch)));
}

VisionTransformerImpl::VisionTransformerImpl(const ModelInfo& model) : info_(model) {
    formats::validate_architecture(model);
    tokens_ = formats::sequence_length(model);
    info_.tokens = tokens_;
    const int dim = model.embed_dim;
    cls_token = register_parameter("cls_token", torch::zeros({1, 1, dim}));
    pos_embed = register_parameter("pos_embed", torch::zeros({1, tokens_, dim}));
    patch_embed = register_module("patch_embed", PatchEmbed(model.channels, dim, model.patch));
    blocks = register_module("blocks", torch::nn::ModuleList());
    for (int i = 0; i < model.depth; ++i) {
        Block b(dim, model.heads, formats::mlp_hidden(model));
        blocks->push_back(b);
        block_list_.push_back(b);
    }
    norm = register_module("norm", torch::nn::LayerNorm(torch::nn::LayerNormOptions({dim}).eps(1e-6)));
    head = register_module("head", torch::nn::Linear(dim, model.num_classes));

    // timm's init: trunc_normal(0.02) for linear weights and pos_embed, zero biases, cls_token 1e-6.
    torch::NoGradGuard no_grad;
    auto trunc_normal = [](torch::Tensor& t, double std) {
        t.normal_(0, std).clamp_(-2 * std, 2 * std);
    };
    trunc_normal(pos_embed, 0.02);
    cls_token.normal_(0, 1e-6);
    for (auto& module : modules(/*include_self=*/false)) {
        if (auto* linear = module->as<torch::nn::Linear>()) {
            trunc_normal(linear->weight, 0.02);
            linear->bias.zero_();
        }
    }
}

torch::Tensor VisionTransformerImpl::embed(const torch::Tensor& images) {
    TORCH_CHECK(images.dim() == 4 && images.size(1) == info_.channels && images.size(2) == info_.image_size &&
                    images.size(3) == info_.image_size,
                "expected images (B, ", info_.channels, ", ", info_.image_size, ", ", info_.image_size, "), got ",
                images.sizes());
    auto x = patch_embed->proj->forward(images).flatten(2).transpose(1, 2);  // (B, P, C)
    auto cls = cls_token.expand({x.size(0), -1, -1});
    return torch::cat({cls, x}, 1) + pos_embed;
}

std::vector<int64_t> kept_patch_indices(int patch_count, int n, bool random_tokens, std::optional<uint64_t> seed) {
    if (n < 1 || n > patch_count + 1)
        throw FormatError("tokens", "n = " + std::to_string(n) + " is outside 1.." + std::to_string(patch_count + 1));
    std::vector<int64_t> all(patch_count);
    std::iota(all.begin(), all.end(), 0);
    if (!random_tokens) return {all.begin(), all.begin() + (n - 1)};
    std::mt19937_64 rng(seed.value_or(0));
    // Partial Fisher-Yates with explicit modulo draws: the same picks on every platform.
    for (int i = 0; i < n - 1; ++i) {
        auto j = i + static_cast<int>(rng() % static_cast<uint64_t>(patch_count - i));
        std::swap(all[i], all[j]);
    }
    std::vector<int64_t> kept(all.begin(), all.begin() + (n - 1));
    std::sort(kept.begin(), kept.end());
    return kept;
}

torch::Tensor VisionTransformerImpl::embed_tokens(const torch::Tensor& images, int n, bool random_tokens,
                                                  std::optional<uint64_t> seed) {
    auto x = embed(images);
    if (n == tokens_) return x;
    // The first n tokens need no index tensor (none may be copied from the host inside a CUDA graph).
    if (!random_tokens) return x.narrow(1, 0, n).contiguous();
    auto kept = kept_patch_indices(tokens_ - 1, n, random_tokens, seed);
    std::vector<int64_t> index{0};
    for (auto i : kept) index.push_back(i + 1);
    auto host = torch::tensor(index, torch::kLong);
    auto idx = (x.is_cuda() ? host.pin_memory() : host).to(x.device(), /*non_blocking=*/false);
    return x.index_select(1, idx);
}

torch::Tensor VisionTransformerImpl::attention_half(int k, const torch::Tensor& x, const BlockNeeds& needs,
                                                    AttentionExtras* extras, const torch::Tensor& bias) {
    auto& b = block_list_.at(static_cast<size_t>(k));
    const auto B = x.size(0), N = x.size(1), C = x.size(2);
    const int H = b->attn->heads;
    auto h = F::layer_norm(x, F::LayerNormFuncOptions({C}).weight(b->norm1->weight).bias(b->norm1->bias).eps(1e-6));
    auto qkv = F::linear(h, b->attn->qkv->weight, b->attn->qkv->bias).reshape({B, N, 3, H, C / H}).permute({2, 0, 3, 1, 4});
    auto q = qkv[0], key = qkv[1], v = qkv[2];
    torch::Tensor out;
    if (needs.attention) {
        const double scale = 1.0 / std::sqrt(static_cast<double>(C / H));
        auto logits = torch::matmul(q * scale, key.transpose(-2, -1));
        if (bias.defined()) logits = logits + bias;
        auto probs = logits.softmax(-1);
        out = torch::matmul(probs, v);
        if (extras) extras->attention = probs;
    } else {
        out = compat::attention_output(q, key, v, bias);
    }
    if (extras) {
        if (needs.keys) extras->keys = key;
        if (needs.values) extras->values = v;
    }
    out = out.transpose(1, 2).reshape({B, N, C});
    return x + F::linear(out, b->attn->proj->weight, b->attn->proj->bias);
}

torch::Tensor VisionTransformerImpl::mlp_half(int k, const torch::Tensor& x) {
    auto& b = block_list_.at(static_cast<size_t>(k));
    auto h = F::layer_norm(x, F::LayerNormFuncOptions({x.size(2)}).weight(b->norm2->weight).bias(b->norm2->bias).eps(1e-6));
    h = torch::gelu(F::linear(h, b->mlp->fc1->weight, b->mlp->fc1->bias));
    return x + F::linear(h, b->mlp->fc2->weight, b->mlp->fc2->bias);
}

torch::Tensor VisionTransformerImpl::block(int k, const torch::Tensor& x) { return mlp_half(k, attention_half(k, x)); }

torch::Tensor VisionTransformerImpl::head_forward(const torch::Tensor& x) {
    auto cls = x.select(1, 0);
    auto h = F::layer_norm(cls, F::LayerNormFuncOptions({x.size(2)}).weight(norm->weight).bias(norm->bias).eps(1e-6));
    return F::linear(h, head->weight, head->bias);
}

torch::Tensor VisionTransformerImpl::forward(const torch::Tensor& images) {
    auto x = embed(images);
    for (int k = 0; k < info_.depth; ++k) x = block(k, x);
    return head_forward(x);
}

torch::Tensor VisionTransformerImpl::forward_at(const torch::Tensor& images, int n, bool random_tokens,
                                                std::optional<uint64_t> seed) {
    auto x = embed_tokens(images, n, random_tokens, seed);
    for (int k = 0; k < info_.depth; ++k) x = block(k, x);
    return head_forward(x);
}

torch::Tensor VisionTransformerImpl::forward(const torch::Tensor& images, const std::vector<int>& tokens_after_block,
                                             TokenReducer* reducer) {
    if (static_cast<int>(tokens_after_block.size()) != info_.depth)
        throw FormatError("schedule", "has " + std::to_string(tokens_after_block.size()) + " blocks, the model has " +
                                          std::to_string(info_.depth));
    auto x = embed(images);
    torch::Tensor size;  // (B, N, 1) token sizes once a merging reducer defines them
    for (int k = 0; k < info_.depth; ++k) {
        const int n_in = static_cast<int>(x.size(1));
        const int n_out = tokens_after_block[static_cast<size_t>(k)];
        if (n_out > n_in || n_out < 1)
            throw FormatError("schedule.tokens_after_block[" + std::to_string(k) + "]",
                              std::to_string(n_out) + " tokens after a block entered with " + std::to_string(n_in));
        const bool reduce = n_out < n_in;
        if (reduce && !reducer)
            throw FormatError("schedule", "block " + std::to_string(k) + " prunes but no method was given");
        torch::Tensor bias;
        if (reducer && size.defined() && reducer->proportional_attention())
            bias = size.log().squeeze(-1).unsqueeze(1).unsqueeze(1).to(x.scalar_type());  // (B, 1, 1, N)
        BlockNeeds needs = reduce ? reducer->needs(k) : BlockNeeds{};
        AttentionExtras extras;
        x = attention_half(k, x, needs, reduce ? &extras : nullptr, bias);
        if (reduce) {
            BlockState state;
            state.block = k;
            state.depth = info_.depth;
            state.x = x;
            state.attention = extras.attention;
            state.keys = extras.keys;
            state.values = extras.values;
            state.size = size;
            reducer->reduce(state, n_out);
            x = state.x;
            size = state.size;
            if (x.size(1) != n_out)
                throw std::logic_error("method " + reducer->name() + " returned " + std::to_string(x.size(1)) +
                                       " tokens at block " + std::to_string(k) + ", expected " + std::to_string(n_out));
        }
        x = mlp_half(k, x);
    }
    return head_forward(x);
}

}  // namespace tp::runtime
