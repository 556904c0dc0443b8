#include "pruning_fixtures.h"

namespace tp::test {

runtime::BlockState random_block(int batch, int tokens, std::uint64_t seed, int heads, int dim, int head_dim,
                                 torch::Device device) {
    torch::manual_seed(seed);
    runtime::BlockState s;
    s.block = 1;
    s.depth = 4;
    s.x = torch::randn({batch, tokens, dim});
    s.x.select(2, 0).copy_(torch::arange(tokens).to(torch::kFloat).expand({batch, tokens}));
    s.attention = torch::softmax(torch::randn({batch, heads, tokens, tokens}) * 2.0, -1);
    s.keys = torch::randn({batch, heads, tokens, head_dim});
    s.values = torch::randn({batch, heads, tokens, head_dim});
    s.x = s.x.to(device);
    s.attention = s.attention.to(device);
    s.keys = s.keys.to(device);
    s.values = s.values.to(device);
    return s;
}

namespace {
torch::Tensor one(const torch::Tensor& t, int64_t b) { return t.defined() ? t.narrow(0, b, 1).clone() : t; }
torch::Tensor deep(const torch::Tensor& t) { return t.defined() ? t.clone() : t; }
}  // namespace

runtime::BlockState sample_of(const runtime::BlockState& state, int64_t b) {
    runtime::BlockState s = state;
    s.x = one(state.x, b);
    s.attention = one(state.attention, b);
    s.keys = one(state.keys, b);
    s.values = one(state.values, b);
    s.size = one(state.size, b);
    return s;
}

runtime::BlockState copy_of(const runtime::BlockState& state) {
    runtime::BlockState s = state;
    s.x = deep(state.x);
    s.attention = deep(state.attention);
    s.keys = deep(state.keys);
    s.values = deep(state.values);
    s.size = deep(state.size);
    return s;
}

std::vector<std::vector<int64_t>> traced_tokens(const torch::Tensor& x) {
    auto ids = x.select(2, 0).round().to(torch::kLong).cpu().contiguous();
    std::vector<std::vector<int64_t>> out(static_cast<std::size_t>(ids.size(0)));
    for (int64_t b = 0; b < ids.size(0); ++b)
        for (int64_t t = 0; t < ids.size(1); ++t) out[static_cast<std::size_t>(b)].push_back(ids[b][t].item<int64_t>());
    return out;
}

const std::vector<std::string>& all_methods() {
    static const std::vector<std::string> methods = {"random", "topk", "pomt", "pomt_nomerge", "tome", "zerotprune"};
    return methods;
}

}  // namespace tp::test
