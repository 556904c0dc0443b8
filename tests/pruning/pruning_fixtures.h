#pragma once
// Hand-made BlockState tensors for the pruning suites: no model needed.
#include <cstdint>
#include <string>
#include <vector>

#include <torch/torch.h>

#include "core/runtime/token_reduction.h"

namespace tp::test {

// A random but well-formed block: x (B, N, C), attention = softmax of random logits (rows sum to 1),
// keys/values random, all from `seed`. Token t's first feature is t, so outputs can be traced.
runtime::BlockState random_block(int batch, int tokens, std::uint64_t seed, int heads = 3, int dim = 12,
                                 int head_dim = 4, torch::Device device = torch::kCPU);

// Sample `b` of every defined tensor in `state`, as a batch of one.
runtime::BlockState sample_of(const runtime::BlockState& state, int64_t b);

// A deep copy (reducers replace tensors in place).
runtime::BlockState copy_of(const runtime::BlockState& state);

// The token indices carried in x's first feature, per sample.
std::vector<std::vector<int64_t>> traced_tokens(const torch::Tensor& x);

// Every method make_reducer implements (besides "none").
const std::vector<std::string>& all_methods();

}  // namespace tp::test
