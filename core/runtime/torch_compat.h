#pragma once
// Internal to core/runtime: the only place that knows LibTorch version differences.
// Debian's LibTorch 1.13 (CPU) has no scaled_dot_product_attention; LibTorch 2.x has it
// (flash / memory-efficient kernels on CUDA) and the runtime uses it whenever the attention
// probabilities are not needed.
#include <cmath>

#include <torch/torch.h>
#include <torch/version.h>

#if TORCH_VERSION_MAJOR >= 2
#define TAILPRUNE_HAS_SDPA 1
#else
#define TAILPRUNE_HAS_SDPA 0
#endif

namespace tp::runtime::compat {

// softmax(q k^T * scale + bias) v for (B, H, N, Dh) tensors; bias is undefined or broadcastable
// to (B, H, N, N). Never returns the probabilities.
inline torch::Tensor attention_output(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v,
                                      const torch::Tensor& bias) {
#if TAILPRUNE_HAS_SDPA
    if (bias.defined())
        return at::scaled_dot_product_attention(q, k, v, bias.to(q.scalar_type()));
    return at::scaled_dot_product_attention(q, k, v);
#else
    const double scale = 1.0 / std::sqrt(static_cast<double>(q.size(-1)));
    auto logits = torch::matmul(q * scale, k.transpose(-2, -1));
    if (bias.defined()) logits = logits + bias;
    return torch::matmul(logits.softmax(-1), v);
#endif
}

inline const char* attention_backend() {
#if TAILPRUNE_HAS_SDPA
    return "sdpa";
#else
    return "math";
#endif
}

}  // namespace tp::runtime::compat
