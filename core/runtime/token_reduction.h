#pragma once
// Internal to core/runtime (includes LibTorch): the hook between the ViT forward and the pruning
// methods. A method reduces tokens inside a block, after the attention residual and before the MLP.
// Shapes must be static for a given schedule and nothing may synchronise with the host, so the
// whole pruned forward can be captured in a CUDA graph (top-k with a static k, gathers, where-masks,
// fixed iteration counts, random indices drawn on the host).
#include <torch/torch.h>

namespace tp::runtime {

struct BlockNeeds {
    bool attention = false;  // post-softmax probabilities (B, H, N, N)
    bool keys = false;       // (B, H, N, head_dim)
    bool values = false;     // (B, H, N, head_dim)
};

// What a block hands to a method. Only what the method asked for is defined.
struct BlockState {
    int block = 0;
    int depth = 0;
    torch::Tensor x;          // (B, N, C): after the attention residual, before norm2/MLP; CLS at index 0
    torch::Tensor attention;  // (B, H, N, N)
    torch::Tensor keys;       // (B, H, N, Dh)
    torch::Tensor values;     // (B, H, N, Dh)
    torch::Tensor size;       // (B, N, 1) token sizes for ToMe's size-weighted merge; undefined if unused
};

class TokenReducer {
public:
    virtual ~TokenReducer() = default;
    virtual std::string name() const = 0;
    // What block `block` must expose when it reduces to fewer tokens (called before its attention).
    virtual BlockNeeds needs(int block) const = 0;
    // Reduce state.x (and state.size) from N to tokens_out tokens, CLS kept first.
    virtual void reduce(BlockState& state, int tokens_out) = 0;
    // ToMe: add log(size) to later blocks' attention logits (proportional attention).
    virtual bool proportional_attention() const { return false; }
};

}  // namespace tp::runtime
