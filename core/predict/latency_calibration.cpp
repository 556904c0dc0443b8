#include "core/predict/latency_calibration.h"

#include <sys/stat.h>

#include <algorithm>
#include <cmath>
#include <filesystem>

#include "core/model/machine_identity_json.h"
#include "core/model/scope.h"
#include "core/util/format_error.h"
#include "core/util/median.h"
#include "core/util/input_limits.h"
#include "core/util/json_reader.h"

namespace tp {

std::vector<double> relative_errors(const LatencyPredictor& predictor, const std::vector<MeasuredSchedule>& entries) {
    std::vector<double> errors;
    errors.reserve(entries.size());
    for (const auto& e : entries) {
        if (static_cast<int>(e.tokens_after_block.size()) != predictor.depth()) continue;
        double predicted = predictor.predict_ms(e.tokens_after_block, e.method);
        if (predicted > 0 && e.measured_ms > 0) errors.push_back(e.measured_ms / predicted - 1.0);
    }
    return errors;
}

namespace {

// Conservative order statistics: the band holds a new measurement with at least `coverage`.
LatencyBand band_from_errors(std::vector<double> errors, double coverage, const LatencyBand& fallback) {
    const int k = static_cast<int>(errors.size());
    if (k < kMinCalibrationSamples) return fallback;
    std::sort(errors.begin(), errors.end());
    const double tail = (1.0 - std::clamp(coverage, 0.5, 0.999)) / 2.0;
    int lo = static_cast<int>(std::floor((k + 1) * tail + 1e-9)) - 1;
    int hi = static_cast<int>(std::ceil((k + 1) * (1.0 - tail) - 1e-9)) - 1;
    lo = std::clamp(lo, 0, k - 1);
    hi = std::clamp(hi, 0, k - 1);
    LatencyBand band;
    band.low_rel = std::min(errors[static_cast<std::size_t>(lo)], 0.0);
    band.high_rel = std::max(errors[static_cast<std::size_t>(hi)], 0.0);
    band.coverage = coverage;
    band.samples = k;
    band.source = "calibrated";
    return band;
}

}  // namespace

LatencyBand calibrate_band(const LatencyPredictor& predictor, const std::vector<MeasuredSchedule>& entries,
                           double coverage) {
    return band_from_errors(relative_errors(predictor, entries), coverage, predictor.default_band());
}

LatencyBand calibrate_relative_band(const LatencyPredictor& predictor, const std::vector<MeasuredSchedule>& entries,
                                    double coverage) {
    std::vector<double> errors;
    const double predicted_unpruned = predictor.unpruned_ms();
    for (const auto& e : entries) {
        if (e.unpruned_ms <= 0 || static_cast<int>(e.tokens_after_block.size()) != predictor.depth()) continue;
        const double predicted = predictor.predict_ms(e.tokens_after_block, e.method);
        if (predicted > 0 && predicted_unpruned > 0 && e.measured_ms > 0)
            errors.push_back((e.measured_ms / e.unpruned_ms) / (predicted / predicted_unpruned) - 1.0);
    }
    return band_from_errors(std::move(errors), coverage, predictor.default_band());
}

namespace {

// A schedule measured in several rounds counts once: at the median of its rounds, or at its
// fastest round when another round ran more than kSlowSpell slower. A shared host has slow spells
// (session 3: 17 consecutive schedules of one round ran ~50% slow) that the profile's medians do
// not describe and a fit must not learn; but the faster of two ordinary rounds would bias the
// level down by half their disagreement (deit_small here: −2.9% learned where there was −0.3%).
constexpr double kSlowSpell = 0.15;

std::map<std::pair<std::string, std::vector<int>>, double> typical_rounds(const LatencyPredictor& predictor,
                                                                          const std::vector<MeasuredSchedule>& entries) {
    std::map<std::pair<std::string, std::vector<int>>, std::vector<double>> rounds;
    for (const auto& e : entries) {
        if (e.measured_ms <= 0 || static_cast<int>(e.tokens_after_block.size()) != predictor.depth()) continue;
        rounds[std::make_pair(e.method, e.tokens_after_block)].push_back(e.measured_ms);
    }
    std::map<std::pair<std::string, std::vector<int>>, double> typical;
    for (const auto& [key, ms] : rounds) {
        const auto [fastest, slowest] = std::minmax_element(ms.begin(), ms.end());
        typical[key] = *slowest > *fastest * (1 + kSlowSpell) ? *fastest : median(ms);
    }
    return typical;
}

// The prediction without what a calibration record added (host level, method corrections).
double uncalibrated_ms(const LatencyPredictor& p, const std::string& method, const std::vector<int>& tokens, int cuts) {
    return p.predict_ms(tokens, method) / (1.0 + p.record_scale()) - p.method_correction_ms(method, cuts);
}


// Whether a median stands clear of zero: at least two standard errors (the median's, 1.25·σ/√n,
// σ from the median absolute deviation). Five noisy schedules of a method otherwise teach it a
// correction of ±0.5 ms per cut that is only the host's noise.
bool clearly_nonzero(const std::vector<double>& values, double centre) {
    std::vector<double> deviations;
    for (double v : values) deviations.push_back(std::abs(v - centre));
    const double sigma = 1.4826 * median(deviations);
    const double standard_error = 1.2533 * sigma / std::sqrt(double(values.size()));
    return std::abs(centre) > 2.0 * standard_error;
}

}  // namespace

std::map<std::string, LatencyPredictor::MethodCorrection> fit_method_corrections(
    const LatencyPredictor& predictor, const std::vector<MeasuredSchedule>& entries, int min_samples) {
    const auto typical = typical_rounds(predictor, entries);
    std::map<std::string, std::vector<double>> per_cut;
    for (const auto& [key, measured] : typical) {
        const auto& [method, tokens] = key;
        const int cuts = pruning_point_count(tokens, predictor.input_tokens());
        if (cuts == 0) continue;
        const double base = uncalibrated_ms(predictor, method, tokens, cuts);
        per_cut[method].push_back((measured / (1.0 + predictor.record_scale()) - base) / cuts);
    }
    std::map<std::string, LatencyPredictor::MethodCorrection> out;
    for (auto& [method, values] : per_cut) {
        if (static_cast<int>(values.size()) < min_samples) continue;
        const double per_cut = median(values);
        if (!clearly_nonzero(values, per_cut)) continue;
        out[method] = {per_cut, static_cast<int>(values.size())};
    }
    return out;
}

double fit_record_scale(const LatencyPredictor& predictor, const std::vector<MeasuredSchedule>& entries, int min_samples) {
    const auto typical = typical_rounds(predictor, entries);
    if (static_cast<int>(typical.size()) < min_samples) return 0.0;
    std::vector<double> ratios;
    for (const auto& [key, measured] : typical) {
        const int cuts = pruning_point_count(key.second, predictor.input_tokens());
        const double base = uncalibrated_ms(predictor, key.first, key.second, cuts);
        if (base > 0) ratios.push_back(measured / base - 1);
    }
    if (ratios.empty()) return 0.0;
    const double level = median(ratios);
    return clearly_nonzero(ratios, level) ? level : 0.0;
}

void apply_latency_calibration(LatencyPredictor& predictor, const std::vector<MeasuredSchedule>& entries, double coverage) {
    predictor.set_method_corrections({});
    predictor.set_record_scale(0);
    predictor.set_record_scale(fit_record_scale(predictor, entries));
    predictor.set_method_corrections(fit_method_corrections(predictor, entries));
    predictor.set_band(calibrate_band(predictor, entries, coverage));
    predictor.set_relative_band(calibrate_relative_band(predictor, entries, coverage));
}

void check_calibration_fits(const LatencyCalibration& record, const Profile& profile, const std::string& source) {
    if (!record.device.empty() && record.device != profile.device.identity())
        throw FormatError(source + ": /device", "the record belongs to device '" + record.device + "', the profile to '" +
                                                    profile.device.identity() + "'");
    if (!record.model.empty() && record.model != profile.model.name)
        throw FormatError(source + ": /model", "the record is for model '" + record.model + "', the profile for '" +
                                                   profile.model.name + "'");
    for (std::size_t i = 0; i < record.entries.size(); ++i)
        if (static_cast<int>(record.entries[i].tokens_after_block.size()) != profile.model.depth)
            throw FormatError(source + ": /entries/" + std::to_string(i) + "/tokens_after_block",
                              std::to_string(record.entries[i].tokens_after_block.size()) + " blocks, the profile's model has " +
                                  std::to_string(profile.model.depth));
}

namespace {
std::string profile_stem(const std::string& profile_path) {
    std::string stem = profile_path;
    for (const std::string suffix : {".json.gz", ".json"}) {
        if (stem.size() > suffix.size() && stem.compare(stem.size() - suffix.size(), suffix.size(), suffix) == 0) {
            stem.resize(stem.size() - suffix.size());
            break;
        }
    }
    return stem;
}
}  // namespace

std::string machine_calibration_path(const std::string& profile_path, const MachineIdentity& machine) {
    return profile_stem(profile_path) + ".calibration." + machine_key(machine) + ".json";
}

std::vector<std::string> machine_calibration_paths(const std::string& profile_path) {
    const std::filesystem::path stem(profile_stem(profile_path));
    const std::string prefix = stem.filename().string() + ".calibration.";
    std::vector<std::string> paths;
    std::error_code ec;
    const std::filesystem::path dir = stem.has_parent_path() ? stem.parent_path() : std::filesystem::path(".");
    for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
        const std::string name = entry.path().filename().string();
        if (name.size() > prefix.size() + 5 && name.compare(0, prefix.size(), prefix) == 0 &&
            name.compare(name.size() - 5, 5, ".json") == 0 && entry.is_regular_file(ec))
            paths.push_back(entry.path().string());
    }
    std::sort(paths.begin(), paths.end());
    return paths;
}

