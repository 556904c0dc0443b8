// tailprune train: trains a ViT on Fashion-MNIST and writes NAME.safetensors + NAME.card.json.
#include <atomic>
#include <csignal>
#include <iostream>

#include "app/cli/command_registry.h"
#include "core/formats/vit_config.h"
#include "core/runtime/train_presets.h"
#include "core/runtime/trainer.h"

namespace tp::cli {
namespace {

std::atomic<bool> g_cancel{false};
void on_train_sigint(int) { g_cancel.store(true); }

struct TrainArgs {
    runtime::TrainOptions options;
    std::string arch, save_dtype = "fp32";
    int depth = 8, dim = 96, heads = 3, patch = 4;
    double mlp_ratio = 4.0;
};

std::string preset_names() {
    std::string names;
    for (const auto& p : runtime::architecture_presets()) names += (names.empty() ? "" : ", ") + p.arch + " (" + p.what + ")";
    return names;
}

const CommandRegistrar reg(60, [](CLI::App& app) {
    auto a = std::make_shared<TrainArgs>();
    auto* cmd = app.add_subcommand("train", "Train a ViT on Fashion-MNIST (writes timm-named safetensors and a model card)");
    cmd->add_option("--out", a->options.out_dir, "Output folder")->required();
    cmd->add_option("--arch", a->arch, "Named architecture: " + preset_names() +
                                           "; --depth/--dim/--heads/--patch/--mlp-ratio given as well override it");
    auto* name = cmd->add_option("--name", a->options.name, "Model name (file stem; default: the --arch's model name)")
                     ->capture_default_str();
    auto* depth = cmd->add_option("--depth", a->depth, "Blocks")->capture_default_str();
    auto* dim = cmd->add_option("--dim", a->dim, "Embedding width")->capture_default_str();
    auto* heads = cmd->add_option("--heads", a->heads, "Attention heads")->capture_default_str();
    auto* patch = cmd->add_option("--patch", a->patch, "Patch size (28 must be divisible by it)")->capture_default_str();
    auto* mlp = cmd->add_option("--mlp-ratio", a->mlp_ratio, "MLP hidden / dim")->capture_default_str();
    cmd->add_option("--data", a->options.data_dir, "Fashion-MNIST folder (IDX .gz files)");
    cmd->add_option("--device", a->options.device, "cpu | cuda | cuda:N (model and dataset live there)")->capture_default_str();
    cmd->add_option("--precision", a->options.precision,
                    "fp32 | bf16 | fp16: autocast with fp32 master weights (fp16: CUDA only, with loss scaling)")
        ->capture_default_str();
    cmd->add_option("--epochs", a->options.epochs, "Epochs (with --time-budget: at most)")->capture_default_str();
    cmd->add_option("--batch", a->options.batch, "Batch size")->capture_default_str();
    cmd->add_option("--lr", a->options.lr, "Peak learning rate (AdamW)")->capture_default_str();
    cmd->add_option("--weight-decay", a->options.weight_decay, "AdamW weight decay")->capture_default_str();
    cmd->add_option("--warmup-epochs", a->options.warmup_epochs, "Linear warmup before the cosine decay")->capture_default_str();
    cmd->add_option("--label-smoothing", a->options.label_smoothing, "Cross-entropy label smoothing")->capture_default_str();
    cmd->add_option("--translate", a->options.translate, "Augmentation: max random shift in pixels (0 = off)")->capture_default_str();
    cmd->add_flag("--no-flip", [a](int64_t) { a->options.hflip = false; }, "Augmentation: no horizontal flips");
    cmd->add_option("--seed", a->options.seed, "Seed (init, order, augmentation)")->capture_default_str();
    cmd->add_option("--holdout", a->options.holdout, "Images held out of the training split (stratified)")->capture_default_str();
    cmd->add_option("--holdout-seed", a->options.holdout_seed, "Seed of the holdout split")->capture_default_str();
    cmd->add_option("--limit-train", a->options.limit_train, "Train on a stratified subset of this size (0 = all)");
    cmd->add_option("--threads", a->options.threads, "LibTorch threads")->capture_default_str();
    cmd->add_option("--time-budget", a->options.time_budget_s,
                    "Seconds for all epochs: after timing epoch 1, train only as many of --epochs as fit "
                    "(needs --warmup-epochs >= 1)");
    cmd->add_option("--epochs-this-run", a->options.epochs_this_run,
                    "Stop after this many epochs, keeping the checkpoint (continue with --resume)");
    cmd->add_option("--save-dtype", a->save_dtype, "Storage dtype of the written weights: fp32 | fp16")->capture_default_str();
    cmd->add_flag("--resume", a->options.resume, "Continue from the checkpoint in --out");
    cmd->add_option("--init", a->options.init_weights,
                    "Start from these weights (a further cosine cycle); needs the same holdout")
        ->check(CLI::ExistingFile);
    cmd->callback([a, &app, name, depth, dim, heads, patch, mlp] {
        auto& o = a->options;
        o.architecture = ModelInfo{};
        if (!a->arch.empty()) {
            const auto preset = runtime::find_architecture_preset(a->arch);
            if (!preset) throw CommandError("--arch: '" + a->arch + "' is not one of " + preset_names());
            if (!depth->count()) a->depth = preset->depth;
            if (!dim->count()) a->dim = preset->embed_dim;
            if (!heads->count()) a->heads = preset->heads;
            if (!patch->count()) a->patch = preset->patch;
            if (!mlp->count()) a->mlp_ratio = preset->mlp_ratio;
            if (!name->count()) o.name = preset->model_name;
        }
        if (a->save_dtype == "fp16") o.save_dtype = formats::TensorDtype::F16;
        else if (a->save_dtype != "fp32") throw CommandError("--save-dtype: '" + a->save_dtype + "' is not fp32 or fp16");
        o.architecture.depth = a->depth;
        o.architecture.embed_dim = a->dim;
        o.architecture.heads = a->heads;
        o.architecture.patch = a->patch;
        o.architecture.mlp_ratio_x100 = static_cast<int>(a->mlp_ratio * 100 + 0.5);
        o.architecture.image_size = 28;
        o.architecture.channels = 1;
        o.architecture.num_classes = 10;
        formats::validate_architecture(o.architecture);
        o.command = "tailprune train";
        for (const auto* opt : app.get_subcommand("train")->get_options())
            for (const auto& r : opt->results()) {
                if (opt->get_name().rfind("--", 0) != 0) continue;
                o.command += " " + opt->get_name() + (opt->get_expected_min() > 0 ? " " + r : "");
            }
        g_cancel.store(false);
        auto previous = std::signal(SIGINT, on_train_sigint);
        auto report = runtime::train_fashion_mnist(o, [](const std::string& line) { std::cerr << line << std::endl; },
                                                   &g_cancel);
        std::signal(SIGINT, previous);
        if (report.cancelled) throw CommandError("training cancelled (resume with --resume)", 130);
        if (report.stopped) return;  // the checkpoint is written; the log says how to continue
        std::cout << report.weights_path << "\n" << report.card_path << "\n";
    });
});

}  // namespace
}  // namespace tp::cli
