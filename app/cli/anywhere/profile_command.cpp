// tailprune profile: latency vs token count for the chosen scopes, written as a profile.
#include <atomic>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <iostream>

#include "app/cli/command_registry.h"
#include "app/cli/anywhere/local_runtime.h"
#include "app/cli/remote_options.h"
#include "core/agent/requests.h"
#include "core/model/profile_json.h"
#include "core/runtime/profiler.h"

namespace tp::cli {
namespace {

std::atomic<bool> g_interrupted{false};
void on_profile_interrupt(int) {
    g_interrupted = true;
    std::signal(SIGINT, SIG_DFL);  // a second Ctrl-C ends the process at once
}

struct Options {
    std::string model, weights, tokens = "all", output, resume, device = "cpu", dtype = "fp32", mode, l2 = "warm";
    std::vector<std::string> scopes;
    int batch = 1, rounds = 3, warmup = 3, threads = 1, coarse_step = 0, chunk = 16, min_samples = 10;
    double min_time = 0.5, noise = 0.01, timeout = 15;
    long long seed = 1;
    bool ordered = false, quiet = false, no_detach = false, detach = false, sbatch = false;
    std::string on;  // device name: run the sweep there (docs/remote-devices.md)
};

agent::ProfileRequest to_request(const Options& o) {
    agent::ProfileRequest r;
    r.model.preset = o.model;
    r.model.weights = o.weights;
    if (!o.resume.empty()) r.resume = load_profile(o.resume);
    if (r.model.preset.empty() && r.model.weights.empty()) {
        if (!r.resume) throw CommandError("give --model PRESET or --weights FILE (or --resume a profile)");
        r.model.preset = r.resume->model.name;  // resuming a preset profile needs no model option
    }
    if (!r.model.preset.empty() && !r.model.weights.empty()) throw CommandError("give --model or --weights, not both");
    r.timing.device = o.device;
    r.timing.dtype = o.dtype;
    r.timing.batch = o.batch;
    r.timing.mode = o.mode;
    r.timing.l2 = o.l2;
    r.timing.rounds = o.rounds;
    r.timing.warmup = o.warmup;
    r.timing.threads = o.threads;
    r.timing.stopping.min_samples = o.min_samples;
    r.timing.stopping.min_time_s = o.min_time;
    r.timing.stopping.target_rel_noise = o.noise;
    r.timing.stopping.timeout_s = o.timeout;
    agent::validate(r.timing);
    if (!o.scopes.empty()) {
        r.scopes.clear();
        for (const auto& s : o.scopes) r.scopes.push_back(parse_scope(s));
    } else if (r.resume) {
        r.scopes.clear();
        for (const auto& c : r.resume->curves) r.scopes.push_back(c.scope);
    }
    r.tokens = o.tokens;
    r.coarse_step = o.coarse_step;
    r.chunk = o.chunk;
    r.seed = static_cast<std::uint64_t>(o.seed);
    r.shuffle = !o.ordered;
    r.output = o.output.empty() ? o.resume : o.output;
    if (r.output.empty()) throw CommandError("give -o FILE for the profile");
    return r;
}

void print_progress(const nlohmann::json& p) {
    std::fprintf(stderr, "\r%s %zu/%zu  n=%-4d round %d  eta %.0f s   ", p.value("phase", std::string("sweep")).c_str(),
                 p.value("done", std::size_t{0}), p.value("total", std::size_t{0}), p.value("tokens", 0), p.value("round", 0),
                 p.value("eta_s", 0.0));
}

// The sweep on a device: the same request, sent over the protocol. The agent's checkpoints are
// written to -o here as they come, and when the link drops the sweep reconnects and resumes from
// the last one, so at most ~10 s of work is measured twice and nothing finished is lost.
// --detach: the session was started and its id printed; nothing to save here.
struct DetachedSession {};

runtime::ProfileOutcome profile_on_device(const Options& o, agent::ProfileRequest request) {
    remote::ConnectOptions target = connect_options(o.on);
    std::optional<nlohmann::json> checkpoint;
    if (request.resume) checkpoint = to_json(*request.resume);
    auto on_event = [&](const nlohmann::json& event) {
        const std::string name = event["event"].get<std::string>();
        if (name == "progress" && !o.quiet) print_progress(event);
        else if (name == "warning")
            std::cerr << "warning (" << event.value("code", "") << "): " << event.value("message", "") << "\n";
        else if (name == "checkpoint" && event.contains("profile")) {
            checkpoint = event["profile"];
            save_profile(profile_from_json(*checkpoint), request.output);
        }
    };
    nlohmann::json result;
    if (!o.no_detach) {
        // A detached session (protocol 4): the device journals every point; across a dropped link
        // this client attaches again and misses none, and none is measured twice.
        DeviceJob job{"profile", agent::to_json(request), on_event};
        job.fields.erase("output");  // -o is a file here
        if (checkpoint) job.fields["resume"] = *checkpoint;
        job.quiet = o.quiet;
        job.start_only = o.detach;
        job.sbatch = o.sbatch;
        result = run_job_on_device(target, job, &g_interrupted);
        if (o.sbatch) {
            const std::string id = result.at("session").get<std::string>();
            std::cout << id << " " << result.at("slurm_job").get<std::string>() << "\n";
            std::cerr << "submitted session " << id << " on " << o.on << " as Slurm job " << result.at("slurm_job").get<std::string>()
                      << " (" << result.value("dir", std::string()) << "); follow it with: tailprune session attach " << id
                      << " --on " << o.on << " -o " << request.output << "\n";
            throw DetachedSession{};
        }
        if (o.detach) {
            std::cout << result.at("session").get<std::string>() << "\n";
            std::cerr << "started session " << result.at("session").get<std::string>() << " on " << o.on
                      << "; follow it with: tailprune session attach " << result.at("session").get<std::string>() << " --on "
                      << o.on << " -o " << request.output << "\n";
            throw DetachedSession{};
        }
    } else {
        result = run_on_device(
            target,
            [&](remote::AgentConnection& c, int attempt) {
                nlohmann::json fields = agent::to_json(request);
                if (checkpoint) fields["resume"] = *checkpoint;
                fields["checkpoints"] = true;
                if (attempt > 0 && !o.quiet) std::cerr << "resuming the sweep on " << c.where() << "\n";
                return c.call("profile", fields, on_event, &g_interrupted);
            },
            &g_interrupted);
    }
    runtime::ProfileOutcome out;
    out.profile = profile_from_json(result.at("profile"));
    out.profile.device.host = remote::reached_on(target.device);  // where it was reached from here
    out.profile.device.extra["tailprune_device"] = target.device.name;
    out.cancelled = result.value("cancelled", false);
    out.points_measured = result.value("points", 0);
    out.wall_s = result.value("wall_s", 0.0);
    return out;
}

const CommandRegistrar reg(40, [](CLI::App& app) {
    auto o = std::make_shared<Options>();
    auto* cmd = app.add_subcommand("profile", "Measure latency vs token count (whole model, blocks, deployed, pruning ops)");
    cmd->add_option("--model", o->model, "model preset (random weights), e.g. deit_tiny, deit_small_patch16_224");
    cmd->add_option("--weights", o->weights, "weights file (.safetensors with its .card.json)");
    cmd->add_option("--scope", o->scopes,
                    "scope(s): model, block:K, attn:K, mlp:K, deployed:K, prune:METHOD:K:TOKENS_IN, fixed:embed|head");
    cmd->add_option("--tokens", o->tokens, "token counts: all, 1..197, 1..197:4, 1,17,33..49");
    cmd->add_option("--coarse-step", o->coarse_step, "coarse pass at this stride, then every count near edges");
    cmd->add_option("--batch", o->batch, "batch size")->check(CLI::PositiveNumber);
    cmd->add_option("--dtype", o->dtype, "fp32 | fp16 | bf16");
    cmd->add_option("--device", o->device, "cpu | cuda | cuda:N");
    cmd->add_option("--mode", o->mode, "cpu | graph | eager (default by device)");
    cmd->add_option("--l2", o->l2, "warm | cold (CUDA)");
    cmd->add_option("--rounds", o->rounds, "rounds per point (interval across rounds)")->check(CLI::Range(1, 1000));
    cmd->add_option("--warmup", o->warmup, "warm-up forwards per visit")->check(CLI::Range(0, 100000));
    cmd->add_option("--threads", o->threads, "LibTorch and BLAS threads (CPU)")->check(CLI::Range(1, 4096));
    cmd->add_option("--min-samples", o->min_samples, "stopping rule: minimum samples per visit")->check(CLI::Range(2, 100000000));
    cmd->add_option("--min-time", o->min_time, "stopping rule: minimum seconds per visit")->check(CLI::NonNegativeNumber);
    cmd->add_option("--noise", o->noise, "stopping rule: target relative half-width")->check(CLI::PositiveNumber);
    cmd->add_option("--timeout", o->timeout, "stopping rule: seconds per visit at most")->check(CLI::PositiveNumber);
    cmd->add_option("--chunk", o->chunk, "points per chunk of rounds (0: all points per round)")->check(CLI::NonNegativeNumber);
    cmd->add_option("--seed", o->seed, "shuffle seed");
    cmd->add_flag("--ordered", o->ordered, "visit token counts in ascending order (debugging)");
    cmd->add_option("-o,--output", o->output, "profile file to write (also written when interrupted)");
    cmd->add_option("--resume", o->resume, "continue this partial profile (written back unless -o is given)")
        ->check(CLI::ExistingFile);
    cmd->add_flag("-q,--quiet", o->quiet, "no progress on stderr");
    cmd->add_flag("--no-detach", o->no_detach, "with --on: run the sweep on the connection itself, not as a detached session");
    cmd->add_flag("--detach", o->detach, "with --on: start the sweep as a session, print its id and return (tailprune session attach)");
    cmd->add_flag("--sbatch", o->sbatch,
                  "with --on SLURM_DEVICE: submit the sweep as a Slurm batch job (a session on shared storage), print "
                  "the session id and the job id, return (tailprune session attach)");
    cmd->add_option("--on", o->on, "run the sweep on this device (tailprune device list); -o and --resume stay local, "
                                   "--weights is a path on the device");
    cmd->callback([o] {
        agent::ProfileRequest request = to_request(*o);
        runtime::ProfileCallbacks cb;
        cb.cancelled = [] { return g_interrupted.load(); };
        cb.warning = [](const std::string& code, const std::string& message) {
            std::cerr << "warning (" << code << "): " << message << "\n";
        };
        if (!o->quiet) cb.progress = print_progress;
        cb.checkpoint = [&request](const Profile& p) { save_profile(p, request.output); };
        g_interrupted = false;
        std::signal(SIGINT, on_profile_interrupt);
        runtime::ProfileOutcome out;
        if (o->sbatch && o->on.empty()) throw CommandError("--sbatch needs --on SLURM_DEVICE", 2);
        if (o->sbatch && (o->detach || o->no_detach)) throw CommandError("--sbatch already returns at once: leave out --detach and --no-detach", 2);
        if (o->on.empty()) {
            require_local_runtime("profile");
#ifdef TAILPRUNE_HAS_TORCH
            out = runtime::run_profile(request, cb);
#endif
        } else {
            try {
                out = profile_on_device(*o, request);
            } catch (const DetachedSession&) {
                std::signal(SIGINT, SIG_DFL);
                return;
            }
        }
        std::signal(SIGINT, SIG_DFL);
        save_profile(out.profile, request.output);
        if (!o->quiet) std::cerr << "\n";
        std::cerr << out.points_measured << " point(s) measured in " << static_cast<int>(out.wall_s) << " s -> "
                  << request.output << (out.profile.partial() ? " (partial)" : "") << "\n";
        if (out.cancelled)
            throw CommandError("interrupted: the finished points are in " + request.output +
                                   "; continue with: tailprune profile --resume " + request.output,
                               130);
    });
});

}  // namespace
}  // namespace tp::cli
