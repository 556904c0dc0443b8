// tailprune convert: a model's weights rewritten with another storage dtype (fp16 halves the
// file), with its card saying so (weights_dtype). Computation stays fp32 on the CPU.
#include <iostream>

#include "app/cli/command_registry.h"
#include "core/runtime/weights_convert.h"

namespace tp::cli {
namespace {

struct ConvertArgs {
    std::string weights, dtype = "fp16", out;
};

const CommandRegistrar reg(61, [](CLI::App& app) {
    auto a = std::make_shared<ConvertArgs>();
    auto* cmd = app.add_subcommand("convert", "Rewrite a model's weights in another storage dtype (with its card)");
    cmd->add_option("--weights", a->weights, "timm-named .safetensors (its NAME.card.json is converted too)")
        ->required()
        ->check(CLI::ExistingFile);
    cmd->add_option("--dtype", a->dtype, "fp16 | bf16 | fp32")->capture_default_str();
    cmd->add_option("--out", a->out, "Output folder (the file names stay the same)")->required();
    cmd->callback([a] {
        formats::TensorDtype dtype;
        if (a->dtype == "fp16") dtype = formats::TensorDtype::F16;
        else if (a->dtype == "bf16") dtype = formats::TensorDtype::BF16;
        else if (a->dtype == "fp32") dtype = formats::TensorDtype::F32;
        else throw CommandError("--dtype: '" + a->dtype + "' is not fp16, bf16 or fp32");
        const auto r = runtime::convert_weights(a->weights, dtype, a->out);
        std::cerr << r.tensors << " tensors, " << r.bytes_before << " -> " << r.bytes_after << " bytes of data\n";
        std::cout << r.weights_path << "\n";
        if (!r.card_path.empty()) std::cout << r.card_path << "\n";
    });
});

}  // namespace
}  // namespace tp::cli
