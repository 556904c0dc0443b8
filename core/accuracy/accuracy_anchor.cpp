#include "core/accuracy/accuracy_anchor.h"

#include <sstream>

#include "core/util/format_error.h"
#include "core/util/json_reader.h"

namespace tp {

bool is_anchor_split(const std::string& split) { return split == "test" || split == "holdout" || split == "train"; }

std::vector<AccuracyAnchor> anchors_from_json(const nlohmann::json& node, const std::string& path) {
    if (!node.is_object()) throw FormatError(path, "must be an object keyed by split (test, holdout, train)");
    std::vector<AccuracyAnchor> out;
    for (auto it = node.begin(); it != node.end(); ++it) {
        const std::string at = path + "/" + it.key();
        if (!is_anchor_split(it.key())) throw FormatError(at, "unknown split '" + it.key() + "' (test, holdout, train)");
        JsonReader r(it.value(), at);
        if (!it.value().is_object()) throw FormatError(at, "must be an object {top1, top5, images, measured}");
        r.only_keys({"top1", "top5", "images", "measured"});
        AccuracyAnchor a;
        a.split = it.key();
        a.top1 = r.num("top1");
        a.top5 = r.num("top5");
        if (!(a.top1 >= 0 && a.top1 <= 1)) r.fail("top1", "must be a fraction between 0 and 1");
        if (!(a.top5 >= 0 && a.top5 <= 1)) r.fail("top5", "must be a fraction between 0 and 1");
        if (a.top5 < a.top1) r.fail("top5", "is below top1");
        const long long images = r.integer("images");
        if (images < 1 || images > 1000000000) r.fail("images", "must be a positive image count");
        a.images = static_cast<int>(images);
        a.measured = r.str_or("measured", "");
        out.push_back(a);
    }
    return out;
}

nlohmann::json anchors_to_json(const std::vector<AccuracyAnchor>& anchors) {
    nlohmann::json j = nlohmann::json::object();
    for (const auto& a : anchors) {
        nlohmann::json e = {{"top1", a.top1}, {"top5", a.top5}, {"images", a.images}};
        if (!a.measured.empty()) e["measured"] = a.measured;
        j[a.split] = e;
    }
    return j;
}

const AccuracyAnchor* find_anchor(const std::vector<AccuracyAnchor>& anchors, const std::string& split) {
    for (const auto& a : anchors)
        if (a.split == split) return &a;
    return nullptr;
}

void set_anchor(std::vector<AccuracyAnchor>& anchors, const AccuracyAnchor& a) {
    for (auto& e : anchors)
        if (e.split == a.split) {
            e = a;
            return;
        }
    anchors.push_back(a);
}

std::vector<AccuracyAnchor> read_card_anchors(const std::string& card_path) {
    const std::string text = read_text_file(card_path);
    nlohmann::json doc = parse_json_text(text, card_path);
    try {
        if (!doc.is_object() || !doc.contains("format") || doc["format"] != "tailprune-model-card")
            throw FormatError("/format", "not a model card (expected \"tailprune-model-card\")");
        if (!doc.contains("anchors")) return {};
        return anchors_from_json(doc["anchors"], "/anchors");
    } catch (const FormatError& e) {
        rethrow_with_line(e, text, card_path);
    }
}

std::string ResolvedAnchor::describe() const {
    std::ostringstream out;
    if (from_fit)
        out << "no measured anchor for " << split << ": using the calibration subset's unpruned level (" << used_split
            << ")";
    else if (fallback)
        out << "no measured anchor for " << split << ": using the " << used_split << "'s (" << images << " images, "
            << source << ")";
    else
        out << "anchored to " << split << " (" << images << " images, " << source << ")";
    return out.str();
}

ResolvedAnchor resolve_anchor(const std::string& split, const std::vector<AccuracyAnchor>& calibration_anchors,
                              const std::vector<AccuracyAnchor>& card_anchors) {
    ResolvedAnchor r;
    r.split = split;
    auto take = [&](const std::string& s) {
        const AccuracyAnchor* a = find_anchor(calibration_anchors, s);
        r.source = "calibration record";
        if (!a) a = find_anchor(card_anchors, s), r.source = "model card";
        if (!a) return false;
        r.used_split = s;
        r.top1 = a->top1;
        r.top5 = a->top5;
        r.images = a->images;
        return true;
    };
    if (take(split)) {
        r.measured = true;
        return r;
    }
    r.fallback = true;
    if (split != "holdout" && take("holdout")) return r;
    r.from_fit = true;
    r.source = "calibration fit";
    r.used_split.clear();
    return r;
}

std::string card_path_for_calibration(const std::string& calibration_path) {
    const std::string ext = ".accuracy-calibration.json";
    if (calibration_path.size() <= ext.size() ||
        calibration_path.compare(calibration_path.size() - ext.size(), ext.size(), ext) != 0)
        return {};
    return calibration_path.substr(0, calibration_path.size() - ext.size()) + ".card.json";
}

}  // namespace tp
