#include "core/accuracy/accuracy_data.h"

#include <cmath>

#include "core/model/profile_json.h"
#include "core/model/schedule.h"
#include "core/util/input_limits.h"
#include "core/util/json_reader.h"

namespace tp {

std::string AccuracySubset::label() const {
    return dataset + "/" + split + "/" + std::to_string(size) + "@seed" + std::to_string(seed);
}

namespace {
constexpr const char* kFormat = "tailprune-accuracy-calibration";

bool unpruned(const AccuracyEvaluation& e, int tokens) {
    for (int t : e.tokens_after_block)
        if (t != tokens) return false;
    return true;
}

double fraction(const JsonReader& r, const char* key) {
    double v = r.num(key);
    if (!(v >= 0 && v <= 1)) r.fail(key, "must be a fraction between 0 and 1");
    return v;
}

AccuracyCalibration from_json(const nlohmann::json& doc) {
    JsonReader r(doc, "");
    r.only_keys({"format", "format_version", "model", "subset", "evaluations", "anchors"});
    if (r.str("format") != kFormat) r.fail("format", std::string("expected \"") + kFormat + "\"");
    if (r.integer("format_version") != AccuracyCalibration::kFormatVersion)
        r.fail("format_version", "unsupported version " + std::to_string(r.integer("format_version")));
    AccuracyCalibration cal;
    cal.model = model_from_json(doc.at("model"), "/model");
    JsonReader s = r.object("subset");
    s.only_keys({"dataset", "split", "size", "seed"});
    cal.subset.dataset = s.str("dataset");
    cal.subset.split = s.str("split");
    if (cal.subset.split == "test") s.fail("split", "calibration must not use the test split");
    // Range-checked before the cast (as the anchors' images): 4294969296 would silently become 2000.
    const long long size = s.integer("size");
    if (size < 1 || size > 1000000000) s.fail("size", "must be a positive image count (at most 10^9)");
    cal.subset.size = static_cast<int>(size);
    long long seed = s.integer("seed");
    if (seed < 0) s.fail("seed", "must be non-negative");
    cal.subset.seed = static_cast<std::uint64_t>(seed);
    const auto& evals = r.array("evaluations");
    for (std::size_t i = 0; i < evals.size(); ++i) {
        JsonReader e(evals[i], r.child_path("evaluations") + "/" + std::to_string(i));
        e.only_keys({"method", "tokens_after_block", "top1", "top5", "images", "seconds", "kind"});
        AccuracyEvaluation ev;
        ev.method = e.str("method");
        if (!is_known_method(ev.method)) e.fail("method", "unknown method '" + ev.method + "'");
        const auto& tokens = e.array("tokens_after_block");
        if (static_cast<int>(tokens.size()) != cal.model.depth)
            e.fail("tokens_after_block", "has " + std::to_string(tokens.size()) + " entries but the model has " +
                                             std::to_string(cal.model.depth) + " blocks");
        int previous = cal.model.tokens;
        for (std::size_t b = 0; b < tokens.size(); ++b) {
            const std::string at = e.child_path("tokens_after_block") + "/" + std::to_string(b);
            // Range-checked before get<int>(): 4294967297 would silently become 1.
            if (!tokens[b].is_number_integer() || tokens[b].get<long long>() < 0 || tokens[b].get<long long>() > limits::kTokens)
                throw FormatError(at, "expected an integer (0.." + std::to_string(limits::kTokens) + ")");
            int t = tokens[b].get<int>();
            if (t < 1 || t > previous)
                throw FormatError(at, "block " + std::to_string(b) + " keeps " + std::to_string(t) +
                                          " tokens; expected 1.." + std::to_string(previous));
            ev.tokens_after_block.push_back(t);
            previous = t;
        }
        ev.top1 = fraction(e, "top1");
        ev.top5 = fraction(e, "top5");
        if (ev.top5 < ev.top1) e.fail("top5", "is below top1");
        const long long images = e.integer("images");
        if (images < 1 || images > 1000000000) e.fail("images", "must be a positive image count (at most 10^9)");
        ev.images = static_cast<int>(images);
        ev.seconds = e.num_or("seconds", 0);
        ev.kind = e.str_or("kind", "extra");
        cal.evaluations.push_back(std::move(ev));
    }
    if (r.has("anchors")) cal.anchors = anchors_from_json(doc.at("anchors"), r.child_path("anchors"));
    return cal;
}
}  // namespace

std::vector<AccuracyEvaluation> AccuracyCalibration::for_method(const std::string& method) const {
    std::vector<AccuracyEvaluation> out;
    for (const auto& e : evaluations)
        if (e.method == method || unpruned(e, model.tokens)) out.push_back(e);
    return out;
}

const AccuracyEvaluation* AccuracyCalibration::find(const std::string& method, const std::vector<int>& tokens) const {
    for (const auto& e : evaluations)
        if (e.tokens_after_block == tokens && (e.method == method || unpruned(e, model.tokens))) return &e;
    return nullptr;
}

AccuracyCalibration parse_accuracy_calibration(const std::string& text, const std::string& source) {
    nlohmann::json doc = parse_json_text(text, source);
    try {
        return from_json(doc);
    } catch (const FormatError& e) {
        rethrow_with_line(e, text, source);
    } catch (const nlohmann::json::exception& e) {
        throw FormatError(source, std::string("missing or malformed field: ") + e.what());
    }
}

AccuracyCalibration load_accuracy_calibration(const std::string& path) {
    return parse_accuracy_calibration(read_text_file(path), path);
}

std::string accuracy_calibration_to_text(const AccuracyCalibration& cal) {
    nlohmann::json doc = {{"format", kFormat},
                          {"format_version", AccuracyCalibration::kFormatVersion},
                          {"model", to_json(cal.model)},
                          {"subset",
                           {{"dataset", cal.subset.dataset},
                            {"split", cal.subset.split},
                            {"size", cal.subset.size},
                            {"seed", cal.subset.seed}}},
                          {"evaluations", nlohmann::json::array()}};
    for (const auto& e : cal.evaluations)
        doc["evaluations"].push_back({{"method", e.method},
                                      {"tokens_after_block", e.tokens_after_block},
                                      {"top1", e.top1},
                                      {"top5", e.top5},
                                      {"images", e.images},
                                      {"seconds", e.seconds},
                                      {"kind", e.kind}});
    if (!cal.anchors.empty()) doc["anchors"] = anchors_to_json(cal.anchors);
    return doc.dump(2) + "\n";
}

void save_accuracy_calibration(const AccuracyCalibration& cal, const std::string& path) {
    write_text_file_atomically(path, accuracy_calibration_to_text(cal));
}

}  // namespace tp
