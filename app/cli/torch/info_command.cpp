// tailprune info: what a weights file is (architecture from its card or its tensors), its input
// pipeline and recorded accuracy, and the LibTorch build.
#include <iostream>

#include "app/cli/cli_util.h"
#include "app/cli/command_registry.h"
#include "core/runtime/torch_info.h"
#include "core/runtime/vit_runner.h"

namespace tp::cli {
namespace {

const CommandRegistrar reg(55, [](CLI::App& app) {
    auto weights = std::make_shared<std::string>();
    auto heads = std::make_shared<int>(0);
    auto json = std::make_shared<bool>(false);
    auto* cmd = app.add_subcommand("info", "Describe a weights file (architecture, input pipeline, accuracy) and LibTorch");
    cmd->add_option("--weights", *weights, "timm-named .safetensors")->check(CLI::ExistingFile);
    cmd->add_option("--heads", *heads, "Attention heads, for weights without a card");
    cmd->add_flag("--json", *json, "JSON output");
    cmd->callback([weights, heads, json] {
        nlohmann::json doc{{"torch_version", runtime::torch_version()}, {"cuda", runtime::cuda_available()}};
        if (!weights->empty()) {
            auto m = runtime::describe_model(*weights, *heads);
            const auto& a = m.card.architecture;
            nlohmann::json pipeline = nlohmann::json::array();
            for (const auto& s : m.card.input_pipeline) pipeline.push_back(s.op);
            doc["model"] = {{"name", m.card.name}, {"card", m.has_card ? m.card_path : ""}, {"depth", a.depth},
                            {"embed_dim", a.embed_dim}, {"heads", a.heads}, {"mlp_ratio", a.mlp_ratio_x100 / 100.0},
                            {"patch", a.patch}, {"image_size", a.image_size}, {"channels", a.channels},
                            {"num_classes", a.num_classes}, {"tokens", a.tokens}, {"parameters", m.parameters},
                            {"input_pipeline", pipeline}};
            if (m.card.results)
                doc["model"]["results"] = {{"holdout_top1", m.card.results->holdout_top1},
                                           {"test_top1", m.card.results->test_top1},
                                           {"test_top5", m.card.results->test_top5}};
            if (!m.has_card)
                std::cerr << "note: no model card next to the weights; architecture inferred from the tensors, "
                          << a.heads << " heads assumed, timm eval transform\n";
        }
        if (*json) {
            print_json(doc);
            return;
        }
        std::cout << "LibTorch " << doc["torch_version"].get<std::string>()
                  << (doc["cuda"].get<bool>() ? " with CUDA" : " (CPU)") << "\n";
        if (doc.contains("model")) {
            const auto& m = doc["model"];
            std::cout << m["name"].get<std::string>() << ": " << m["depth"] << " blocks, dim " << m["embed_dim"] << ", "
                      << m["heads"] << " heads, mlp x" << m["mlp_ratio"] << ", patch " << m["patch"] << " on "
                      << m["image_size"] << "x" << m["image_size"] << "x" << m["channels"] << " -> " << m["tokens"]
                      << " tokens, " << m["num_classes"] << " classes, " << m["parameters"] << " parameters\n"
                      << "input pipeline: " << m["input_pipeline"].dump() << "\n";
            if (m.contains("results"))
                std::cout << "recorded accuracy: holdout top-1 " << m["results"]["holdout_top1"] << ", test top-1 "
                          << m["results"]["test_top1"] << ", top-5 " << m["results"]["test_top5"] << "\n";
        }
    });
});

}  // namespace
}  // namespace tp::cli
