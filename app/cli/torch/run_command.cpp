// tailprune run --weights W --schedule S [--method M] IMAGE|DIR: applies an exported schedule to a
// trained model and prints each image's predicted classes.
#include <cstdio>
#include <iostream>

#include "app/cli/cli_util.h"
#include "app/cli/command_registry.h"
#include "core/model/schedule_json.h"
#include "core/data/image_files.h"
#include "core/runtime/pruning/schedule_runner.h"

namespace tp::cli {
namespace {

struct RunArgs {
    runtime::RunOptions options;
    std::string schedule_path;
    std::vector<std::string> inputs;
    bool json = false;
};

std::string percent(double p) {
    char text[16];
    std::snprintf(text, sizeof text, "%.1f%%", 100.0 * p);
    return text;
}

void run(RunArgs& a) {
    a.options.schedule = load_schedule(a.schedule_path);  // strict: FormatError naming the field
    std::vector<std::string> images;
    for (const auto& input : a.inputs)
        for (auto& f : data::image_files_at(input)) images.push_back(std::move(f));
    const Schedule schedule = runtime::effective_schedule(a.options);
    const auto predictions = runtime::run_schedule(a.options, images);

    if (a.json) {
        nlohmann::json out = {{"schedule", schedule.name},
                              {"method", schedule.method},
                              {"tokens_after_block", schedule.tokens_after_block},
                              {"predictions", nlohmann::json::array()}};
        for (const auto& p : predictions) {
            nlohmann::json top = nlohmann::json::array();
            for (std::size_t k = 0; k < p.classes.size(); ++k)
                top.push_back({{"class", p.classes[k]}, {"name", p.names[k]}, {"probability", p.probabilities[k]}});
            out["predictions"].push_back({{"image", p.image}, {"top", top}});
        }
        print_json(out);
        return;
    }
    std::cout << "schedule '" << schedule.name << "', method " << schedule.method << ", "
              << schedule.pruning_points().size() << " pruning point(s), " << predictions.size() << " image(s)\n";
    for (const auto& p : predictions) {
        std::cout << p.image << ": " << p.names[0] << " (" << percent(p.probabilities[0]) << ")";
        for (std::size_t k = 1; k < p.classes.size(); ++k)
            std::cout << (k == 1 ? "  then " : ", ") << p.names[k] << " " << percent(p.probabilities[k]);
        std::cout << "\n";
    }
}

const CommandRegistrar reg(65, [](CLI::App& app) {
    auto a = std::make_shared<RunArgs>();
    auto* cmd = app.add_subcommand("run", "Apply a schedule to a trained model and print predictions for images");
    cmd->add_option("--weights", a->options.weights, "Model weights (NAME.safetensors, card NAME.card.json beside it)")
        ->required()
        ->check(CLI::ExistingFile);
    cmd->add_option("--schedule", a->schedule_path, "Schedule JSON (tailprune-schedule)")->required()->check(CLI::ExistingFile);
    cmd->add_option("--method", a->options.method,
                    "Use this method instead of the schedule's (pomt, pomt_nomerge, topk, zerotprune, tome, random, none)");
    cmd->add_option("--batch", a->options.batch, "Images per forward")->capture_default_str()->check(CLI::PositiveNumber);
    cmd->add_option("--top", a->options.top, "Classes shown per image")->capture_default_str()->check(CLI::PositiveNumber);
    cmd->add_flag("--json", a->json, "Print the predictions as JSON");
    cmd->add_option("IMAGE", a->inputs, "Image files or folders of images")->required();
    cmd->callback([a] { run(*a); });
});

}  // namespace
}  // namespace tp::cli
