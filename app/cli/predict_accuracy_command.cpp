// tailprune predict-accuracy --model M --method X --schedule S [--split test|holdout] [--json]:
// predicted top-1/top-5 of a schedule on a split: the split's anchor (the unpruned model's measured
// accuracy, from the calibration record or the model card) minus the drop the method's calibration
// evaluations predict (docs/accuracy-model.md).
#include <filesystem>
#include <iomanip>
#include <iostream>

#include "app/cli/cli_util.h"
#include "app/cli/command_registry.h"
#include "core/accuracy/accuracy_model.h"
#include "core/model/method_rules.h"
#include "core/model/schedule_json.h"
#ifdef TAILPRUNE_HAS_STORE
#include <map>

#include "core/store/accuracy_rows.h"
#endif

namespace tp::cli {
namespace {

struct Options {
    std::string model, method, schedule, calibration, store, subset, card;
    std::string split = "test";
    int for_images = 0;
    bool json = false;
};

#ifdef TAILPRUNE_HAS_STORE
// The store's calibration rows of `model` on one subset: `subset_label`, or the subset with the most rows.
AccuracyCalibration calibration_from_store(const std::string& path, const std::string& model,
                                           const std::string& subset_label) {
    auto db = store::Store::open(path, store::Mode::ReadOnly);
    auto rows = db.list_calibrations(model);
    std::map<std::string, int> per_subset;
    const store::Calibration* first = nullptr;
    for (const auto& r : rows)
        if (r.model.name == model) {
            per_subset[r.subset] += 1;
            if (!first) first = &r;
        }
    if (!first) throw CommandError("store '" + path + "' has no accuracy calibration of model '" + model + "'");
    std::string label = subset_label;
    if (label.empty())
        for (const auto& [l, n] : per_subset)
            if (label.empty() || n > per_subset[label]) label = l;
    if (!per_subset.count(label)) throw CommandError("store '" + path + "' has no calibration of '" + model + "' on subset '" + label + "'");
    const std::optional<AccuracySubset> subset = subset_from_label(label);  // dataset/split/size@seedN
    if (!subset) throw CommandError("store subset label '" + label + "' is not dataset/split/size@seedN");
    return from_store_rows(rows, first->model, *subset);
}
#endif

nlohmann::json metric_json(const MetricPrediction& m) {
    return {{"value", m.value}, {"low", m.low}, {"high", m.high}, {"se", m.se}};
}

const CommandRegistrar reg(61, [](CLI::App& app) {
    auto o = std::make_shared<Options>();
    auto* cmd = app.add_subcommand("predict-accuracy", "Predict a schedule's top-1/top-5 from calibration evaluations");
    cmd->add_option("--model", o->model, "model name, as in the calibration file")->required();
    cmd->add_option("--method", o->method, "pruning method (default: the schedule's)");
    cmd->add_option("--schedule", o->schedule, "schedule JSON")->required()->check(CLI::ExistingFile);
    auto* cal_opt = cmd->add_option("--calibration", o->calibration, "accuracy calibration JSON (written by `tailprune calibrate`)")
                        ->check(CLI::ExistingFile);
#ifdef TAILPRUNE_HAS_STORE
    auto* store_opt = cmd->add_option("--store", o->store, "read the calibration from this store instead");
    cmd->add_option("--subset", o->subset, "store: subset label (default: the one with the most evaluations)");
    cal_opt->excludes(store_opt);
#else
    cal_opt->required();
#endif
    cmd->add_option("--split", o->split, "split to predict for: its anchor is the level the drop is taken from")
        ->check(CLI::IsMember({"test", "holdout"}))
        ->capture_default_str();
    cmd->add_option("--card", o->card, "model card with anchors (default: the one next to the calibration file)")
        ->check(CLI::ExistingFile);
    cmd->add_option("--for-images", o->for_images,
                    "band for a measurement on this many images (adds its sampling error); default: the true accuracy")
        ->check(CLI::NonNegativeNumber);
    cmd->add_flag("--json", o->json, "print {\"top1\",\"top1_low\",\"top1_high\",\"top5\",...} as JSON");
    cmd->callback([o] {
        AccuracyCalibration cal;
#ifdef TAILPRUNE_HAS_STORE
        if (!o->store.empty()) cal = calibration_from_store(o->store, o->model, o->subset);
        else if (o->calibration.empty()) throw CommandError("give --calibration FILE or --store PATH");
        else
#endif
            cal = load_accuracy_calibration(o->calibration);
        if (cal.model.name != o->model)
            throw CommandError("calibration '" + o->calibration + "' is for model '" + cal.model.name + "', not '" +
                               o->model + "'");
        Schedule schedule = load_schedule(o->schedule);
        const std::string method = o->method.empty() ? schedule.method : o->method;
        if (schedule.model.depth != cal.model.depth || schedule.model.tokens != cal.model.tokens)
            throw CommandError("schedule '" + o->schedule + "' is for a model with " + std::to_string(schedule.model.depth) +
                               " blocks and " + std::to_string(schedule.model.tokens) + " tokens; '" + o->model + "' has " +
                               std::to_string(cal.model.depth) + " and " + std::to_string(cal.model.tokens));
        schedule.method = method;
        validate_for_method(schedule);
        std::string card = o->card;
        if (card.empty() && !o->calibration.empty()) {
            card = card_path_for_calibration(o->calibration);
            if (!card.empty() && !std::filesystem::exists(card)) card.clear();
        }
        const std::vector<AccuracyAnchor> card_anchors = card.empty() ? std::vector<AccuracyAnchor>{} : read_card_anchors(card);
        AccuracyModel model = AccuracyModel::fit(cal, method);
        model.anchor_to(resolve_anchor(o->split, cal.anchors, card_anchors));
        AccuracyPrediction p = model.predict(schedule.tokens_after_block, o->for_images);
        const auto& r = model.report();
        const ResolvedAnchor& anchor = model.anchor();
        if (anchor.fallback) std::cerr << "warning: " << anchor.describe() << "\n";
        if (o->json)
            return print_json({{"top1", p.top1.value},
                               {"top1_low", p.top1.low},
                               {"top1_high", p.top1.high},
                               {"top5", p.top5.value},
                               {"top5_low", p.top5.low},
                               {"top5_high", p.top5.high},
                               {"top1_drop", p.top1.drop},
                               {"top5_drop", p.top5.drop},
                               {"split", o->split},
                               {"anchor",
                                {{"split", anchor.from_fit ? std::string() : anchor.used_split},
                                 {"measured", anchor.measured},
                                 {"fallback", anchor.fallback},
                                 {"top1", p.top1.anchor},
                                 {"top5", p.top5.anchor},
                                 {"images", anchor.images},
                                 {"source", anchor.source},
                                 {"note", anchor.describe()}}},
                               {"caveat", band_caveat(r)},
                               {"extrapolated", p.extrapolated},
                               {"block_drop", p.block_drop},
                               {"detail", {{"top1", metric_json(p.top1)}, {"top5", metric_json(p.top5)}}},
                               {"calibration",
                                {{"evaluations", r.evaluations}, {"multi_point", r.multi_point}, {"gamma", r.gamma},
                                 {"loo_rmse_top1", r.loo_rmse_top1}, {"subset", cal.subset.label()}}}});
        std::cout << std::fixed << std::setprecision(2) << "schedule '" << schedule.name << "' (" << method << ") on "
                  << o->model << ", " << o->split << " split:\n  top-1 " << 100 * p.top1.value << "% ["
                  << 100 * p.top1.low << ", " << 100 * p.top1.high << "], drop " << 100 * p.top1.drop
                  << " pp\n  top-5 " << 100 * p.top5.value << "% [" << 100 * p.top5.low << ", " << 100 * p.top5.high
                  << "], drop " << 100 * p.top5.drop << " pp\n  unpruned " << 100 * p.top1.anchor << "%: "
                  << anchor.describe() << "\n  drops from " << r.evaluations << " evaluations of "
                  << cal.subset.label() << " (leave-one-out RMS " << 100 * r.loo_rmse_top1 << " pp)\n"
                  << std::defaultfloat;
        if (!band_caveat(r).empty()) std::cout << "  " << band_caveat(r) << "\n";
        if (p.extrapolated)
            std::cerr << "warning: a block keeps fewer tokens than any calibration evaluation: extrapolated, band doubled\n";
    });
});

}  // namespace
}  // namespace tp::cli