std::string latency_calibration_path(const std::string& profile_path) {
    const std::string stem = profile_stem(profile_path);
    // The record may be compressed too; a plain one is where a new record is written.
    const std::string plain = stem + ".calibration.json";
    const std::string compressed = plain + ".gz";
    struct stat st {};
    if (::stat(plain.c_str(), &st) != 0 && ::stat(compressed.c_str(), &st) == 0) return compressed;
    return plain;
}

namespace {
constexpr const char* kFormat = "tailprune-latency-calibration";

double positive(const JsonReader& r, const char* key, double max) {
    const double v = r.num(key);
    if (!std::isfinite(v) || !(v > 0) || v > max) r.fail(key, "must be a positive number below " + std::to_string(max));
    return v;
}

RelevelRecord relevel_from_json(const JsonReader& r) {
    r.only_keys({"date", "seconds", "scale", "offset_ms", "op_scale", "points", "drift", "passes", "agreement"});
    RelevelRecord rec;
    rec.date = r.str_or("date", "");
    rec.seconds = r.num_or("seconds", 0);
    if (!std::isfinite(rec.seconds) || rec.seconds < 0) r.fail("seconds", "must be a non-negative number");
    rec.fit.scale = positive(r, "scale", 1e3);
    rec.drift = r.num_or("drift", 0);
    if (!std::isfinite(rec.drift) || std::abs(rec.drift) > 1e3) r.fail("drift", "must be a finite ratio");
    const long long passes = r.has("passes") ? r.integer("passes") : 1;
    if (passes < 1 || passes > 100) r.fail("passes", "expected 1 to 100 passes");
    rec.passes = static_cast<int>(passes);
    rec.agreement = r.num_or("agreement", 0);
    if (!std::isfinite(rec.agreement) || rec.agreement < 0 || rec.agreement > 1e3)
        r.fail("agreement", "must be a non-negative finite ratio");
    rec.fit.offset_ms = r.num_or("offset_ms", 0);
    if (!std::isfinite(rec.fit.offset_ms) || std::abs(rec.fit.offset_ms) > 1e6) r.fail("offset_ms", "must be a finite number of ms");
    if (auto ops = r.opt_object("op_scale")) {
        for (const auto& [method, value] : ops->node().items()) {
            if (!is_known_method(method)) ops->fail(method, "unknown method '" + method + "'");
            rec.fit.op_scale[method] = positive(*ops, method.c_str(), 1e3);
        }
    }
    if (const auto* points = r.opt_array("points")) {
        if (points->size() > limits::kProfilePoints) r.fail("points", "too many points");
        for (std::size_t i = 0; i < points->size(); ++i) {
            JsonReader p((*points)[i], r.child_path("points") + "/" + std::to_string(i));
            p.only_keys({"scope", "tokens", "profile_ms", "measured_ms"});
            RelevelPoint point;
            point.scope = p.str("scope");
            try {
                parse_scope(point.scope);
            } catch (const std::exception& e) {
                p.fail("scope", e.what());
            }
            const long long tokens = p.integer("tokens");
            if (tokens < 1 || tokens > limits::kTokens) p.fail("tokens", "expected a token count");
            point.tokens = static_cast<int>(tokens);
            point.profile_ms = positive(p, "profile_ms", 1e7);
            point.measured_ms = positive(p, "measured_ms", 1e7);
            rec.points.push_back(point);
        }
    }
    return rec;
}

nlohmann::json to_json(const RelevelRecord& rec) {
    nlohmann::json ops = nlohmann::json::object();
    for (const auto& [method, scale] : rec.fit.op_scale) ops[method] = scale;
    nlohmann::json points = nlohmann::json::array();
    for (const auto& p : rec.points)
        points.push_back({{"scope", p.scope}, {"tokens", p.tokens}, {"profile_ms", p.profile_ms}, {"measured_ms", p.measured_ms}});
    return {{"date", rec.date}, {"seconds", rec.seconds}, {"scale", rec.fit.scale}, {"offset_ms", rec.fit.offset_ms},
            {"op_scale", ops}, {"points", points}, {"drift", rec.drift},
            {"passes", rec.passes}, {"agreement", rec.agreement}};
}

LatencyCalibration from_json(const nlohmann::json& doc) {
    JsonReader r(doc, "");
    r.only_keys({"format", "format_version", "device", "model", "entries", "machine", "relevel"});
    if (r.str("format") != kFormat) r.fail("format", std::string("expected \"") + kFormat + "\"");
    if (r.integer("format_version") != LatencyCalibration::kFormatVersion)
        r.fail("format_version", "unsupported version " + std::to_string(r.integer("format_version")));
    LatencyCalibration cal;
    cal.device = r.str_or("device", "");
    cal.model = r.str_or("model", "");
    const auto& entries = r.array("entries");
    for (std::size_t i = 0; i < entries.size(); ++i) {
        JsonReader e(entries[i], r.child_path("entries") + "/" + std::to_string(i));
        e.only_keys({"method", "tokens_after_block", "measured_ms", "round", "date", "unpruned_ms"});
        MeasuredSchedule m;
        m.method = e.str("method");
        if (!is_known_method(m.method)) e.fail("method", "unknown method '" + m.method + "'");
        const auto& tokens = e.array("tokens_after_block");
        for (std::size_t b = 0; b < tokens.size(); ++b) {
            // Range-checked before get<int>(): 4294967297 would silently become 1.
            if (!tokens[b].is_number_integer() || tokens[b].get<long long>() < 1 || tokens[b].get<long long>() > limits::kTokens)
                throw FormatError(e.child_path("tokens_after_block") + "/" + std::to_string(b), "expected a positive integer");
            m.tokens_after_block.push_back(tokens[b].get<int>());
        }
        m.measured_ms = e.num("measured_ms");
        if (!(m.measured_ms > 0) || !std::isfinite(m.measured_ms)) e.fail("measured_ms", "must be a positive number");
        m.round = static_cast<int>(e.integer_or("round", 0));
        m.date = e.str_or("date", "");
        m.unpruned_ms = e.num_or("unpruned_ms", 0);
        if (!(m.unpruned_ms >= 0) || !std::isfinite(m.unpruned_ms)) e.fail("unpruned_ms", "must be a positive number");
        cal.entries.push_back(std::move(m));
    }
    if (auto machine = r.opt_object("machine")) cal.machine = machine_identity_from_json(*machine);
    if (auto relevel = r.opt_object("relevel")) {
        if (!cal.machine) r.fail("relevel", "a re-level needs the \"machine\" it was measured on");
        cal.relevel = relevel_from_json(*relevel);
        cal.relevel->fit.machine = machine_label(*cal.machine);
    }
    return cal;
}
}  // namespace

