#include "app/cli/anywhere/evaluate_on_device.h"

#include <filesystem>

#include "app/cli/command_registry.h"
#include "app/cli/remote_options.h"
#include "app/cli/slurm_batch.h"
#include "core/agent/requests.h"
#include "core/model/profile_json.h"
#include "core/model/schedule.h"

namespace tp::cli {

using nlohmann::json;

ModelInfo describe_on(remote::AgentConnection& c, const std::string& weights) {
    const json result = c.call("describe", {{"weights", weights}});
    return model_from_json(result.at("model"), "/model");
}

namespace {

json evaluate_fields(const runtime::EvaluateOptions& o, const std::function<ModelInfo()>& describe) {
    if (o.heads) throw CommandError("--heads needs weights with a card when run --on a device");
    agent::EvaluateRequest r;
    r.model.weights = o.weights;
    r.schedule = o.schedule ? *o.schedule : unpruned_schedule(describe());
    r.dataset = o.dataset;
    r.split = o.split;
    r.limit = o.limit;
    r.seed = o.subset_seed;
    r.data_dir = o.data_dir;
    r.threads = o.threads;
    r.device = o.device;
    r.dtype = o.dtype;
    r.batch = o.batch;
    r.method = o.method;
    return agent::to_json(r);
}

remote::EventHandler progress_events(const runtime::ProgressFn& progress) {
    return [progress](const json& event) {
        if (progress && event.value("event", "") == "progress") progress(event.value("done", 0L), event.value("total", 0L));
    };
}

}  // namespace

json evaluate_on(remote::AgentConnection& c, const runtime::EvaluateOptions& o, const runtime::ProgressFn& progress,
                 const std::atomic<bool>* cancel) {
    return c.call("evaluate", evaluate_fields(o, [&] { return describe_on(c, o.weights); }), progress_events(progress), cancel);
}

json evaluate_on_device(const remote::ConnectOptions& target, const runtime::EvaluateOptions& o,
                        const runtime::ProgressFn& progress, const std::atomic<bool>* cancel, bool detach,
                        bool cancel_on_interrupt) {
    const json fields = evaluate_fields(o, [&] {
        return model_from_json(
            run_on_device(target, [&](remote::AgentConnection& c, int) { return to_json(describe_on(c, o.weights)); }, cancel),
            "/model");
    });
    DeviceJob job{"evaluate", fields, progress_events(progress)};
    job.detach = detach;
    job.cancel_on_interrupt = cancel_on_interrupt;
    job.quiet = true;
    return run_job_on_device(target, job, cancel);
}

json evaluate_as_batch_job(const remote::ConnectOptions& target, const runtime::EvaluateOptions& o) {
    // The weights are paths on the cluster's shared storage: the login side's agent reads their
    // card, so an unpruned evaluation waits for no allocation before it is queued.
    return submit_batch_session_made(target, "evaluate", [&](remote::AgentConnection& login_side) {
        return evaluate_fields(o, [&] { return describe_on(login_side, o.weights); });
    });
}

runtime::EvaluateResult evaluate_result_from_json(const json& result) {
    runtime::EvaluateResult out;
    out.top1 = result.value("top1", 0.0);
    out.top5 = result.value("top5", 0.0);
    out.images = result.value("images", 0L);
    out.cancelled = result.value("cancelled", false);
    out.dataset = result.value("dataset", std::string());
    out.method = result.value("method", std::string());
    out.seconds = result.value("seconds", 0.0);
    if (result.contains("threads") && result["threads"].is_object()) {  // agents since issue 30
        const auto& t = result["threads"];
        out.threads.intra_op = t.value("intra_op", 0);
        out.threads.inter_op = t.value("inter_op", 0);
        out.threads.blas = t.value("blas", -1);
    }
    return out;
}

void require_local_file(const std::string& path, const char* option) {
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec))
        throw CommandError(std::string(option) + ": File does not exist: " + path);
}

}  // namespace tp::cli
