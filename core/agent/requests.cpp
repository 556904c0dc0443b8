#include "core/agent/requests.h"

#include <cctype>

#include "core/util/format_error.h"
#include "core/model/profile_json.h"
#include "core/model/schedule_json.h"
#include "core/util/json_reader.h"

namespace tp::agent {

using nlohmann::json;

namespace {

int int_in(const JsonReader& r, const char* key, int fallback, long long lo, long long hi) {
    if (!r.has(key)) return fallback;
    long long v = r.integer(key);
    if (v < lo || v > hi) r.fail(key, "out of range (" + std::to_string(lo) + ".." + std::to_string(hi) + ")");
    return static_cast<int>(v);
}

double positive_or(const JsonReader& r, const char* key, double fallback) {
    double v = r.num_or(key, fallback);
    if (!(v > 0)) r.fail(key, "must be positive");
    return v;
}

ModelChoice read_model(const JsonReader& r) {
    ModelChoice m;
    m.preset = r.str_or("model", "");
    m.weights = r.str_or("weights", "");
    if (m.preset.empty() == m.weights.empty())
        throw FormatError("/model", "give exactly one of \"model\" (a preset name) or \"weights\" (a file)");
    return m;
}

TimingSpec read_timing(const JsonReader& r) {
    TimingSpec t;
    t.device = r.str_or("device", t.device);
    t.dtype = r.str_or("dtype", t.dtype);
    t.batch = int_in(r, "batch", t.batch, 1, 4096);
    t.mode = r.str_or("mode", "");
    t.l2 = r.str_or("l2", t.l2);
    t.warmup = int_in(r, "warmup", t.warmup, 0, 100000);
    t.rounds = int_in(r, "rounds", t.rounds, 1, 1000);
    t.threads = int_in(r, "threads", t.threads, 1, 4096);
    if (auto s = r.opt_object("stopping")) {
        t.stopping.min_samples = int_in(*s, "min_samples", t.stopping.min_samples, 2, 100000000);
        t.stopping.min_time_s = s->num_or("min_time_s", t.stopping.min_time_s);
        if (t.stopping.min_time_s < 0) s->fail("min_time_s", "must not be negative");
        t.stopping.target_rel_noise = positive_or(*s, "target_rel_noise", t.stopping.target_rel_noise);
        t.stopping.timeout_s = positive_or(*s, "timeout_s", t.stopping.timeout_s);
    }
    validate(t);
    return t;
}

Schedule read_schedule(const JsonReader& r) {
    if (r.has("schedule")) return schedule_from_json(r.node()["schedule"]);
    std::string path = r.str_or("schedule_path", "");
    if (path.empty()) throw FormatError("/schedule", "give \"schedule\" (a schedule object) or \"schedule_path\"");
    return load_schedule(path);
}

}  // namespace

int cuda_index(const std::string& device) {
    if (device == "cpu") return -1;
    if (device == "cuda") return 0;
    if (device.rfind("cuda:", 0) == 0 && device.size() > 5 && device.size() < 9) {
        std::string n = device.substr(5);
        bool digits = true;
        for (char c : n) digits = digits && std::isdigit(static_cast<unsigned char>(c));
        if (digits) return std::stoi(n);
    }
    throw FormatError("device", "unknown device '" + device + "' (cpu, cuda or cuda:N)");
}

std::string effective_mode(const TimingSpec& t) {
    if (!t.mode.empty()) return t.mode;
    return cuda_index(t.device) < 0 ? "cpu" : "graph";
}

void validate(const TimingSpec& t) {
    const bool cuda = cuda_index(t.device) >= 0;
    if (t.dtype != "fp32" && t.dtype != "fp16" && t.dtype != "bf16")
        throw FormatError("dtype", "unknown dtype '" + t.dtype + "' (fp32, fp16, bf16)");
    const std::string mode = effective_mode(t);
    if (cuda && mode != "graph" && mode != "eager")
        throw FormatError("mode", "mode '" + mode + "' does not fit a CUDA device (graph or eager)");
    if (!cuda && mode != "cpu") throw FormatError("mode", "mode '" + mode + "' does not fit the CPU (cpu)");
    if (t.l2 != "warm" && t.l2 != "cold") throw FormatError("l2", "must be warm or cold");
    if (t.l2 == "cold" && !cuda) throw FormatError("l2", "cold-L2 timing needs a CUDA device");
    if (!cuda && t.dtype == "fp16") throw FormatError("dtype", "fp16 on the CPU is not supported by LibTorch's kernels");
    if (t.batch < 1) throw FormatError("batch", "must be at least 1");
    if (t.rounds < 1) throw FormatError("rounds", "must be at least 1");
    if (t.stopping.min_samples < 2) throw FormatError("stopping.min_samples", "must be at least 2");
    if (!(t.stopping.target_rel_noise > 0)) throw FormatError("stopping.target_rel_noise", "must be positive");
    if (!(t.stopping.timeout_s > 0)) throw FormatError("stopping.timeout_s", "must be positive");
}

ProfileRequest profile_request_from_json(const json& body) {
    JsonReader r(body, "");
    ProfileRequest p;
    p.model = read_model(r);
    p.timing = read_timing(r);
    if (const json* scopes = r.opt_array("scopes")) {
        p.scopes.clear();
        for (std::size_t i = 0; i < scopes->size(); ++i) {
            if (!(*scopes)[i].is_string()) throw FormatError("/scopes/" + std::to_string(i), "expected a scope string");
            p.scopes.push_back(parse_scope((*scopes)[i].get<std::string>()));
        }
        if (p.scopes.empty()) throw FormatError("/scopes", "needs at least one scope");
    }
    if (r.has("tokens")) {
        const json& t = body["tokens"];
        if (t.is_string()) {
            p.tokens = t.get<std::string>();
        } else if (t.is_array()) {
            p.tokens.clear();
            for (std::size_t i = 0; i < t.size(); ++i) {
                if (!t[i].is_number_integer()) throw FormatError("/tokens/" + std::to_string(i), "expected an integer");
                p.tokens += (i ? "," : "") + std::to_string(t[i].get<long long>());
            }
        } else {
            throw FormatError("/tokens", "expected a token spec string (\"1..197:4\") or an array of counts");
        }
    }
    p.coarse_step = int_in(r, "coarse_step", 0, 0, 100000);
    p.chunk = int_in(r, "chunk", p.chunk, 0, 100000000);
    p.seed = static_cast<std::uint64_t>(r.integer_or("seed", 1));
    p.shuffle = r.boolean_or("shuffle", true);
    p.census = r.boolean_or("census", true);
    p.output = r.str_or("output", "");
    if (r.has("resume")) {
        p.resume = profile_from_json(body["resume"]);
        validate(*p.resume);
    } else if (r.has("resume_path")) {
        p.resume = load_profile(r.str("resume_path"));
    }
    return p;
}

MeasureRequest measure_request_from_json(const json& body) {
    JsonReader r(body, "");
    MeasureRequest m;
    m.model = read_model(r);
    m.timing = read_timing(r);
    m.schedule = read_schedule(r);
    validate(m.schedule);
    // A schedule is for a dtype and batch: they are the measurement's unless the request says otherwise.
    if (!body.contains("dtype") && !m.schedule.model.dtype.empty()) m.timing.dtype = m.schedule.model.dtype;
    if (!body.contains("batch") && m.schedule.model.batch > 0) m.timing.batch = m.schedule.model.batch;
    validate(m.timing);
    m.baseline = r.boolean_or("baseline", true);
    return m;
}

EvaluateRequest evaluate_request_from_json(const json& body) {
    JsonReader r(body, "");
    EvaluateRequest e;
    e.model = read_model(r);
    e.schedule = read_schedule(r);
    validate(e.schedule);
    e.dataset = r.str_or("dataset", e.dataset);
    e.split = r.str_or("split", e.split);
    e.limit = int_in(r, "limit", 0, 0, 100000000);
    e.batch = int_in(r, "batch", e.batch, 1, 4096);
    e.device = r.str_or("device", e.device);
    cuda_index(e.device);
    if (r.has("seed")) {
        const long long seed = r.integer("seed");
        if (seed < 0) r.fail("seed", "must not be negative");
        e.seed = static_cast<std::uint64_t>(seed);
    }
    e.data_dir = r.str_or("data_dir", "");
    e.threads = int_in(r, "threads", 0, 0, 4096);
    e.dtype = r.str_or("dtype", e.dtype);
    if (e.dtype != "fp32" && e.dtype != "fp16" && e.dtype != "bf16") r.fail("dtype", "must be fp32, fp16 or bf16");
    e.method = r.str_or("method", "");
    return e;
}

}  // namespace tp::agent