LatencyCalibration parse_latency_calibration(const std::string& text, const std::string& source) {
    nlohmann::json doc = parse_json_text(text, source);
    try {
        return from_json(doc);
    } catch (const FormatError& e) {
        rethrow_with_line(e, text, source);
    }
}

LatencyCalibration load_latency_calibration(const std::string& path) {
    return parse_latency_calibration(read_text_file(path), path);
}

std::string latency_calibration_to_text(const LatencyCalibration& cal) {
    nlohmann::json doc = {{"format", kFormat},
                          {"format_version", LatencyCalibration::kFormatVersion},
                          {"device", cal.device},
                          {"model", cal.model},
                          {"entries", nlohmann::json::array()}};
    for (const auto& e : cal.entries) {
        nlohmann::json j = {{"method", e.method}, {"tokens_after_block", e.tokens_after_block},
                            {"measured_ms", e.measured_ms}, {"round", e.round}};
        if (!e.date.empty()) j["date"] = e.date;
        if (e.unpruned_ms > 0) j["unpruned_ms"] = e.unpruned_ms;
        doc["entries"].push_back(j);
    }
    if (cal.machine) doc["machine"] = to_json(*cal.machine);
    if (cal.relevel) doc["relevel"] = to_json(*cal.relevel);
    return doc.dump(2) + "\n";
}

void save_latency_calibration(const LatencyCalibration& cal, const std::string& path) {
    write_text_file_atomically(path, latency_calibration_to_text(cal));
}

}  // namespace tp
