// tailprune evaluate: top-1/top-5 of a ViT on Fashion-MNIST or an ImageFolder, unpruned or with a
// pruning schedule. Progress on stderr; Ctrl-C stops after the current batch.
#include <atomic>
#include <csignal>
#include <cstdio>
#include <iostream>

#include <unistd.h>

#include "app/cli/cli_util.h"
#include "app/cli/command_registry.h"
#include "app/cli/anywhere/local_runtime.h"
#include "app/cli/remote_options.h"
#include "app/cli/anywhere/evaluate_on_device.h"
#include "core/model/schedule_json.h"
#include "core/runtime/malloc_tuning.h"
#include "core/runtime/vit_runner.h"

namespace tp::cli {
namespace {

std::atomic<bool> g_cancel{false};
void on_evaluate_sigint(int) { g_cancel.store(true); }

struct EvaluateArgs {
    runtime::EvaluateOptions options;
    std::string schedule;
    bool json = false;
    bool quiet = false;
    std::string on;  // device name: evaluate there
    bool no_detach = false;
    bool sbatch = false;
};

const CommandRegistrar reg(50, [](CLI::App& app) {
    auto a = std::make_shared<EvaluateArgs>();
    auto& o = a->options;
    auto* cmd = app.add_subcommand("evaluate", "Top-1/top-5 accuracy of a ViT (unpruned or with a schedule)");
    cmd->add_option("--weights", o.weights, "timm-named .safetensors (its NAME.card.json is used when present)")
        ->required();
    cmd->add_option("--heads", o.heads, "Attention heads, for weights without a card (default dim/64)");
    cmd->add_option("--dataset", o.dataset, "fashion-mnist or an ImageFolder directory")->capture_default_str();
    cmd->add_option("--data-dir", o.data_dir, "Fashion-MNIST IDX folder (default /usr/share/datasets/fashion-mnist)");
    cmd->add_option("--split", o.split, "fashion-mnist split: test | holdout | train")->capture_default_str();
    cmd->add_option("--limit", o.limit, "Seeded class-stratified subset of N images (0 = all)");
    cmd->add_option("--seed", o.subset_seed, "Seed of the --limit subset")->capture_default_str();
    cmd->add_option("--batch", o.batch, "Batch size")->capture_default_str();
    cmd->add_option("--threads", o.threads, "LibTorch intra-op and OpenBLAS threads (0 = the runtime's default, 1)");
    cmd->add_option("--device", o.device, "cpu | cuda | cuda:N")->capture_default_str();
    cmd->add_option("--dtype", o.dtype, "fp32 | fp16 | bf16 (halves on CUDA only)")->capture_default_str();
    cmd->add_option("--schedule", a->schedule, "Pruning schedule JSON")->check(CLI::ExistingFile);
    cmd->add_option("--method", o.method, "Pruning method (overrides the schedule's)");
    cmd->add_flag("--json", a->json, "Print {\"top1\":..,\"top5\":..,\"images\":..}");
    cmd->add_flag("--quiet", a->quiet, "No progress on stderr");
    cmd->add_flag("--no-detach", a->no_detach, "With --on: evaluate on the connection itself, not as a detached session");
    cmd->add_flag("--sbatch", a->sbatch,
                  "With --on SLURM_DEVICE: submit the evaluation as a Slurm batch job (a session on shared storage), "
                  "print the session id and the job id, return (its result: tailprune session attach ID --on DEVICE)");
    cmd->add_option("--on", a->on, "Evaluate on this device (tailprune device list); --weights, --data-dir and "
                                   "--dataset are paths there, --schedule is read here and sent");
    cmd->callback([a] {
        auto& o = a->options;
        if (a->sbatch && a->on.empty()) throw CommandError("--sbatch needs --on SLURM_DEVICE", 2);
        if (a->sbatch) {
            if (!a->schedule.empty()) o.schedule = load_schedule(a->schedule);
            nlohmann::json submitted = evaluate_as_batch_job(connect_options(a->on), o);
            if (a->json) return print_json(submitted);
            const std::string id = submitted.at("session").get<std::string>();
            const std::string job = submitted.at("slurm_job").get<std::string>();
            std::cout << id << " " << job << std::endl;
            std::cerr << "submitted session " << id << " on " << a->on << " as Slurm job " << job
                      << "; its result: tailprune session attach " << id << " --on " << a->on << " -o RESULT.json\n";
            return;
        }
        if (a->on.empty()) {
            require_local_runtime("evaluate");
            require_local_file(o.weights, "--weights");
        }
#ifdef TAILPRUNE_HAS_TORCH
        runtime::keep_freed_memory_for_reuse();
#endif
        if (!a->schedule.empty()) o.schedule = load_schedule(a->schedule);
        const bool tty = isatty(fileno(stderr));
        auto progress = [a, tty](long done, long total) {
            if (a->quiet) return;
            std::cerr << (tty ? "\r" : "") << "evaluated " << done << "/" << total << " images" << (tty ? "" : "\n")
                      << std::flush;
        };
        g_cancel.store(false);
        auto previous = std::signal(SIGINT, on_evaluate_sigint);
        runtime::EvaluateResult r;
        try {
            if (a->on.empty()) {
#ifdef TAILPRUNE_HAS_TORCH
                r = runtime::evaluate_model(o, progress, &g_cancel);
#endif
            } else {
                r = evaluate_result_from_json(
                    evaluate_on_device(connect_options(a->on), o, progress, &g_cancel, !a->no_detach, false));
            }
        } catch (...) {
            std::signal(SIGINT, previous);
            throw;
        }
        std::signal(SIGINT, previous);
        if (tty && !a->quiet) std::cerr << "\n";
        if (r.cancelled)
            throw CommandError("cancelled after " + std::to_string(r.images) + " images (top-1 so far " +
                                   std::to_string(r.top1) + ")",
                               130);
        if (a->json) {
            nlohmann::json out = {{"top1", r.top1}, {"top5", r.top5}, {"images", r.images}, {"dataset", r.dataset},
                                  {"method", r.method}, {"seconds", r.seconds}};
            if (r.threads.intra_op > 0)
                out["threads"] = {{"intra_op", r.threads.intra_op}, {"inter_op", r.threads.inter_op}, {"blas", r.threads.blas}};
            if (!a->on.empty()) out["on"] = a->on;
            print_json(out);
        } else {
            std::printf("%s on %s, method %s: top-1 %.4f, top-5 %.4f (%ld images, %.1f s)\n", o.weights.c_str(),
                        r.dataset.c_str(), r.method.c_str(), r.top1, r.top5, r.images, r.seconds);
        }
    });
});

}  // namespace
}  // namespace tp::cli
