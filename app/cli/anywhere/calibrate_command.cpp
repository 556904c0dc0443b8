// tailprune calibrate --weights W --method X[,Y]: evaluates the accuracy model's calibration plan
// (docs/accuracy-model.md) on a seeded, class-stratified subset of the HOLDOUT split (never the
// test split) and appends every result to the calibration file as it finishes. Incremental (a
// second run evaluates only what the file lacks), cancellable with Ctrl-C (what finished is kept),
// progress and remaining time on stderr.
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <ctime>
#include <iomanip>
#include <filesystem>
#include <iostream>
#include <sstream>

#include "app/cli/cli_util.h"
#include "app/cli/command_registry.h"
#include "app/cli/anywhere/local_runtime.h"
#include "app/cli/remote_options.h"
#include "app/cli/anywhere/evaluate_on_device.h"
#include "app/cli/anywhere/calibrate_fanout.h"
#include "core/accuracy/accuracy_model.h"
#include "core/accuracy/calibration_plan.h"
#include "core/util/format_error.h"
#include "core/model/profile_json.h"
#include "core/runtime/vit_runner.h"
#include "core/util/utc_time.h"
#ifdef TAILPRUNE_HAS_STORE
#include "core/store/accuracy_rows.h"
#endif

namespace tp::cli {
namespace {

std::atomic<bool> g_cancel{false};
void on_calibrate_sigint(int) { g_cancel.store(true); }

struct Options {
    std::string weights, calibration, store, data_dir;
    std::vector<std::string> methods;
    int subset = 2000;
    std::uint64_t seed = 1;
    std::vector<double> levels;
    int multi = 16;
    int editor_like = 0;
    int batch = 100;
    int threads = 1;
    std::string device = "cpu";
    bool plan_only = false;
    bool no_detach = false;
    std::string on;  // device name: evaluate the plan there (A,B,C: over several agents at once)
    int slurm_tasks = 0;  // agents per slurm device in --on
};

bool file_exists(const std::string& path) {
    std::FILE* f = std::fopen(path.c_str(), "rb");
    if (f) std::fclose(f);
    return f != nullptr;
}

std::string tokens_text(const std::vector<int>& tokens) {
    std::ostringstream out;
    for (std::size_t i = 0; i < tokens.size(); ++i) out << (i ? "," : "") << tokens[i];
    return out.str();
}

// Beside the weights; for weights on a device (--on), in the current folder under their file name.
std::string default_calibration_path(const std::string& weights, bool remote) {
    std::string stem = remote ? std::filesystem::path(weights).filename().string() : weights;
    if (ends_with(stem, ".safetensors")) stem.resize(stem.size() - std::string(".safetensors").size());
    return stem + ".accuracy-calibration.json";
}

void check_same_setup(const AccuracyCalibration& file, const AccuracyCalibration& want, const std::string& path) {
    if (file.model.name != want.model.name || file.model.depth != want.model.depth || file.model.tokens != want.model.tokens ||
        (!file.model.weights_hash.empty() && file.model.weights_hash != want.model.weights_hash))
        throw CommandError("'" + path + "' calibrates model '" + file.model.name + "', not these weights ('" +
                           want.model.name + "'); give another --calibration file");
    if (file.subset.label() != want.subset.label())
        throw CommandError("'" + path + "' was measured on " + file.subset.label() + ", this run asks for " +
                           want.subset.label() + "; give another --calibration file or the same --subset/--seed");
}

const CommandRegistrar reg(62, [](CLI::App& app) {
    auto o = std::make_shared<Options>();
    auto* cmd = app.add_subcommand("calibrate", "Evaluate the accuracy model's calibration plan on the holdout split");
    cmd->add_option("--weights", o->weights, "model weights (.safetensors with its card)")->required();
    cmd->add_option("--method", o->methods, "method(s) to calibrate: pomt, pomt_nomerge, topk, zerotprune, tome, random")
        ->required()
        ->delimiter(',');
    cmd->add_option("--calibration", o->calibration, "calibration file (default: <weights stem>.accuracy-calibration.json)");
    cmd->add_option("--subset", o->subset, "images in the holdout subset")->check(CLI::Range(10, 1000000));
    cmd->add_option("--seed", o->seed, "seed of the class-stratified subset and of the plan");
    cmd->add_option("--levels", o->levels, "kept-token fractions for single points (default 0.9,0.75,0.6,0.45,0.3,0.15)")
        ->delimiter(',');
    cmd->add_option("--multi", o->multi, "multi-point schedules for ToMe/Top-K (half as many for single-cut methods)")
        ->check(CLI::Range(0, 1000));
    cmd->add_option("--editor-like", o->editor_like,
                    "also N schedules of 2-3 cuts close together, as the editor makes them (all methods but ToMe)")
        ->check(CLI::Range(0, 1000));
    cmd->add_option("--batch", o->batch, "evaluation batch size")->check(CLI::Range(1, 100000));
    cmd->add_option("--threads", o->threads, "LibTorch threads")->check(CLI::Range(1, 4096));
    cmd->add_option("--device", o->device, "cpu | cuda | cuda:N: where the evaluations run (minutes on a GPU, hours "
                                           "for a 197-token model on a CPU); with --on, on that machine")
        ->capture_default_str();
    cmd->add_option("--data-dir", o->data_dir, "Fashion-MNIST IDX folder (default: Debian's)");
#ifdef TAILPRUNE_HAS_STORE
    cmd->add_option("--store", o->store, "also record every evaluation in this store");
#endif
    cmd->add_flag("--plan-only", o->plan_only, "print what would be evaluated and stop");
    cmd->add_flag("--no-detach", o->no_detach, "with --on: evaluate on the connection itself, not as detached sessions");
    cmd->add_option("--on", o->on, "evaluate the plan on this device (tailprune device list); --weights and --data-dir "
                                   "are paths there, the calibration file stays here; A,B,C fans the plan out over "
                                   "one agent per name (docs/cluster.md)");
    cmd->add_option("--slurm-tasks", o->slurm_tasks, "with --on naming a slurm device: that many agents (Slurm tasks) "
                                                     "share the plan")
        ->check(CLI::Range(1, 4096));
    cmd->callback([o] {
        AccuracyCalibration want;
        std::optional<remote::ConnectOptions> target;
        if (o->on.empty()) {
            require_local_runtime("calibrate");
            require_local_file(o->weights, "--weights");
#ifdef TAILPRUNE_HAS_TORCH
            runtime::LoadedModelInfo loaded = runtime::describe_model(o->weights);
            want.model = loaded.card.architecture;
            want.model.name = loaded.card.name.empty() ? want.model.name : loaded.card.name;
#endif
        } else {
            // The plan is made here from what the device says the weights are; each evaluation is
            // one `evaluate` request there (a dropped link retries that evaluation only).
            target = connect_options(split_device_names(o->on).empty() ? o->on : split_device_names(o->on).front());
            const nlohmann::json described = run_on_device(
                *target, [&](remote::AgentConnection& c, int) { return to_json(describe_on(c, o->weights)); }, &g_cancel);
            want.model = model_from_json(described, "/model");
        }
        want.subset.dataset = "fashion-mnist";
        want.subset.split = "holdout";
        want.subset.size = o->subset;
        want.subset.seed = o->seed;
        const std::string path =
            o->calibration.empty() ? default_calibration_path(o->weights, !o->on.empty()) : o->calibration;
        AccuracyCalibration cal = want;
        if (file_exists(path)) {
            cal = load_accuracy_calibration(path);
            check_same_setup(cal, want, path);
        }

        CalibrationPlanSettings settings;
        if (!o->levels.empty()) settings.keep_fractions = o->levels;
        settings.multi_point = o->multi;
        settings.editor_like = o->editor_like;
        settings.seed = o->seed;
        std::vector<PlannedEvaluation> todo;
        for (const auto& method : o->methods) {
            auto plan = calibration_plan(cal.model, method, settings);
            for (auto& p : remaining_evaluations(plan, cal)) {
                bool duplicate = false;  // the baseline serves every method: evaluate it once
                for (const auto& t : todo) duplicate |= t.tokens_after_block == p.tokens_after_block && (t.method == p.method || p.kind == "baseline");
                if (!duplicate) todo.push_back(p);
            }
        }
        std::cerr << "calibrating " << cal.model.name << " on " << want.subset.label() << ": " << todo.size()
                  << " evaluation(s) to run, " << cal.evaluations.size() << " already in " << path << "\n";
        if (o->plan_only) {
            for (const auto& p : todo) std::cout << p.method << " " << p.kind << " " << tokens_text(p.tokens_after_block) << "\n";
            return;
        }

#ifdef TAILPRUNE_HAS_STORE
        std::optional<store::Store> db;
        if (!o->store.empty()) db.emplace(store::Store::open(o->store, store::Mode::Create));
#endif
        g_cancel.store(false);
        auto previous = std::signal(SIGINT, on_calibrate_sigint);
        const auto start = std::chrono::steady_clock::now();
        double spent = 0;
        std::size_t done = 0;
        if (wants_fanout(o->on, o->slurm_tasks)) {
            // Several agents at once (docs/cluster.md); the file is merged in plan order as results come.
            FanoutRequest f;
            f.devices = split_device_names(o->on);
            f.slurm_tasks = o->slurm_tasks;
            f.base.weights = o->weights;
            f.base.split = "holdout";  // never the test split
            f.base.limit = o->subset;
            f.base.subset_seed = o->seed;
            f.base.batch = o->batch;
            f.base.threads = o->threads;
            f.base.device = o->device;
            f.base.data_dir = o->data_dir;
            try {
                done = calibrate_fanned_out(
                    f, cal.model, todo, cal, path,
                    [&](const AccuracyEvaluation& e) {
#ifdef TAILPRUNE_HAS_STORE
                        if (db)
                            for (const auto& row : to_store_rows(cal, e, iso8601_utc_now())) db->add_calibration(row);
#else
                        (void)e;
#endif
                    },
                    &g_cancel);
            } catch (...) {
                std::signal(SIGINT, previous);
                throw;
            }
            spent = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        } else
        try {
            for (const auto& p : todo) {
                runtime::EvaluateOptions eo;
                eo.weights = o->weights;
                eo.split = "holdout";  // never the test split
                eo.limit = o->subset;
                eo.subset_seed = o->seed;
                eo.batch = o->batch;
                eo.threads = o->threads;
                eo.device = o->device;
                eo.data_dir = o->data_dir;
                if (p.kind != "baseline") {
                    Schedule s;
                    s.model = cal.model;
                    s.name = "calibration";
                    s.method = p.method;
                    s.tokens_after_block = p.tokens_after_block;
                    eo.schedule = s;
                    eo.method = p.method;
                }
                runtime::EvaluateResult r;
                if (target) {
                    // Each evaluation a detached session: a dropped link loses none (Ctrl-C cancels it).
                    r = evaluate_result_from_json(evaluate_on_device(*target, eo, {}, &g_cancel, !o->no_detach, true));
                } else {
#ifdef TAILPRUNE_HAS_TORCH
                    r = runtime::evaluate_model(eo, {}, &g_cancel);
#endif
                }
                if (r.cancelled || g_cancel.load()) break;
                AccuracyEvaluation e{p.method, p.tokens_after_block, r.top1, r.top5, static_cast<int>(r.images), r.seconds, p.kind};
                cal.evaluations.push_back(e);
                save_accuracy_calibration(cal, path);  // after every evaluation: a cancel keeps it
#ifdef TAILPRUNE_HAS_STORE
                if (db)
                    for (const auto& row : to_store_rows(cal, e, iso8601_utc_now())) db->add_calibration(row);
#endif
                ++done;
                spent = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
                const double left = spent / double(done) * double(todo.size() - done);
                std::cerr << "[" << done << "/" << todo.size() << "] " << p.method << " " << p.kind << " "
                          << tokens_text(p.tokens_after_block) << ": top-1 " << std::fixed << std::setprecision(4)
                          << r.top1 << std::setprecision(1) << " (" << r.seconds << " s; ~" << left << " s left)\n"
                          << std::defaultfloat;
            }
        } catch (...) {
            std::signal(SIGINT, previous);
            throw;
        }
        std::signal(SIGINT, previous);
        std::cerr << std::fixed << std::setprecision(1) << "calibration time " << spent << " s for " << done
                  << " evaluation(s); file " << path << " holds " << cal.evaluations.size() << "\n" << std::defaultfloat;
        if (g_cancel.load())
            throw CommandError("cancelled after " + std::to_string(done) + " of " + std::to_string(todo.size()) +
                                   " evaluations; run again to continue",
                               130);
        for (const auto& method : o->methods) {
            try {
                AccuracyModel model = AccuracyModel::fit(cal, method);
                const auto& r = model.report();
                std::cout << method << ": " << r.evaluations << " evaluations (" << r.multi_point
                          << " multi-point), unpruned top-1 " << 100 * r.baseline_top1 << "%, leave-one-out RMS "
                          << 100 * r.loo_rmse_top1 << " pp, gamma " << r.gamma << "\n";
            } catch (const FormatError& e) {
                std::cout << method << ": " << e.what() << "\n";
            }
        }
    });
});

}  // namespace
}  // namespace tp::cli
