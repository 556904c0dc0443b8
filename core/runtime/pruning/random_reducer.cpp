// Random pruning, the accuracy proxy of POMT's sweep. The positions are drawn on the host (no device
// randperm, nothing to synchronise) and cached per device, so a CUDA graph captured after one eager
// forward replays the same positions.
#include <algorithm>
#include <map>
#include <numeric>
#include <tuple>

#include "core/runtime/pruning/methods.h"
#include "core/runtime/pruning/token_selection.h"

namespace tp::runtime {
namespace {

// splitmix64: a fixed, documented mixing of (seed, block, lengths) so positions are identical on
// every standard library (std::shuffle's algorithm is implementation-defined).
std::uint64_t mix(std::uint64_t z) {
    z += 0x9e3779b97f4a7c15ULL;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

class RandomReducer : public TokenReducer {
public:
    explicit RandomReducer(std::uint64_t seed) : seed_(seed) {}
    std::string name() const override { return "random"; }
    BlockNeeds needs(int) const override { return {}; }

    void reduce(BlockState& state, int tokens_out) override {
        if (!reduction_needed(state, tokens_out, 1, name())) return;
        const int tokens_in = static_cast<int>(state.x.size(1));
        auto key = std::make_tuple(state.block, tokens_in, tokens_out, state.x.device().str());
        auto it = cache_.find(key);
        if (it == cache_.end()) {
            auto positions = random_patch_positions(seed_, state.block, tokens_in - 1, tokens_out - 1);
            auto host = torch::tensor(positions, torch::kLong).unsqueeze(0);
            it = cache_.emplace(key, cls_and_patches(host).to(state.x.device())).first;
        }
        keep_tokens(state, it->second.expand({state.x.size(0), tokens_out}));
    }

private:
    std::uint64_t seed_;
    std::map<std::tuple<int, int, int, std::string>, torch::Tensor> cache_;
};

}  // namespace

std::vector<std::int64_t> random_patch_positions(std::uint64_t seed, int block, int patches, int keep) {
    std::vector<std::int64_t> order(static_cast<std::size_t>(patches));
    std::iota(order.begin(), order.end(), 0);
    std::uint64_t state = mix(seed) ^ mix(static_cast<std::uint64_t>(block) << 32 | static_cast<std::uint32_t>(patches));
    // Partial Fisher-Yates: the first `keep` slots become a uniform random subset.
    for (int i = 0; i < keep; ++i) {
        state = mix(state);
        const int j = i + static_cast<int>(state % static_cast<std::uint64_t>(patches - i));
        std::swap(order[static_cast<std::size_t>(i)], order[static_cast<std::size_t>(j)]);
    }
    order.resize(static_cast<std::size_t>(keep));
    std::sort(order.begin(), order.end());
    return order;
}

std::unique_ptr<TokenReducer> make_random_reducer(std::uint64_t seed) { return std::make_unique<RandomReducer>(seed); }

}  // namespace tp::runtime
