// Top-1 of every method on the Fashion-MNIST test set for several token levels and 1-3 pruning
// points, at equal tokens kept (same schedule for every method). Prints a markdown table measured
// in this run. Usage: bench_pruning_accuracy [WEIGHTS] [LIMIT] [FIRST LAST]  (LIMIT 0 = the whole
// test split; FIRST..LAST: only these schedule rows, 0-based, to split a run across processes).
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <numeric>
#include <string>
#include <vector>

#include "core/util/format_error.h"
#include "core/model/method_rules.h"
#include "core/model/schedule.h"
#include "core/runtime/evaluator.h"
#include "core/data/fashion_mnist.h"
#include "core/formats/model_card.h"
#include "core/runtime/pruning/reducer_factory.h"
#include "core/formats/safetensors.h"
#include "core/runtime/vit.h"
#include "core/runtime/vit_weights.h"

using namespace tp;
using namespace tp::runtime;

namespace {

struct Case {
    std::string label;
    std::vector<PruningPoint> points;
};

std::string describe(const std::vector<PruningPoint>& points) {
    std::string s;
    for (const auto& p : points) s += (s.empty() ? "" : ", ") + std::string("b") + std::to_string(p.block) + "→" + std::to_string(p.tokens);
    return s;
}

}  // namespace

int main(int argc, char** argv) {
    const std::string weights = argc > 1 ? argv[1] : TAILPRUNE_SOURCE_DIR "/resources/models/fmnist_vit8/fmnist_vit8.safetensors";
    const long limit = argc > 2 ? std::atol(argv[2]) : 0;
    const size_t first_case = argc > 4 ? size_t(std::atol(argv[3])) : 0;
    const size_t last_case = argc > 4 ? size_t(std::atol(argv[4])) : 1000;
    torch::set_num_threads(1);
    try {
        const std::string card_path = tp::formats::card_path_for(weights);
        const tp::formats::ModelCard card = tp::formats::read_model_card(card_path);
        const auto& arch = card.architecture;
        VisionTransformer model(arch);
        load_weights(model, tp::formats::SafetensorsFile::read(weights), card_path);
        model->eval();
        const tp::data::FashionMnist data = tp::data::FashionMnist::load(tp::data::default_fashion_mnist_dir(), "test");
        std::vector<size_t> indices(limit > 0 ? std::min<size_t>(size_t(limit), data.size()) : data.size());
        std::iota(indices.begin(), indices.end(), size_t(0));

        const int n = arch.tokens, d = arch.depth;
        // Token levels for the shipped model (50 tokens, 8 blocks); generic fractions otherwise.
        auto at = [&](double f) { return std::max(2, static_cast<int>(f * n + 0.5)); };
        const std::vector<Case> cases = {
            {"1 point", {{d / 2 - 1, at(0.8)}}},
            {"1 point", {{d / 2 - 1, at(0.6)}}},
            {"1 point", {{d / 2 - 1, at(0.52)}}},
            {"1 point", {{d / 2 - 1, at(0.32)}}},
            {"2 points", {{d / 4, at(0.76)}, {d / 2 + 1, at(0.52)}}},
            {"2 points", {{d / 4, at(0.6)}, {d / 2 + 1, at(0.32)}}},
            {"3 points", {{1, at(0.8)}, {d / 2 - 1, at(0.6)}, {d / 2 + 1, at(0.4)}}},
            {"3 points", {{1, at(0.68)}, {d / 2 - 1, at(0.44)}, {d / 2 + 1, at(0.28)}}},
        };
        const std::vector<std::string> methods = {"random", "topk", "pomt", "pomt_nomerge", "tome", "zerotprune"};

        auto top1 = [&](const std::vector<int>& tokens, TokenReducer* reducer) {
            auto logits = [&](const torch::Tensor& images) { return model->forward(images, tokens, reducer); };
            const EvalCounts c = evaluate_images(logits, data, indices, card.input_pipeline, arch.channels,
                                                 arch.image_size, 250);
            return 100.0 * double(c.top1) / double(c.images);
        };
        const auto start = std::chrono::steady_clock::now();
        std::printf("model %s (%d blocks, %d tokens), fashion-mnist test, %zu images, fp32 CPU, batch 250\n",
                    card.name.c_str(), d, n, indices.size());
        if (first_case == 0) std::printf("unpruned top-1: %.2f%%\n\n", top1(std::vector<int>(size_t(d), n), nullptr));
        std::printf("| points | schedule (block→tokens kept) |");
        for (const auto& m : methods) std::printf(" %s |", m.c_str());
        std::printf("\n|---|---|");
        for (size_t i = 0; i < methods.size(); ++i) std::printf("---|");
        std::printf("\n");
        for (size_t row = first_case; row < cases.size() && row <= last_case; ++row) {
            const Case& c = cases[row];
            const auto tokens = tokens_from_points(d, n, c.points);
            std::printf("| %s | %s |", c.label.c_str(), describe(c.points).c_str());
            for (const auto& m : methods) {
                try {
                    validate_method_tokens(m, n, tokens);
                } catch (const FormatError&) {
                    std::printf(" n/a |");  // the method cannot realise this schedule (ToMe's half limit)
                    continue;
                }
                auto reducer = make_reducer(m, {}, d);
                std::printf(" %.2f |", top1(tokens, reducer.get()));
                std::fflush(stdout);
            }
            std::printf("\n");
        }
        std::printf("\n%.0f s in all\n",
                    std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    } catch (const std::exception& e) {
        std::fprintf(stderr, "error: %s\n", e.what());
        return 1;
    }
    return 0;
}
