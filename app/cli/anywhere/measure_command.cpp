// tailprune measure --schedule S: one schedule's latency end to end (and the unpruned model's).
#include <atomic>
#include <cmath>
#include <cstdio>
#include <csignal>
#include <iostream>

#include "app/cli/cli_util.h"
#include "app/cli/command_registry.h"
#include "app/cli/anywhere/local_runtime.h"
#include "app/cli/remote_options.h"
#include "core/agent/requests.h"
#include "core/analysis/profile_analysis.h"
#include "core/model/machine_identity.h"
#include "core/model/profile_json.h"
#include "core/model/schedule_json.h"
#include "core/runtime/profiler.h"

namespace tp::cli {
namespace {

std::atomic<bool> g_interrupted{false};
void on_measure_interrupt(int) {
    g_interrupted = true;
    std::signal(SIGINT, SIG_DFL);
}

struct Options {
    std::string schedule, model, weights, device = "cpu", dtype, mode;  // empty dtype: the schedule's
    int rounds = 3, warmup = 3, threads = 1, min_samples = 10;
    double min_time = 0.5, noise = 0.01, timeout = 15;
    bool no_baseline = false, json = false, no_detach = false, sbatch = false;
    std::string on;  // device name: measure there
    std::string profile;  // predict the schedule from this profile too, for the machine measured on
};

// The prediction for the machine that measured (its re-level record when there is one), set
// beside the measurement, and what tells the user the profile does not describe this machine:
// identity differences and an unpruned model measured outside the prediction's band.
nlohmann::json predict_beside(const std::string& profile_path, const Schedule& schedule, const nlohmann::json& result) {
    auto profile = std::make_shared<const Profile>(load_profile(profile_path));
    AnalysisSettings settings;
    settings.target_machine = identity_of(device_from_json(result.at("device"), "/device"),
                                          settings_from_json(result.at("settings"), "/settings"));
    const ProfileAnalysis analysis(profile, profile_path, settings);
    const LatencyPrediction p = analysis.predict(schedule);
    const CalibrationUse& use = analysis.calibration();
    const double measured = result.at("schedule").at("median_ms").get<double>();
    nlohmann::json out = {{"profile", profile_path}, {"latency_ms", p.latency_ms}, {"low_ms", p.low_ms},
                          {"high_ms", p.high_ms}, {"error", measured / p.latency_ms - 1.0},
                          {"relevelled", use.relevelled}, {"other_machine", use.other_machine},
                          {"note", use.machine_note}};
    if (result.contains("baseline") && p.unpruned_ms > 0) {
        const double unpruned = result["baseline"].at("median_ms").get<double>();
        out["unpruned_ms"] = p.unpruned_ms;
        out["unpruned_error"] = unpruned / p.unpruned_ms - 1.0;
        out["relative"] = {{"predicted", p.relative}, {"low", p.relative_low}, {"high", p.relative_high},
                           {"measured", measured / unpruned - 1.0}};
        const LatencyBand& band = analysis.predictor()->band();
        if (unpruned < p.unpruned_ms * (1 + band.low_rel) || unpruned > p.unpruned_ms * (1 + band.high_rel))
            out["level_warning"] = "the unpruned model measured " + std::to_string(unpruned) + " ms here against " +
                                   std::to_string(p.unpruned_ms) + " ms predicted (" +
                                   std::to_string(static_cast<int>(std::lround(100 * (unpruned / p.unpruned_ms - 1)))) +
                                   "%): the profile does not describe this machine's level; re-level it: "
                                   "tailprune calibrate-latency --profile " + profile_path;
    }
    return out;
}

void print_prediction(const nlohmann::json& p) {
    std::printf("predicted %.4f ms [%.4f, %.4f] from %s: measured %+.1f%%\n", p["latency_ms"].get<double>(),
                p["low_ms"].get<double>(), p["high_ms"].get<double>(), p["profile"].get<std::string>().c_str(),
                100 * p["error"].get<double>());
    if (p.contains("relative"))
        std::printf("relative to unpruned: predicted %+.1f%% [%+.1f%%, %+.1f%%], measured %+.1f%%\n",
                    100 * p["relative"]["predicted"].get<double>(), 100 * p["relative"]["low"].get<double>(),
                    100 * p["relative"]["high"].get<double>(), 100 * p["relative"]["measured"].get<double>());
    const std::string note = p.value("note", "");
    if (!note.empty()) std::printf("%s%s\n", p.value("other_machine", false) ? "warning: " : "machine: ", note.c_str());
    if (p.contains("level_warning")) std::printf("warning: %s\n", p["level_warning"].get<std::string>().c_str());
}

const CommandRegistrar reg(45, [](CLI::App& app) {
    auto o = std::make_shared<Options>();
    auto* cmd = app.add_subcommand("measure", "Time one schedule end to end, with the unpruned model in the same run");
    cmd->add_option("--schedule", o->schedule, "schedule JSON")->required()->check(CLI::ExistingFile);
    cmd->add_option("--model", o->model, "model preset (default: the schedule's model, random weights)");
    cmd->add_option("--weights", o->weights, "weights file (.safetensors with its .card.json)");
    cmd->add_option("--device", o->device, "cpu | cuda | cuda:N");
    cmd->add_option("--dtype", o->dtype, "fp32 | fp16 | bf16 (default: the schedule's)");
    cmd->add_option("--mode", o->mode, "cpu | graph | eager");
    cmd->add_option("--rounds", o->rounds, "rounds")->check(CLI::Range(1, 1000));
    cmd->add_option("--warmup", o->warmup, "warm-up forwards per round")->check(CLI::Range(0, 100000));
    cmd->add_option("--threads", o->threads, "LibTorch and BLAS threads (CPU)")->check(CLI::Range(1, 4096));
    cmd->add_option("--min-samples", o->min_samples, "stopping rule: minimum samples")->check(CLI::Range(2, 100000000));
    cmd->add_option("--min-time", o->min_time, "stopping rule: minimum seconds per round")->check(CLI::NonNegativeNumber);
    cmd->add_option("--noise", o->noise, "stopping rule: target relative half-width")->check(CLI::PositiveNumber);
    cmd->add_option("--timeout", o->timeout, "stopping rule: seconds per round at most")->check(CLI::PositiveNumber);
    cmd->add_flag("--no-baseline", o->no_baseline, "do not time the unpruned model");
    cmd->add_flag("--json", o->json, "print the result as JSON");
    cmd->add_option("--profile", o->profile,
                    "also predict the schedule from this profile for the machine measured on, and say when the "
                    "profile does not describe that machine")
        ->check(CLI::ExistingFile);
    cmd->add_flag("--no-detach", o->no_detach, "with --on: measure on the connection itself, not as a detached session");
    cmd->add_flag("--sbatch", o->sbatch,
                  "with --on SLURM_DEVICE: submit the measurement as a Slurm batch job (a session on shared storage), "
                  "print the session id and the job id, return (tailprune session attach)");
    cmd->add_option("--on", o->on, "measure on this device (tailprune device list); the schedule is read here and "
                                   "sent, --weights is a path on the device");
    cmd->callback([o] {
        agent::MeasureRequest r;
        r.schedule = load_schedule(o->schedule);
        validate(r.schedule);
        r.model.weights = o->weights;
        r.model.preset = o->weights.empty() ? (o->model.empty() ? r.schedule.model.name : o->model) : "";
        if (!o->model.empty() && !o->weights.empty()) throw CommandError("give --model or --weights, not both");
        r.timing.device = o->device;
        r.timing.dtype = !o->dtype.empty() ? o->dtype : !r.schedule.model.dtype.empty() ? r.schedule.model.dtype : "fp32";
        r.timing.batch = r.schedule.model.batch;
        r.timing.mode = o->mode;
        r.timing.rounds = o->rounds;
        r.timing.warmup = o->warmup;
        r.timing.threads = o->threads;
        r.timing.stopping = {o->min_samples, o->min_time, o->noise, o->timeout};
        agent::validate(r.timing);
        r.baseline = !o->no_baseline;
        runtime::ProfileCallbacks cb;
        cb.cancelled = [] { return g_interrupted.load(); };
        std::signal(SIGINT, on_measure_interrupt);
        nlohmann::json result;
        if (o->sbatch && o->on.empty()) throw CommandError("--sbatch needs --on SLURM_DEVICE", 2);
        if (o->on.empty()) {
            require_local_runtime("measure");
#ifdef TAILPRUNE_HAS_TORCH
            result = runtime::run_measure(r, cb);
#endif
        } else {
            const nlohmann::json fields = agent::to_json(r);
            DeviceJob job{"measure", fields, {}};
            job.detach = !o->no_detach;  // a detached session by default: it survives a dropped link
            job.quiet = o->json;
            job.sbatch = o->sbatch;
            result = run_job_on_device(connect_options(o->on), job, &g_interrupted);
            result["on"] = o->on;
            if (o->sbatch) {
                std::signal(SIGINT, SIG_DFL);
                if (o->json) return print_json(result);
                const std::string id = result.at("session").get<std::string>();
                std::cout << id << " " << result.at("slurm_job").get<std::string>() << "\n";
                std::cerr << "submitted session " << id << " on " << o->on << " as Slurm job "
                          << result.at("slurm_job").get<std::string>() << "; its result: tailprune session attach " << id
                          << " --on " << o->on << " -o RESULT.json\n";
                return;
            }
        }
        std::signal(SIGINT, SIG_DFL);
        if (!o->profile.empty()) result["prediction"] = predict_beside(o->profile, r.schedule, result);
        if (o->json) return print_json(result);
        const auto& s = result["schedule"];
        std::cout << "schedule " << r.schedule.name << ": median " << s["median_ms"].get<double>() << " ms [p10 "
                  << s["p10_ms"].get<double>() << ", p90 " << s["p90_ms"].get<double>() << "], +-"
                  << 100 * s["rel_noise"].get<double>() << "% across rounds, " << s["samples"].get<int>() << " samples\n";
        if (result.contains("baseline"))
            std::cout << "unpruned: median " << result["baseline"]["median_ms"].get<double>() << " ms; speedup "
                      << result["speedup"].get<double>() << "x (same run)\n";
        if (!o->on.empty()) std::cout << "measured on " << o->on << "\n";
        std::cout.flush();
        if (result.contains("prediction")) print_prediction(result["prediction"]);
        if (result.value("cancelled", false)) throw CommandError("interrupted: fewer rounds than asked", 130);
    });
});

}  // namespace
}  // namespace tp::cli
