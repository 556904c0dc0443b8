#include "core/runtime/agent_handler.h"

#include <filesystem>

#include "core/model/profile_json.h"
#include "core/runtime/agent_evaluate.h"
#include "core/data/fashion_mnist.h"
#include "core/jetson/clock_control.h"
#include "core/formats/model_card.h"
#include "core/runtime/profiler.h"
#include "core/platform/host_facts.h"
#include "core/platform/timing_environment.h"
#include "core/runtime/torch_info.h"
#include "core/formats/vit_config.h"
#include "core/runtime/vit_runner.h"
#include "core/util/slurm_task.h"

namespace tp::runtime {

using nlohmann::json;
namespace fs = std::filesystem;

namespace {

json models_seen() {
    json out = json::array();
    for (const auto& name : formats::vit_preset_names()) {
        ModelInfo m = formats::vit_preset(name);
        out.push_back({{"name", name}, {"preset", true}, {"tokens", m.tokens}, {"depth", m.depth}});
    }
    const fs::path dir = fs::path(TAILPRUNE_SOURCE_DIR) / "resources" / "models";
    std::error_code ec;
    for (const auto& entry : fs::recursive_directory_iterator(dir, ec)) {
        if (entry.path().extension() != ".safetensors") continue;
        const std::string card = formats::card_path_for(entry.path().string());
        try {
            formats::ModelCard c = formats::read_model_card(card);
            out.push_back({{"name", c.name},
                           {"path", fs::absolute(entry.path()).string()},
                           {"tokens", c.architecture.tokens},
                           {"depth", c.architecture.depth},
                           {"dataset", c.data.dataset}});
        } catch (const std::exception&) {
            // A weights file without a readable card is not offered.
        }
    }
    return out;
}

json datasets_seen() {
    json out = json::array();
    const fs::path dir = data::default_fashion_mnist_dir();
    std::error_code ec;
    if (fs::exists(dir / "t10k-images-idx3-ubyte.gz", ec))
        out.push_back({{"name", "fashion-mnist"}, {"path", dir.string()}, {"splits", json::array({"train", "test"})}});
    return out;
}

ProfileCallbacks callbacks_for(agent::JobContext& ctx) {
    ProfileCallbacks cb;
    cb.progress = [&ctx](const json& fields) { ctx.progress(fields); };
    cb.point = [&ctx](const Curve& curve, const CurvePoint& point) {
        Curve one = curve;
        one.points = {point};
        json c = to_json(one);
        ctx.point({{"curve", curve.name}, {"scope", to_string(curve.scope)}, {"point", c["points"][0]}});
    };
    cb.warning = [&ctx](const std::string& code, const std::string& message) { ctx.warning(code, message); };
    cb.cancelled = [&ctx] { return ctx.cancelled(); };
    return cb;
}

}  // namespace

json RuntimeJobHandler::hello() {
    platform::CpuDescription cpu = platform::describe_cpu();
    const bool cuda = cuda_available();
    json devices = json::array();
    devices.push_back({{"device", "cpu"}, {"kind", "cpu"}, {"name", cpu.model}, {"sm_count", cpu.logical_cpus}});
    if (cuda) {
        const auto gpus = platform::nvidia_gpu_models();
        devices.push_back({{"device", "cuda:0"}, {"kind", "cuda"}, {"name", gpus.empty() ? std::string() : gpus.front()}});
    }
    json modes = cuda ? json::array({"cpu", "graph", "eager"}) : json::array({"cpu"});
    json hello = {{"protocol", agent::kProtocolVersion},
            {"agent", std::string("tailprune ") + TAILPRUNE_VERSION},
            {"torch", torch_version()},
            {"commands", json::array({"hello", "profile", "measure", "evaluate", "describe", "cancel", "clock_state", "clocks"})},
            {"devices", devices},
            {"host", {{"hostname", cpu.hostname}, {"kernel", cpu.kernel}, {"memory_gb", cpu.memory_gb},
                      {"blas", platform::blas_description()}, {"governor", cpu.governor},
                      {"machine_id", platform::machine_id_hash()}, {"cpu_signature", platform::cpu_signature()},
                      {"gpu_driver", platform::nvidia_driver_version()}}},
            {"capabilities",
             {{"cuda", cuda},
              {"nvml", cuda},
              {"kernel_census", cuda},
              {"modes", modes},
              {"dtypes", cuda ? json::array({"fp32", "fp16", "bf16"}) : json::array({"fp32", "bf16"})},
              {"scopes", json::array({"model", "block", "attn", "mlp", "deployed", "prune", "fixed"})},
              {"methods", json::array({"pomt", "pomt_nomerge", "topk", "zerotprune", "tome", "random"})},
              {"evaluate", true}}},
            {"models", models_seen()},
            {"datasets", datasets_seen()}};
    // Under Slurm (issue 31): the job, the node and the GPUs it was given (added field).
    if (json slurm = slurm_task_info(); !slurm.empty()) hello["slurm"] = std::move(slurm);
    // Protocol 5 (issue 22): a board without NVML (a Jetson) says its power mode, clock lock and
    // temperatures; nothing is run (nvpmodel, jetson_clocks) where there is no GPU devfreq node.
    const std::string root = jetson::sysfs_root();
    if (jetson::find_gpu_devfreq(root)) hello["board"] = jetson::read_board_state(root).to_json();
    return hello;
}

json RuntimeJobHandler::run(const agent::Request& request, agent::JobContext& ctx) {
    agent::check_request_paths(paths_, request.body);
    if (request.cmd == "profile") {
        agent::ProfileRequest p = agent::profile_request_from_json(request.body);
        ProfileCallbacks cb = callbacks_for(ctx);
        // Protocol 2: "checkpoints": true sends the partial profile as a `checkpoint` event (at most
        // every 10 s), so a client over a link that may drop keeps a resumable copy on its side.
        const bool send_checkpoints = request.body.value("checkpoints", false);
        if (!p.output.empty() || send_checkpoints)
            cb.checkpoint = [&p, &ctx, send_checkpoints](const Profile& profile) {
                if (!p.output.empty()) save_profile(profile, p.output);
                if (send_checkpoints) ctx.event("checkpoint", {{"profile", to_json(profile)}});
            };
        ProfileOutcome o = run_profile(p, cb);
        if (!p.output.empty()) save_profile(o.profile, p.output);
        return {{"partial", o.profile.partial()},
                {"cancelled", o.cancelled},
                {"points", o.points_measured},
                {"wall_s", o.wall_s},
                {"output", p.output.empty() ? json(nullptr) : json(p.output)},
                {"profile", to_json(o.profile)}};
    }
    if (request.cmd == "measure") {
        agent::MeasureRequest m = agent::measure_request_from_json(request.body);
        return run_measure(m, callbacks_for(ctx));
    }
    if (request.cmd == "describe") {
        // Protocol 2: what a weights file on this machine is (the CLI plans `calibrate --on` with it).
        const std::string weights = request.body.value("weights", std::string());
        if (weights.empty()) throw std::invalid_argument("describe needs \"weights\" (a weights file on the agent's machine)");
        LoadedModelInfo info = describe_model(weights);
        ModelInfo model = info.card.architecture;
        if (!info.card.name.empty()) model.name = info.card.name;
        return {{"model", to_json(model)}, {"card", info.has_card}, {"parameters", info.parameters}, {"weights", weights}};
    }
    if (request.cmd == "clock_state") {
        // Protocol 5: the board's clocks, power mode and temperatures now ({"jetson": false} elsewhere).
        const std::string root = jetson::sysfs_root();
        return jetson::read_board_state(root, jetson::find_gpu_devfreq(root).has_value()).to_json();
    }
    if (request.cmd == "clocks") {
        // Protocol 5: {"action": "lock" | "unlock"}; jetson_clocks through sudo -n, never a prompt.
        const json action = request.body.value("action", json());
        if (!action.is_string() || (action != "lock" && action != "unlock"))
            throw std::invalid_argument("clocks needs \"action\": \"lock\" or \"unlock\"");
        try {
            const auto r = jetson::control_clocks(action == "lock" ? jetson::ClockAction::Lock : jetson::ClockAction::Unlock);
            return {{"action", r.action},
                    {"message", r.message},
                    {"stored_file", r.stored_file},
                    {"reused_store", r.reused_store},
                    {"jetson_clocks", r.jetson_clocks},
                    {"board", r.after.to_json()}};
        } catch (const jetson::ClockControlError& e) {
            throw agent::JobFailed(e.code, e.what());
        }
    }
    if (request.cmd == "evaluate") {
        agent::EvaluateRequest e = agent::evaluate_request_from_json(request.body);
        return run_evaluate(
            e, [&ctx](long done, long total) { ctx.progress({{"done", done}, {"total", total}}); }, &ctx.cancel_flag());
    }
    throw std::invalid_argument("command '" + request.cmd + "' is not a job");
}

}  // namespace tp::runtime
