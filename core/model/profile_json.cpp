#include "core/model/profile_json.h"

#include "core/model/clock_flags.h"

#include "core/util/input_limits.h"
#include "core/util/json_reader.h"

namespace tp {

using nlohmann::json;

namespace {

json optional_number(const std::optional<double>& v) { return v ? json(*v) : json(nullptr); }

json string_map(const std::map<std::string, std::string>& m) {
    json out = json::object();
    for (const auto& [k, v] : m) out[k] = v;
    return out;
}

std::map<std::string, std::string> read_string_map(const JsonReader& parent, const char* key) {
    std::map<std::string, std::string> out;
    if (!parent.has(key)) return out;
    JsonReader r = parent.object(key);
    for (auto it = r.node().begin(); it != r.node().end(); ++it) {
        if (!it->is_string()) throw FormatError(r.child_path(it.key()), "expected a string");
        out[it.key()] = it->get<std::string>();
    }
    return out;
}

int read_int(const JsonReader& r, const char* key, long long lo, long long hi) {
    long long v = r.integer(key);
    if (v < lo || v > hi) r.fail(key, "out of range (" + std::to_string(lo) + ".." + std::to_string(hi) + ")");
    return static_cast<int>(v);
}
int read_int_or(const JsonReader& r, const char* key, int fallback, long long lo, long long hi) {
    return r.has(key) ? read_int(r, key, lo, hi) : fallback;
}

Scope read_scope(const JsonReader& r) {
    r.only_keys({"kind", "block", "method", "tokens_in", "part"});
    Scope s;
    auto kind = scope_kind_from_string(r.str("kind"));
    if (!kind) r.fail("kind", "unknown scope kind '" + r.str("kind") + "'");
    s.kind = *kind;
    s.block = read_int_or(r, "block", -1, -1, 100000);
    s.method = r.str_or("method", "");
    s.tokens_in = read_int_or(r, "tokens_in", 0, 0, limits::kTokens);
    s.part = r.str_or("part", "");
    if (s.kind == ScopeKind::PruneOp && (s.method.empty() || s.tokens_in <= 0 || s.block < 0))
        r.fail("kind", "a prune scope needs method, block and tokens_in");
    if (s.kind == ScopeKind::Fixed && s.part != "embed" && s.part != "head") r.fail("part", "must be embed or head");
    if ((s.kind == ScopeKind::Block || s.kind == ScopeKind::Attention || s.kind == ScopeKind::Mlp ||
         s.kind == ScopeKind::Deployed) && s.block < 0)
        r.fail("block", "this scope kind needs a block index");
    return s;
}

json scope_json(const Scope& s) {
    json j = {{"kind", to_string(s.kind)}};
    if (s.block >= 0) j["block"] = s.block;
    if (!s.method.empty()) j["method"] = s.method;
    if (s.tokens_in > 0) j["tokens_in"] = s.tokens_in;
    if (!s.part.empty()) j["part"] = s.part;
    return j;
}

CurvePoint read_point(const JsonReader& r) {
    r.only_keys({"tokens", "samples", "median_ms", "mean_ms", "p10_ms", "p90_ms", "min_ms", "rel_noise",
                 "stop_reason", "raw_ms", "discarded", "sm_clock_mhz", "temperature_c", "power_w", "cpu_mhz",
                 "gpu_mhz", "gpu_min_mhz", "gpu_max_mhz", "gpu_load", "hottest_c", "over_trip"});
    CurvePoint p;
    p.tokens = read_int(r, "tokens", 1, limits::kTokens);
    p.median_ms = r.num("median_ms");
    p.samples = read_int_or(r, "samples", 0, 0, 1LL << 40);
    p.mean_ms = r.num_or("mean_ms", p.median_ms);
    p.p10_ms = r.num_or("p10_ms", p.median_ms);
    p.p90_ms = r.num_or("p90_ms", p.median_ms);
    p.min_ms = r.num_or("min_ms", p.p10_ms);
    p.rel_noise = r.num_or("rel_noise", 0);
    p.stop_reason = r.str_or("stop_reason", "");
    p.discarded = read_int_or(r, "discarded", 0, 0, 1LL << 40);
    if (const json* raw = r.opt_array("raw_ms")) {
        for (std::size_t i = 0; i < raw->size(); ++i) {
            if (!(*raw)[i].is_number()) throw FormatError(r.child_path("raw_ms/" + std::to_string(i)), "expected a number");
            p.raw_ms.push_back((*raw)[i].get<double>());
        }
    }
    p.sm_clock_mhz = r.opt_num("sm_clock_mhz");
    p.temperature_c = r.opt_num("temperature_c");
    p.power_w = r.opt_num("power_w");
    p.cpu_mhz = r.opt_num("cpu_mhz");
    p.gpu_mhz = r.opt_num("gpu_mhz");
    p.gpu_min_mhz = r.opt_num("gpu_min_mhz");
    p.gpu_max_mhz = r.opt_num("gpu_max_mhz");
    p.gpu_load = r.opt_num("gpu_load");
    p.hottest_c = r.opt_num("hottest_c");
    p.over_trip = r.str_or("over_trip", "");
    return p;
}

json point_json(const CurvePoint& p) {
    json j = {{"tokens", p.tokens},   {"samples", p.samples}, {"median_ms", p.median_ms}, {"mean_ms", p.mean_ms},
              {"p10_ms", p.p10_ms},   {"p90_ms", p.p90_ms},   {"min_ms", p.min_ms},       {"rel_noise", p.rel_noise}};
    if (!p.stop_reason.empty()) j["stop_reason"] = p.stop_reason;
    if (!p.raw_ms.empty()) j["raw_ms"] = p.raw_ms;
    if (p.discarded) j["discarded"] = p.discarded;
    if (p.sm_clock_mhz) j["sm_clock_mhz"] = *p.sm_clock_mhz;
    if (p.temperature_c) j["temperature_c"] = *p.temperature_c;
    if (p.power_w) j["power_w"] = *p.power_w;
    if (p.cpu_mhz) j["cpu_mhz"] = *p.cpu_mhz;
    if (p.gpu_mhz) j["gpu_mhz"] = *p.gpu_mhz;
    if (p.gpu_min_mhz) j["gpu_min_mhz"] = *p.gpu_min_mhz;
    if (p.gpu_max_mhz) j["gpu_max_mhz"] = *p.gpu_max_mhz;
    if (p.gpu_load) j["gpu_load"] = *p.gpu_load;
    if (p.hottest_c) j["hottest_c"] = *p.hottest_c;
    if (!p.over_trip.empty()) j["over_trip"] = p.over_trip;
    return j;
}

MeasurementSettings read_settings(const JsonReader& r) {
    r.only_keys({"mode", "l2", "warmup", "rounds", "stopping", "torch_threads", "blas_threads", "date",
                 "tool_version", "who", "environment"});
    MeasurementSettings s;
    s.mode = r.str("mode");
    if (s.mode != "graph" && s.mode != "eager" && s.mode != "cpu") r.fail("mode", "must be graph, eager or cpu");
    s.l2 = r.str_or("l2", "warm");
    if (s.l2 != "warm" && s.l2 != "cold") r.fail("l2", "must be warm or cold");
    s.warmup = read_int_or(r, "warmup", 0, 0, 1000000);
    s.rounds = read_int_or(r, "rounds", 1, 1, 1000);
    if (auto st = r.opt_object("stopping")) {
        st->only_keys({"min_samples", "min_time_s", "target_rel_noise", "timeout_s"});
        s.stopping.min_samples = read_int_or(*st, "min_samples", s.stopping.min_samples, 1, 1000000000);
        s.stopping.min_time_s = st->num_or("min_time_s", s.stopping.min_time_s);
        s.stopping.target_rel_noise = st->num_or("target_rel_noise", s.stopping.target_rel_noise);
        s.stopping.timeout_s = st->num_or("timeout_s", s.stopping.timeout_s);
    }
    s.torch_threads = read_int_or(r, "torch_threads", 0, 0, 4096);
    s.blas_threads = read_int_or(r, "blas_threads", 0, 0, 4096);
    s.date = r.str_or("date", "");
    s.tool_version = r.str_or("tool_version", "");
    s.who = r.str_or("who", "");
    s.environment = read_string_map(r, "environment");
    return s;
}

json settings_json(const MeasurementSettings& s) {
    return {{"mode", s.mode},
            {"l2", s.l2},
            {"warmup", s.warmup},
            {"rounds", s.rounds},
            {"stopping",
             {{"min_samples", s.stopping.min_samples},
              {"min_time_s", s.stopping.min_time_s},
              {"target_rel_noise", s.stopping.target_rel_noise},
              {"timeout_s", s.stopping.timeout_s}}},
            {"torch_threads", s.torch_threads},
            {"blas_threads", s.blas_threads},
            {"date", s.date},
            {"tool_version", s.tool_version},
            {"who", s.who},
            {"environment", string_map(s.environment)}};
}

}  // namespace

json to_json(const DeviceInfo& d) {
    return {{"name", d.name},
            {"kind", d.kind},
            {"host", d.host},
            {"sm_count", d.sm_count},
            {"memory_gb", d.memory_gb},
            {"sm_clock_mhz", d.sm_clock_mhz},
            {"mem_clock_mhz", d.mem_clock_mhz},
            {"l2_bytes", d.l2_bytes},
            {"driver_version", d.driver_version},
            {"runtime_version", d.runtime_version},
            {"torch_version", d.torch_version},
            {"blas", d.blas},
            {"tf32", d.tf32},
            {"attention_backend", d.attention_backend},
            {"extra", string_map(d.extra)}};
}

MeasurementSettings settings_from_json(const nlohmann::json& node, const std::string& path) {
    return read_settings(JsonReader(node, path));
}

DeviceInfo device_from_json(const json& node, const std::string& path) {
    JsonReader r(node, path);
    r.only_keys({"name", "kind", "host", "sm_count", "memory_gb", "sm_clock_mhz", "mem_clock_mhz", "l2_bytes",
                 "driver_version", "runtime_version", "torch_version", "blas", "tf32", "attention_backend", "extra"});
    DeviceInfo d;
    d.name = r.str("name");
    if (d.name.empty()) r.fail("name", "must not be empty");
    d.kind = r.str("kind");
    if (d.kind != "cpu" && d.kind != "cuda") r.fail("kind", "must be 'cpu' or 'cuda', found '" + d.kind + "'");
    d.host = r.str_or("host", "local");
    d.sm_count = read_int_or(r, "sm_count", 0, 0, 1000000);
    d.memory_gb = r.num_or("memory_gb", 0);
    d.sm_clock_mhz = r.num_or("sm_clock_mhz", 0);
    d.mem_clock_mhz = r.num_or("mem_clock_mhz", 0);
    d.l2_bytes = r.integer_or("l2_bytes", 0);
    d.driver_version = r.str_or("driver_version", "");
    d.runtime_version = r.str_or("runtime_version", "");
    d.torch_version = r.str_or("torch_version", "");
    d.blas = r.str_or("blas", "");
    d.tf32 = r.boolean_or("tf32", false);
    d.attention_backend = r.str_or("attention_backend", "");
    d.extra = read_string_map(r, "extra");
    return d;
}

json to_json(const ModelInfo& m) {
    return {{"name", m.name},         {"architecture", m.architecture},
            {"depth", m.depth},       {"embed_dim", m.embed_dim},
            {"heads", m.heads},       {"mlp_ratio", m.mlp_ratio_x100 / 100.0},
            {"patch", m.patch},       {"image_size", m.image_size},
            {"channels", m.channels}, {"num_classes", m.num_classes},
            {"tokens", m.tokens},     {"dtype", m.dtype},
            {"batch", m.batch},       {"weights_hash", m.weights_hash}};
}

ModelInfo model_from_json(const json& node, const std::string& path) {
    JsonReader r(node, path);
    r.only_keys({"name", "architecture", "depth", "embed_dim", "heads", "mlp_ratio", "patch", "image_size",
                 "channels", "num_classes", "tokens", "dtype", "batch", "weights_hash"});
    ModelInfo m;
    m.name = r.str("name");
    if (m.name.empty()) r.fail("name", "must not be empty");
    m.architecture = r.str_or("architecture", "vit");
    m.depth = read_int(r, "depth", 1, limits::kModelDepth);
    m.embed_dim = read_int(r, "embed_dim", 1, limits::kEmbedDim);
    m.heads = read_int(r, "heads", 1, limits::kHeads);
    if (m.embed_dim % m.heads != 0) r.fail("heads", "embed_dim must be divisible by heads");
    double ratio = r.num_or("mlp_ratio", 4.0);
    if (ratio <= 0 || ratio > 64) r.fail("mlp_ratio", "out of range");
    m.mlp_ratio_x100 = static_cast<int>(ratio * 100 + 0.5);
    m.patch = read_int_or(r, "patch", 16, 1, limits::kImageSide);
    m.image_size = read_int_or(r, "image_size", 224, 1, limits::kImageSide);
    m.channels = read_int_or(r, "channels", 3, 1, 1000);
    m.num_classes = read_int_or(r, "num_classes", 1000, 1, limits::kClasses);
    m.tokens = read_int(r, "tokens", 1, limits::kTokens);
    m.dtype = r.str_or("dtype", "fp32");
    if (m.dtype != "fp32" && m.dtype != "fp16" && m.dtype != "bf16") r.fail("dtype", "must be fp32, fp16 or bf16");
    m.batch = read_int_or(r, "batch", 1, 1, 1000000);
    m.weights_hash = r.str_or("weights_hash", "");
    return m;
}

json to_json(const Curve& c) {
    json points = json::array();
    for (const auto& p : c.points) points.push_back(point_json(p));
    return {{"name", c.name}, {"scope", scope_json(c.scope)}, {"partial", c.partial}, {"points", points}};
}

Curve curve_from_json(const json& node, const std::string& path) {
    JsonReader r(node, path);
    r.only_keys({"name", "scope", "partial", "points"});
    Curve c;
    c.scope = read_scope(r.object("scope"));
    c.name = r.str_or("name", to_string(c.scope));
    c.partial = r.boolean_or("partial", false);
    const json& points = r.array("points");
    for (std::size_t i = 0; i < points.size(); ++i)
        c.points.push_back(read_point(JsonReader(points[i], r.child_path("points/" + std::to_string(i)))));
    try {
        normalise_and_check(c);
    } catch (const FormatError& e) {
        throw FormatError(r.child_path("points"), e.what());
    }
    return c;
}

json to_json(const Profile& p) {
    json curves = json::array();
    for (const auto& c : p.curves) curves.push_back(to_json(c));
    json census = json::array();
    for (const auto& k : p.census) {
        json kernels = json::array();
        for (const auto& l : k.kernels)
            kernels.push_back({{"name", l.name}, {"grid", l.grid}, {"block", l.block}, {"duration_us", l.duration_us}});
        census.push_back({{"curve", k.curve}, {"tokens", k.tokens}, {"kernels", kernels}});
    }
    json j = {{"format", "tailprune-profile"},
              {"format_version", p.format_version},
              {"id", p.id},
              {"device", to_json(p.device)},
              {"model", to_json(p.model)},
              {"settings", settings_json(p.settings)},
              {"curves", curves},
              {"notes", p.notes}};
    if (!p.census.empty()) j["census"] = census;
    if (!p.clock_flags.empty()) {
        json flags = json::array();
        for (const auto& f : p.clock_flags) flags.push_back({{"kind", f.kind}, {"message", f.message}});
        j["clock_flags"] = flags;
    }
    return j;
}

Profile profile_from_json(const json& doc) {
    JsonReader r(doc, "");
    r.only_keys({"format", "format_version", "id", "device", "model", "settings", "curves", "census", "clock_flags",
                 "notes"});
    if (r.str("format") != "tailprune-profile")
        r.fail("format", "not a TailPrune profile (format is '" + r.str("format") + "')");
    Profile p;
    p.format_version = static_cast<int>(r.integer("format_version"));
    if (p.format_version > Profile::kFormatVersion || p.format_version < 1)
        r.fail("format_version", "unsupported version " + std::to_string(p.format_version) +
                                     " (this build reads version " + std::to_string(Profile::kFormatVersion) + ")");
    p.id = r.str_or("id", "");
    p.device = device_from_json(r.object("device").node(), "/device");
    p.model = model_from_json(r.object("model").node(), "/model");
    p.settings = read_settings(r.object("settings"));
    const json& curves = r.array("curves");
    for (std::size_t i = 0; i < curves.size(); ++i)
        p.curves.push_back(curve_from_json(curves[i], "/curves/" + std::to_string(i)));
    if (const json* census = r.opt_array("census")) {
        for (std::size_t i = 0; i < census->size(); ++i) {
            JsonReader c((*census)[i], "/census/" + std::to_string(i));
            c.only_keys({"curve", "tokens", "kernels"});
            KernelCensus k;
            k.curve = c.str("curve");
            k.tokens = static_cast<int>(c.integer("tokens"));
            const json& kernels = c.array("kernels");
            for (std::size_t j = 0; j < kernels.size(); ++j) {
                JsonReader l(kernels[j], c.child_path("kernels/" + std::to_string(j)));
                l.only_keys({"name", "grid", "block", "duration_us"});
                k.kernels.push_back({l.str("name"), l.integer_or("grid", 0), l.integer_or("block", 0),
                                     l.num_or("duration_us", 0)});
            }
            p.census.push_back(std::move(k));
        }
    }
    p.notes = r.str_or("notes", "");
    if (const json* flags = r.opt_array("clock_flags")) {
        for (std::size_t i = 0; i < flags->size(); ++i) {
            JsonReader f((*flags)[i], "/clock_flags/" + std::to_string(i));
            f.only_keys({"kind", "message"});
            ClockFlag flag{f.str("kind"), f.str("message")};
            if (flag.kind.empty()) f.fail("kind", "must not be empty");
            p.clock_flags.push_back(std::move(flag));
        }
    } else {
        p.clock_flags = compute_clock_flags(p);  // files from before issue 22: judged from their points
    }
    validate(p);
    return p;
}

Profile parse_profile(const std::string& text, const std::string& source) {
    json doc = parse_json_text(text, source);
    try {
        return profile_from_json(doc);
    } catch (const FormatError& e) {
        rethrow_with_line(e, text, source);
    }
}

Profile load_profile(const std::string& path) { return parse_profile(read_text_file(path), path); }

void save_profile(const Profile& profile, const std::string& path) {
    write_text_file_atomically(path, to_json(profile).dump(1) + "\n");
}

}  // namespace tp
