// tailprune calibrate-latency --profile P [--on NAME]: re-level a profile for the machine it is
// used on (issue 27, docs/latency-model.md "Another machine"). Measures the whole model and each
// method's pruning op at a few sizes there (a profile job per scope, seconds), fits how that
// machine's level differs from the profile's, and keeps it as the latency calibration record of
// that machine: <profile stem>.calibration.<machine key>.json, which `predict`, `measure --profile`
// and the studio's editor pick when they predict for that machine.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <iostream>

#include "app/cli/cli_util.h"
#include "app/cli/command_registry.h"
#include "app/cli/anywhere/local_runtime.h"
#include "app/cli/remote_options.h"
#include "core/agent/requests.h"
#include "core/formats/vit_config.h"
#include "core/model/machine_identity.h"
#include "core/model/profile_json.h"
#include "core/predict/latency_calibration.h"
#include "core/predict/relevel.h"
#include "core/runtime/profiler.h"
#include "core/util/utc_time.h"

namespace tp::cli {
namespace {

std::atomic<bool> g_interrupted{false};
void on_interrupt(int) {
    g_interrupted = true;
    std::signal(SIGINT, SIG_DFL);
}

struct Options {
    std::string profile, weights, model, output, on;
    int threads = 0;   // 0: the profile's
    int passes = 3;
    bool json = false, quiet = false;
};

bool is_preset(const std::string& name) {
    const auto& names = formats::vit_preset_names();
    return std::find(names.begin(), names.end(), name) != names.end();
}

// The bundled weights of a model the studio ships (resources/models/NAME/NAME.safetensors).
std::string bundled_weights(const std::string& model) {
    const std::string path = std::string(TAILPRUNE_SOURCE_DIR) + "/resources/models/" + model + "/" + model + ".safetensors";
    return std::filesystem::exists(path) ? path : std::string();
}

agent::ModelChoice model_choice(const Options& o, const Profile& profile) {
    if (!o.model.empty() && !o.weights.empty()) throw CommandError("give --model or --weights, not both");
    agent::ModelChoice choice;
    if (!o.weights.empty()) choice.weights = o.weights;
    else if (!o.model.empty()) choice.preset = o.model;
    else if (is_preset(profile.model.name)) choice.preset = profile.model.name;
    else if (o.on.empty() && !bundled_weights(profile.model.name).empty()) choice.weights = bundled_weights(profile.model.name);
    else
        throw CommandError("the profile's model '" + profile.model.name +
                           "' is not a preset: give --weights FILE (a path on the measuring machine)");
    return choice;
}

// The profile's own timing setup, so the re-level measures what the profile measured.
agent::TimingSpec timing_of(const Profile& profile, int threads) {
    agent::TimingSpec t;
    t.device = profile.device.kind == "cpu" ? "cpu" : "cuda";
    t.dtype = profile.model.dtype.empty() ? "fp32" : profile.model.dtype;
    t.batch = profile.model.batch;
    t.mode = profile.settings.mode;
    t.l2 = profile.settings.l2.empty() ? "warm" : profile.settings.l2;
    t.warmup = profile.settings.warmup;
    t.rounds = profile.settings.rounds;
    // The profile's stopping rule, bounded: a re-level should take seconds, and its few points
    // are averaged by the fit (a 2% half-width per point is plenty for a median over sizes).
    t.stopping = profile.settings.stopping;
    t.stopping.target_rel_noise = std::max(t.stopping.target_rel_noise, 0.02);
    t.stopping.timeout_s = std::min(t.stopping.timeout_s, 2.0);
    t.threads = threads > 0 ? threads : std::max(1, profile.settings.torch_threads);
    agent::validate(t);
    return t;
}

Profile measure_scope(const Options& o, const agent::ProfileRequest& request) {
    if (o.on.empty()) {
        require_local_runtime("calibrate-latency");
#ifdef TAILPRUNE_HAS_TORCH
        runtime::ProfileCallbacks cb;
        cb.cancelled = [] { return g_interrupted.load(); };
        runtime::ProfileOutcome out = runtime::run_profile(request, cb);
        if (out.cancelled) throw CommandError("interrupted: nothing was written", 130);
        return out.profile;
#endif
    }
    const remote::ConnectOptions target = connect_options(o.on);
    const nlohmann::json result = run_on_device(
        target,
        [&](remote::AgentConnection& c, int) { return c.call("profile", agent::to_json(request), {}, &g_interrupted); },
        &g_interrupted);
    if (result.value("cancelled", false)) throw CommandError("interrupted: nothing was written", 130);
    Profile p = profile_from_json(result.at("profile"));
    p.device.host = remote::reached_on(target.device);
    return p;
}

// The unpruned model's last measurement against its first (both at the plan's largest count).
double level_drift(const std::vector<Curve>& measured, const Profile& again) {
    if (measured.empty() || again.curves.empty() || again.curves[0].points.empty() || measured[0].points.empty()) return 0;
    const CurvePoint& last = again.curves[0].points.front();
    for (const auto& p : measured[0].points)
        if (p.tokens == last.tokens && p.median_ms > 0) return last.median_ms / p.median_ms - 1.0;
    return 0;
}

void print_summary(const Profile& profile, const LatencyCalibration& record, const IdentityComparison& comparison,
                   const std::string& path) {
    const RelevelRecord& r = *record.relevel;
    std::printf("re-levelled %s for %s in %.1f s", profile.model.name.c_str(), machine_label(*record.machine).c_str(),
                r.seconds);
    if (r.passes > 1)
        std::printf(" (%d passes, each point at its fastest; the passes agree within %.1f%%)", r.passes, 100 * r.agreement);
    std::printf("\n");
    if (comparison.differences.empty() && comparison.same_machine)
        std::printf("the profile was measured on this machine in the same state\n");
    else
        std::printf("differs from the profile's machine: %s\n", describe_differences(comparison).c_str());
    std::printf("blocks and fixed parts: x%.3f %+.4f ms\n", r.fit.scale, r.fit.offset_ms);
    for (const auto& [method, scale] : r.fit.op_scale) std::printf("pruning op %-13s x%.3f\n", method.c_str(), scale);
    std::printf("%-24s %6s %11s %11s %7s\n", "scope", "tokens", "profile ms", "here ms", "ratio");
    for (const auto& p : r.points)
        std::printf("%-24s %6d %11.4f %11.4f %7.3f\n", p.scope.c_str(), p.tokens, p.profile_ms, p.measured_ms,
                    p.measured_ms / p.profile_ms);
    std::printf("written to %s\n", path.c_str());
    if (r.passes > 1 && r.agreement > 0.05)
        std::printf("warning: no two of the %d passes measured the unpruned model within 5%% of each other (%+.1f%%): the "
                    "machine never held its level; run it again when the machine is quiet\n",
                    r.passes, 100 * r.agreement);
    if (std::abs(r.drift) > 0.05)
        std::printf("warning: the unpruned model measured %+.1f%% at the end against the start: the machine's level "
                    "moved during the re-level (a slow spell of a shared host?); run it again when the machine is quiet\n",
                    100 * r.drift);
}

const CommandRegistrar reg(47, [](CLI::App& app) {
    auto o = std::make_shared<Options>();
    auto* cmd = app.add_subcommand("calibrate-latency",
                                   "Re-level a profile for this machine (or --on NAME): measure the model and each "
                                   "method's op at a few sizes there, keep the record for that machine");
    cmd->add_option("--profile", o->profile, "profile to re-level")->required()->check(CLI::ExistingFile);
    cmd->add_option("--weights", o->weights, "weights file on the measuring machine (default: the bundled model)");
    cmd->add_option("--model", o->model, "model preset (random weights; latency does not depend on the values)");
    cmd->add_option("--threads", o->threads, "LibTorch and BLAS threads (default: the profile's)")->check(CLI::Range(1, 4096));
    cmd->add_option("-o,--output", o->output, "record to write (default: <profile stem>.calibration.<machine>.json)");
    cmd->add_option("--on", o->on, "re-level for this device (tailprune device list); --weights is a path there");
    cmd->add_option("--passes", o->passes,
                    "measure the plan this many times and keep each point at its fastest pass: a shared host's "
                    "slow spells only add time (default 3)")
        ->check(CLI::Range(1, 100));
    cmd->add_flag("--json", o->json, "print the record as JSON");
    cmd->add_flag("-q,--quiet", o->quiet, "no progress on stderr");
    cmd->callback([o] {
        const Profile profile = load_profile(o->profile);
        const std::vector<RelevelScope> plan = plan_relevel(profile);
        agent::ProfileRequest request;
        request.model = model_choice(*o, profile);
        request.timing = timing_of(profile, o->threads);
        request.census = false;
        g_interrupted = false;
        std::signal(SIGINT, on_interrupt);
        const auto start = std::chrono::steady_clock::now();
        std::vector<std::vector<Curve>> passes(static_cast<std::size_t>(o->passes));
        Profile last;
        for (int pass = 0; pass < o->passes; ++pass)
            for (std::size_t i = 0; i < plan.size(); ++i) {
                request.scopes = {plan[i].scope};
                request.tokens = token_list(plan[i].tokens);
                if (!o->quiet)
                    std::fprintf(stderr, "[pass %d/%d, %zu/%zu] %s at %s\n", pass + 1, o->passes, i + 1, plan.size(),
                                 to_string(plan[i].scope).c_str(), request.tokens.c_str());
                last = measure_scope(*o, request);
                for (auto& c : last.curves) passes[static_cast<std::size_t>(pass)].push_back(std::move(c));
            }
        const std::vector<Curve> measured = fastest_of_passes(passes);
        // The unpruned model once more: did the machine's level move while we measured?
        request.scopes = {plan.front().scope};
        request.tokens = std::to_string(plan.front().tokens.front());
        if (!o->quiet) std::fprintf(stderr, "[check] model at %s again\n", request.tokens.c_str());
        const Profile again = measure_scope(*o, request);
        std::signal(SIGINT, SIG_DFL);

        LatencyCalibration record;
        record.device = profile.device.identity();
        record.model = profile.model.name;
        record.machine = identity_of(last.device, last.settings);
        record.relevel = fit_relevel(profile, measured);
        record.relevel->date = iso8601_utc_now();
        record.relevel->seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        record.relevel->fit.machine = machine_label(*record.machine);
        record.relevel->drift = level_drift(passes.front(), again);
        record.relevel->passes = o->passes;
        record.relevel->agreement = pass_agreement(passes);
        const std::string path = o->output.empty() ? machine_calibration_path(o->profile, *record.machine) : o->output;
        // Schedules measured earlier on this machine stay: predictions are recomputed from the
        // profile and the new re-level each time.
        if (std::filesystem::exists(path)) {
            try {
                LatencyCalibration previous = load_latency_calibration(path);
                if (previous.machine && same_machine(*previous.machine, *record.machine)) record.entries = previous.entries;
            } catch (const std::exception& e) {
                std::cerr << "warning: replacing unreadable record " << path << ": " << e.what() << "\n";
            }
        }
        save_latency_calibration(record, path);
        const IdentityComparison comparison = compare_identities(identity_of(profile.device, profile.settings), *record.machine);
        if (o->json) return print_json(nlohmann::json::parse(latency_calibration_to_text(record)));
        print_summary(profile, record, comparison, path);
    });
});

}  // namespace
}  // namespace tp::cli
