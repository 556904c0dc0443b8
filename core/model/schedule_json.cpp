#include "core/model/schedule_json.h"

#include "core/model/profile_json.h"
#include "core/util/input_limits.h"
#include "core/util/json_reader.h"

namespace tp {

using nlohmann::json;

json to_json(const Schedule& s) {
    json params = json::object();
    for (const auto& [k, v] : s.parameters) params[k] = v;
    json measurements = json::array();
    for (const auto& m : s.measurements)
        measurements.push_back({{"kind", m.kind},       {"value", m.value},    {"low", m.low},
                                {"high", m.high},       {"device", m.device},  {"dataset", m.dataset},
                                {"images", m.images},   {"date", m.date},      {"tool_version", m.tool_version}});
    json j = {{"format", "tailprune-schedule"},
              {"format_version", s.format_version},
              {"name", s.name},
              {"notes", s.notes},
              {"method", s.method},
              {"parameters", params},
              {"tokens_after_block", s.tokens_after_block},
              {"model", to_json(s.model)},
              {"measurements", measurements},
              {"author", s.author},
              {"status", s.status},
              {"revision", s.revision},
              {"created", s.created},
              {"updated", s.updated}};
    if (!s.device.name.empty()) j["device"] = to_json(s.device);
    if (s.predicted_latency)
        j["predicted_latency"] = {{"latency_ms", s.predicted_latency->latency_ms},
                                  {"low_ms", s.predicted_latency->low_ms},
                                  {"high_ms", s.predicted_latency->high_ms}};
    return j;
}

Schedule schedule_from_json(const json& doc) {
    JsonReader r(doc, "");
    r.only_keys({"format", "format_version", "name", "notes", "method", "parameters", "tokens_after_block", "model",
                 "device", "predicted_latency", "measurements", "author", "status", "revision", "created", "updated"});
    if (r.str("format") != "tailprune-schedule")
        r.fail("format", "not a TailPrune schedule (format is '" + r.str("format") + "')");
    Schedule s;
    s.format_version = static_cast<int>(r.integer("format_version"));
    if (s.format_version > Schedule::kFormatVersion || s.format_version < 1)
        r.fail("format_version", "unsupported version " + std::to_string(s.format_version));
    s.name = r.str_or("name", "");
    s.notes = r.str_or("notes", "");
    s.method = r.str("method");
    if (auto params = r.opt_object("parameters")) {
        for (auto it = params->node().begin(); it != params->node().end(); ++it) {
            if (!it->is_number()) params->fail(it.key(), "method parameters must be numbers");
            s.parameters[it.key()] = it->get<double>();
        }
    }
    const json& tokens = r.array("tokens_after_block");
    for (std::size_t i = 0; i < tokens.size(); ++i) {
        // Range-checked before get<int>(): 4294967297 would silently become 1.
        if (!tokens[i].is_number_integer() || tokens[i].get<long long>() < 0 || tokens[i].get<long long>() > limits::kTokens)
            throw FormatError("/tokens_after_block/" + std::to_string(i),
                              "expected an integer token count (0.." + std::to_string(limits::kTokens) + ")");
        s.tokens_after_block.push_back(tokens[i].get<int>());
    }
    s.model = model_from_json(r.object("model").node(), "/model");
    if (r.has("device")) s.device = device_from_json(r.object("device").node(), "/device");
    if (auto p = r.opt_object("predicted_latency")) {
        p->only_keys({"latency_ms", "low_ms", "high_ms"});
        s.predicted_latency = LatencyPrediction{p->num("latency_ms"), p->num_or("low_ms", p->num("latency_ms")),
                                              p->num_or("high_ms", p->num("latency_ms"))};
    }
    if (const json* ms = r.opt_array("measurements")) {
        for (std::size_t i = 0; i < ms->size(); ++i) {
            JsonReader m((*ms)[i], "/measurements/" + std::to_string(i));
            m.only_keys({"kind", "value", "low", "high", "device", "dataset", "images", "date", "tool_version"});
            Measurement x;
            x.kind = m.str("kind");
            if (x.kind != "latency" && x.kind != "top1" && x.kind != "top5")
                m.fail("kind", "must be latency, top1 or top5");
            x.value = m.num("value");
            x.low = m.num_or("low", x.value);
            x.high = m.num_or("high", x.value);
            x.device = m.str_or("device", "");
            x.dataset = m.str_or("dataset", "");
            x.images = static_cast<int>(m.integer_or("images", 0));
            x.date = m.str_or("date", "");
            x.tool_version = m.str_or("tool_version", "");
            s.measurements.push_back(x);
        }
    }
    s.author = r.str_or("author", "");
    s.status = r.str_or("status", "draft");
    s.revision = static_cast<int>(r.integer_or("revision", 0));
    s.created = r.str_or("created", "");
    s.updated = r.str_or("updated", "");
    validate(s);
    return s;
}

Schedule parse_schedule(const std::string& text, const std::string& source) {
    json doc = parse_json_text(text, source);
    try {
        return schedule_from_json(doc);
    } catch (const FormatError& e) {
        rethrow_with_line(e, text, source);
    }
}

Schedule load_schedule(const std::string& path) { return parse_schedule(read_text_file(path), path); }

void save_schedule(const Schedule& schedule, const std::string& path) {
    write_text_file_atomically(path, to_json(schedule).dump(2) + "\n");
}

}  // namespace tp
