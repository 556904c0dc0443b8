#include "core/agent/requests.h"
#include "core/model/profile_json.h"
#include "core/model/schedule_json.h"

namespace tp::agent {

using nlohmann::json;

namespace {

void put_model(json& out, const ModelChoice& m) {
    if (!m.weights.empty()) out["weights"] = m.weights;
    else out["model"] = m.preset;
}

void put_timing(json& out, const TimingSpec& t) {
    out["device"] = t.device;
    out["dtype"] = t.dtype;
    out["batch"] = t.batch;
    if (!t.mode.empty()) out["mode"] = t.mode;
    out["l2"] = t.l2;
    out["warmup"] = t.warmup;
    out["rounds"] = t.rounds;
    out["threads"] = t.threads;
    out["stopping"] = {{"min_samples", t.stopping.min_samples},
                       {"min_time_s", t.stopping.min_time_s},
                       {"target_rel_noise", t.stopping.target_rel_noise},
                       {"timeout_s", t.stopping.timeout_s}};
}

}  // namespace

json to_json(const ProfileRequest& r) {
    json out = json::object();
    put_model(out, r.model);
    put_timing(out, r.timing);
    json scopes = json::array();
    for (const auto& s : r.scopes) scopes.push_back(to_string(s));
    out["scopes"] = scopes;
    out["tokens"] = r.tokens;
    out["coarse_step"] = r.coarse_step;
    out["chunk"] = r.chunk;
    out["seed"] = r.seed;
    out["shuffle"] = r.shuffle;
    out["census"] = r.census;
    if (r.resume) out["resume"] = tp::to_json(*r.resume);
    return out;
}

json to_json(const MeasureRequest& r) {
    json out = json::object();
    put_model(out, r.model);
    put_timing(out, r.timing);
    out["schedule"] = tp::to_json(r.schedule);
    out["baseline"] = r.baseline;
    return out;
}

json to_json(const EvaluateRequest& r) {
    json out = json::object();
    put_model(out, r.model);
    out["schedule"] = tp::to_json(r.schedule);
    out["dataset"] = r.dataset;
    out["split"] = r.split;
    out["limit"] = r.limit;
    out["device"] = r.device;
    out["batch"] = r.batch;
    if (r.seed) out["seed"] = *r.seed;
    if (!r.data_dir.empty()) out["data_dir"] = r.data_dir;
    if (r.threads) out["threads"] = r.threads;
    out["dtype"] = r.dtype;
    if (!r.method.empty()) out["method"] = r.method;
    return out;
}

}  // namespace tp::agent
