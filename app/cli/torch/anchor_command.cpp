// tailprune anchor --weights W [--split test,holdout]: measures the unpruned model's top-1/top-5 on
// whole splits with the evaluator `tailprune evaluate` uses and records them as anchors in the
// model card and the accuracy calibration file. The accuracy model predicts a schedule's drop; what
// it shows for a split is that split's anchor minus the drop (docs/accuracy-model.md).
#include <atomic>
#include <csignal>
#include <ctime>
#include <filesystem>
#include <iomanip>
#include <iostream>

#include "app/cli/cli_util.h"
#include "app/cli/command_registry.h"
#include "core/accuracy/accuracy_data.h"
#include "core/runtime/vit_runner.h"
#include "core/util/utc_time.h"

namespace tp::cli {
namespace {

std::atomic<bool> g_cancel{false};
void on_anchor_sigint(int) { g_cancel.store(true); }

struct Options {
    std::string weights, calibration, data_dir;
    std::vector<std::string> splits = {"test", "holdout"};
    int batch = 100;
    int threads = 1;
    bool no_card = false;
    bool json = false;
};

std::string default_calibration_path(const std::string& weights) {
    std::string stem = weights;
    if (ends_with(stem, ".safetensors")) stem.resize(stem.size() - std::string(".safetensors").size());
    return stem + ".accuracy-calibration.json";
}

const CommandRegistrar reg(63, [](CLI::App& app) {
    auto o = std::make_shared<Options>();
    auto* cmd = app.add_subcommand("anchor", "Measure the unpruned model on whole splits and record the accuracy anchors");
    cmd->add_option("--weights", o->weights, "model weights (.safetensors with its card)")->required()->check(CLI::ExistingFile);
    cmd->add_option("--split", o->splits, "split(s) to measure: test, holdout (default both)")
        ->delimiter(',')
        ->check(CLI::IsMember({"test", "holdout"}));
    cmd->add_option("--calibration", o->calibration,
                    "accuracy calibration file to record them in (default: <weights stem>.accuracy-calibration.json, if it exists)");
    cmd->add_flag("--no-card", o->no_card, "do not write the anchors into the model card");
    cmd->add_option("--batch", o->batch, "evaluation batch size")->check(CLI::Range(1, 100000));
    cmd->add_option("--threads", o->threads, "LibTorch threads")->check(CLI::Range(1, 4096));
    cmd->add_option("--data-dir", o->data_dir, "Fashion-MNIST IDX folder (default: Debian's)");
    cmd->add_flag("--json", o->json, "print the anchors as JSON");
    cmd->callback([o] {
        const runtime::LoadedModelInfo loaded = runtime::describe_model(o->weights);
        if (!loaded.has_card)
            throw CommandError("'" + o->weights + "' has no model card (" + loaded.card_path +
                               "): the holdout split and the anchors are defined by it");
        const bool explicit_calibration = !o->calibration.empty();
        const std::string cal_path = explicit_calibration ? o->calibration : default_calibration_path(o->weights);
        const bool have_calibration = std::filesystem::exists(cal_path);
        if (explicit_calibration && !have_calibration)
            throw CommandError("calibration file '" + cal_path + "' does not exist (run `tailprune calibrate` first)");
        AccuracyCalibration cal;
        if (have_calibration) {
            cal = load_accuracy_calibration(cal_path);  // checked before measuring: a mismatch wastes no time
            const auto& want = loaded.card.architecture;
            if (cal.model.name != loaded.card.name || cal.model.depth != want.depth || cal.model.tokens != want.tokens ||
                (!cal.model.weights_hash.empty() && cal.model.weights_hash != want.weights_hash))
                throw CommandError("'" + cal_path + "' calibrates model '" + cal.model.name + "', not these weights ('" +
                                   loaded.card.name + "')");
        }

        std::vector<AccuracyAnchor> measured;
        g_cancel.store(false);
        auto previous = std::signal(SIGINT, on_anchor_sigint);
        try {
            for (const auto& split : o->splits) {
                runtime::EvaluateOptions eo;
                eo.weights = o->weights;
                eo.split = split;
                eo.limit = 0;  // the whole split
                eo.batch = o->batch;
                eo.threads = o->threads;
                eo.data_dir = o->data_dir;
                const runtime::EvaluateResult r = runtime::evaluate_model(eo, {}, &g_cancel);
                if (r.cancelled || g_cancel.load()) throw CommandError("cancelled; nothing recorded", 130);
                AccuracyAnchor a{split, r.top1, r.top5, static_cast<int>(r.images), iso8601_utc_now()};
                measured.push_back(a);
                std::cerr << std::fixed << std::setprecision(4) << split << ": top-1 " << r.top1 << ", top-5 " << r.top5
                          << " (" << r.images << " images, " << std::setprecision(1) << r.seconds << " s)\n"
                          << std::defaultfloat;
            }
        } catch (...) {
            std::signal(SIGINT, previous);
            throw;
        }
        std::signal(SIGINT, previous);

        std::vector<std::string> written;
        if (!o->no_card) {
            formats::ModelCard card = formats::read_model_card(loaded.card_path);
            for (const auto& a : measured) set_anchor(card.anchors, a);
            formats::write_model_card(loaded.card_path, card);
            written.push_back(loaded.card_path);
        }
        if (have_calibration) {
            for (const auto& a : measured) set_anchor(cal.anchors, a);
            save_accuracy_calibration(cal, cal_path);
            written.push_back(cal_path);
        }
        if (o->json) {
            nlohmann::json files = written;
            return print_json({{"anchors", anchors_to_json(measured)}, {"written", files}});
        }
        for (const auto& a : measured)
            std::cout << std::fixed << std::setprecision(4) << a.split << ": top-1 " << a.top1 << ", top-5 " << a.top5
                      << " on " << a.images << " images\n"
                      << std::defaultfloat;
        for (const auto& f : written) std::cout << "recorded in " << f << "\n";
        if (written.empty()) std::cout << "recorded nowhere (--no-card and no calibration file)\n";
    });
});

}  // namespace
}  // namespace tp::cli
