// Cost of each method's pruning operation (reduce(), given the attention/keys/values the block
// already computed) on this CPU, for the shipped Fashion-MNIST model's shape and DeiT-S's.
// Prints the median and p10..p90 over repeated calls measured in this run.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <vector>

#include "core/model/method_rules.h"
#include "core/runtime/pruning/reducer_factory.h"
#include "pruning_fixtures.h"

using namespace tp;
using namespace tp::runtime;

namespace {

struct Shape {
    const char* name;
    int batch, tokens, heads, dim, tokens_out;
};

struct Timing {
    double median_us, p10_us, p90_us;
    int samples;
};

Timing time_reduce(TokenReducer& reducer, const BlockState& input, int tokens_out) {
    using clock = std::chrono::steady_clock;
    for (int i = 0; i < 5; ++i) {  // warm-up (allocator, random's cached positions)
        BlockState s = input;
        reducer.reduce(s, tokens_out);
    }
    std::vector<double> us;
    const auto start = clock::now();
    while (us.size() < 30 || (clock::now() - start < std::chrono::milliseconds(400) && us.size() < 20000)) {
        BlockState s = input;  // shallow: reduce() replaces tensors, never writes into them
        const auto t0 = clock::now();
        reducer.reduce(s, tokens_out);
        us.push_back(std::chrono::duration<double, std::micro>(clock::now() - t0).count());
    }
    std::sort(us.begin(), us.end());
    auto at = [&](double q) { return us[static_cast<std::size_t>(q * double(us.size() - 1))]; };
    return {at(0.5), at(0.1), at(0.9), static_cast<int>(us.size())};
}

}  // namespace

int main() {
    torch::set_num_threads(1);
    torch::InferenceMode inference;
    const Shape shapes[] = {
        {"fmnist_vit8 b1", 1, 50, 3, 96, 33},
        {"fmnist_vit8 b64", 64, 50, 3, 96, 33},
        {"deit_small b1", 1, 197, 6, 384, 120},
    };
    std::printf("pruning-op cost on this CPU, 1 torch thread, fp32 (microseconds per reduce call)\n");
    std::printf("%-17s %-13s %9s %9s %9s %8s\n", "shape", "method", "median", "p10", "p90", "samples");
    for (const auto& shape : shapes) {
        const BlockState input = test::random_block(shape.batch, shape.tokens, 1, shape.heads, shape.dim,
                                                    shape.dim / shape.heads);
        for (const auto& method : test::all_methods()) {
            const int out = std::max(shape.tokens_out, min_tokens_after_pruning(method, shape.tokens));
            auto reducer = make_reducer(method, {}, 12);
            const Timing t = time_reduce(*reducer, input, out);
            std::printf("%-17s %-13s %9.1f %9.1f %9.1f %8d   (%d -> %d tokens)\n", shape.name, method.c_str(),
                        t.median_us, t.p10_us, t.p90_us, t.samples, shape.tokens, out);
        }
    }
    return 0;
}
